// TruncatePolicy: what a realtime job does when a table it streams is emptied at the source
// (TRUNCATE), the `truncate` option of a change-capture source. Shared by the sources that see
// TRUNCATE in their log, so the option reads and refuses the same everywhere.
#pragma once

#include <string>

#include "core/options.h"
#include "core/status.h"

namespace sluice {

enum class TruncatePolicy {
  kStop,    // the default: the run stops, naming the table; nothing is applied
  kApply,   // the target's table is emptied at the same point of the stream (Batch::truncated)
  kIgnore,  // passed over: the target keeps the rows the source no longer has
};

// The option's spec, for a source's option list.
OptionSpec TruncateOptionSpec();

// Reads `truncate` (stop, apply or ignore); an error names the option and the value.
Result<TruncatePolicy> ParseTruncatePolicy(const Options& options);

// What a source does at a TRUNCATE of `table`: true to carry it (kApply); false to pass over it
// (kIgnore, logged as a warning); the error that stops the run (kStop).
Result<bool> CarryTruncate(TruncatePolicy policy, const std::string& table);

}  // namespace sluice
