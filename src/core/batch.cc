#include "core/batch.h"

namespace sluice {

Status CheckOffsets(const Batch& batch, const Schema& schema) {
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    if (!batch.columns[i].offsets_overflowed()) [[likely]] {
      continue;
    }
    const std::string name = i < schema.size() ? schema.fields[i].name : std::to_string(i);
    return Status(StatusCode::kDataError,
                  fmt::format("column '{}': a value of more than 4 GiB (or one that makes the "
                              "column's values in one batch pass 4 GiB) cannot be carried; "
                              "lower settings.batch_bytes, or leave the column out",
                              name));
  }
  return Status::OK();
}

}  // namespace sluice
