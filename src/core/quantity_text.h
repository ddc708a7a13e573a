// Durations and byte sizes as people write them in job files: "500ms", "1h30m", "64MB", "1GiB".
//
// Pure functions over text, shared by every option that takes a duration or a size (settings,
// look_back) so each accepts the same spellings and explains a bad one the same way. Errors
// say what was expected and, when the text is a near miss ("10 min", "64M"), what was meant;
// callers add the key and where it was written.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace sluice {

// A duration: one or more <count><unit> with units ms, s, m, h, d ("1h30m"), in milliseconds.
// A bare number has no unit and is refused ("1000" could be seconds or milliseconds).
Result<int64_t> ParseDurationMillis(std::string_view text);

// A size in bytes: a plain number, or a number with B, KB, MB, GB, TB (powers of 1000) or
// KiB, MiB, GiB, TiB (powers of 1024); units in any case.
Result<int64_t> ParseByteSize(std::string_view text);

}  // namespace sluice
