// ASCII case folding for identifiers and server variable values (MySQL names compare without
// case unless a table is named exactly; values such as "CRC32" or "FULL" are read in any case).
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace sluice::mysql::binlog_stream {

inline std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace sluice::mysql::binlog_stream
