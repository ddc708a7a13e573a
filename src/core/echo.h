// EchoText: user text (a `where`, an expression, a value) as quoted back in a message.
//
// Messages name what they refuse, but a 10 MB `where` echoed whole makes a 10 MB error line
// that hides the reason and floods logs. Every message that repeats text the user supplied
// passes it through here: short text comes back unchanged, long text is cut at a UTF-8
// character boundary and says how long it was.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

constexpr size_t kMaxEchoBytes = 200;

// `text` if it is at most `max_bytes` long; else its first ~`max_bytes` bytes followed by
// "... (N bytes)".
std::string EchoText(std::string_view text, size_t max_bytes = kMaxEchoBytes);

}  // namespace sluice
