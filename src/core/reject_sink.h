// RejectSink: where rows that cannot be transformed or written go, with the reason.
//
// The engine's implementation counts them, keeps them aside (dirty records file) and fails the
// job once the configured limit is passed. Thread-safe: readers, transforms and writers call it
// from their own threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/batch.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice {

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  // Records row `row` of `batch` (whose fields are described by `schema`) as rejected by
  // `stage` ("transform filter#1", "target") for `reason`. Returns kLimitExceeded once the
  // error limit is passed; the caller stops and propagates that status.
  virtual Status Reject(const Schema& schema, const Batch& batch, size_t row,
                        std::string_view stage, std::string_view reason) = 0;
  // `count` values a source replaced (by NULL) because a rule the job chose says so
  // (`special_values: null`, `zero_date: null`) instead of rejecting their rows: kept, but not
  // as stored. `rule` is the option as written, `example` one of the values
  // ("table.column: NaN"). Called once per batch at most. The engine ignores it; verify
  // reports the values apart from its differences.
  virtual void NoteSubstituted(std::string_view /*rule*/, int64_t /*count*/,
                               std::string_view /*example*/) {}
};

}  // namespace sluice
