#include "core/sink.h"

namespace sluice {

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kAppend:
      return "append";
    case WriteMode::kOverwrite:
      return "overwrite";
    case WriteMode::kUpsert:
      return "upsert";
    case WriteMode::kReplace:
      return "replace";
    case WriteMode::kIgnore:
      return "ignore";
  }
  return "unknown";
}

Result<WriteMode> ParseWriteMode(std::string_view text) {
  for (WriteMode m : {WriteMode::kAppend, WriteMode::kOverwrite, WriteMode::kUpsert,
                      WriteMode::kReplace, WriteMode::kIgnore}) {
    if (text == WriteModeName(m)) return m;
  }
  return Err(Status::Invalid(
      "unknown write_mode '{}' (expected append, overwrite, upsert, replace or ignore)", text));
}

}  // namespace sluice
