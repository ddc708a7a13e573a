#include <fmt/format.h>

#include "config/job_spec.h"
#include "config/transforms_section.h"

namespace sluice {

const char* TransformKindName(TransformSpec::Kind kind) {
  switch (kind) {
    case TransformSpec::Kind::kFilter:
      return "filter";
    case TransformSpec::Kind::kSet:
      return "set";
    case TransformSpec::Kind::kRename:
      return "rename";
    case TransformSpec::Kind::kDrop:
      return "drop";
    case TransformSpec::Kind::kSelect:
      return "select";
  }
  return "unknown";
}

// 0-based, like every other path in job-file messages (source.columns[0]).
std::string TransformSpec::Label(size_t index) const {
  return fmt::format("transforms[{}] ({})", index, TransformKindName(kind));
}

}  // namespace sluice
