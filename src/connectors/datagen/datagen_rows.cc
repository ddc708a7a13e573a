#include "connectors/datagen/datagen_rows.h"

#include <fmt/format.h>

namespace sluice::datagen {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kCreatedEpochMicros = int64_t{1735689600} * kMicrosPerSecond;  // 2025-01-01

}  // namespace

Schema RowSchema() {
  Schema s;
  s.fields.push_back(Field{"id", DataType::Of(TypeId::kInt64), false});
  s.fields.push_back(Field{"name", DataType::Of(TypeId::kString), true});
  s.fields.push_back(Field{"amount", DataType::Decimal(12, 2), true});
  s.fields.push_back(Field{"created", DataType::Of(TypeId::kTimestamp), true});
  return s;
}

int64_t AppendRows(int64_t first, int64_t last, Batch& batch, const BatchLimits& limits) {
  fmt::memory_buffer text;  // reused: no allocation per value once it has grown
  int64_t id = first;
  for (; id <= last && !limits.Full(batch); ++id) {
    batch.columns[0].AppendInt(id);
    text.clear();
    fmt::format_to(std::back_inserter(text), "row-{}", id);
    batch.columns[1].AppendBytes(std::string_view(text.data(), text.size()));
    text.clear();
    fmt::format_to(std::back_inserter(text), "{}.{:02}", id % 100000, id % 100);
    batch.columns[2].AppendBytes(std::string_view(text.data(), text.size()));
    batch.columns[3].AppendInt(kCreatedEpochMicros + id * kMicrosPerSecond);
  }
  return id - 1;
}

}  // namespace sluice::datagen
