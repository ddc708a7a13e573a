// The incremental boundary: which values of the watermark column one run reads, from the
// stored watermark and the column's maximum when the run starts (docs/guarantees.md, "The
// incremental boundary", says the same for users).
//
//   target                       range              why
//   append (the default)         [stored, high)     rows equal to the maximum wait for the next
//                                                   run, which reads them with any that arrive
//                                                   later with that value: none twice, none lost
//   keyed: upsert, replace,      [stored, high]     the target equals the source after each run;
//   ignore, overwrite                               boundary rows read again replace themselves
//   strictly_increasing          (stored, high]     values only grow: nothing twice, nothing late
//   look_back (keyed targets)    the low end moves back by the look-back (a duration for date and
//                                timestamp columns, a count of units for numeric ones): rows that
//                                long transactions committed late, below the stored watermark,
//                                are read again
#pragma once

#include <optional>
#include <string>

#include "config/job_spec.h"
#include "core/source.h"
#include "core/types.h"

namespace sluice {

// incremental.look_back, checked against the watermark column's type.
struct LookBack {
  std::string text;    // as written ("10m", "500"); empty: none
  int64_t amount = 0;  // microseconds for date and timestamp columns, units for numeric ones
};

// Parses `text` ("90s", "10m", "2h", "1d", "1h30m"; a plain count for numeric columns) for a
// watermark column named `column` of `type`. The error says what the column needs.
Result<LookBack> ParseLookBack(std::string_view text, const std::string& column,
                               const DataType& type);

// The rule in one place, for `run` and `check`.
struct IncrementalRule {
  std::string column;
  DataType type;
  bool strictly_increasing = false;
  bool keyed_target = false;
  LookBack look_back;
};

// The range one run reads; nullopt when it reads nothing (no rows, or none in range).
Result<std::optional<WatermarkRange>> PlanWatermarkRange(const IncrementalRule& rule,
                                                         const std::optional<std::string>& stored,
                                                         const std::optional<std::string>& high);

// `watermark` moved back by `look_back` (canonical text of `type`, as watermarks are stored).
Result<std::string> MoveBack(const DataType& type, const std::string& watermark,
                             const LookBack& look_back);

// Orders two watermark values of `type` (canonical text): <0, 0, >0.
int CompareWatermarks(const DataType& type, const std::string& a, const std::string& b);

}  // namespace sluice
