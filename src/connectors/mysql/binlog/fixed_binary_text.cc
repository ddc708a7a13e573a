#include "connectors/mysql/binlog/fixed_binary_text.h"

#include <array>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

namespace sluice::mysql::binlog {
namespace {

// Values are written into the caller's column buffer: no string per value (a hot path).

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(const unsigned char* bytes, size_t n, std::string& out) {
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
}

void AppendUuid(const unsigned char* s, std::string& out) {
  // Stored swapped: the variant byte where the version byte belongs, and a version 1..5 byte
  // where the variant byte belongs (the server's own test of its record form).
  const bool swapped = (s[6] & 0x80) != 0 && s[8] > 0 && s[8] < 0x60;
  std::array<unsigned char, 16> u;
  if (swapped) {
    std::memcpy(&u[0], s + 12, 4);  // llllllll
    std::memcpy(&u[4], s + 10, 2);  // mmmm
    std::memcpy(&u[6], s + 8, 2);   // Vhhh
    std::memcpy(&u[8], s + 6, 2);   // vsss
    std::memcpy(&u[10], s + 0, 6);  // nnnnnnnnnnnn
  } else {
    std::memcpy(u.data(), s, 16);
  }
  AppendHex(&u[0], 4, out);
  out += '-';
  AppendHex(&u[4], 2, out);
  out += '-';
  AppendHex(&u[6], 2, out);
  out += '-';
  AppendHex(&u[8], 2, out);
  out += '-';
  AppendHex(&u[10], 6, out);
}

void AppendDotted(const unsigned char* b, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
}

bool AllZero(const unsigned char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

// As MariaDB writes an INET6 (not quite inet_ntop, which keeps a lone zero group): an IPv4
// tail after 96 zero bits whose seventh group is not zero (`::1.2.3.4`, but `::1`, `::100`) and
// after ::ffff (`::ffff:0.0.0.0`); else hex groups with the longest run of zero groups, the first
// of equal ones, written `::` even when it is one group long.
void AppendInet6(const unsigned char* b, std::string& out) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  if (AllZero(b, 12) && groups[6] != 0) {
    out += "::";
    AppendDotted(b + 12, out);
    return;
  }
  if (AllZero(b, 10) && groups[5] == 0xFFFF) {
    out += "::ffff:";
    AppendDotted(b + 12, out);
    return;
  }
  int run_start = -1;
  int run_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > run_length) {
      run_start = i;
      run_length = j - i;
    }
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == run_start) {
      out += "::";
      i += run_length - 1;
      continue;
    }
    if (i > 0 && i != run_start + run_length) out += ':';
    fmt::format_to(std::back_inserter(out), "{:x}", groups[i]);
  }
}

}  // namespace

FixedBinaryText FixedBinaryTextOf(std::string_view data_type) {
  if (data_type == "uuid") return FixedBinaryText::kUuid;
  if (data_type == "inet6") return FixedBinaryText::kInet6;
  if (data_type == "inet4") return FixedBinaryText::kInet4;
  return FixedBinaryText::kNone;
}

size_t FixedBinarySize(FixedBinaryText type) {
  switch (type) {
    case FixedBinaryText::kUuid:
    case FixedBinaryText::kInet6:
      return 16;
    case FixedBinaryText::kInet4:
      return 4;
    case FixedBinaryText::kNone:
      break;
  }
  return 0;
}

bool AppendFixedBinaryText(FixedBinaryText type, std::string_view stored, std::string& out,
                           std::string& why) {
  const size_t size = FixedBinarySize(type);
  if (size == 0 || stored.size() > size) {
    why = fmt::format("{} bytes where the type holds {}", stored.size(), size);
    return false;
  }
  std::array<unsigned char, 16> bytes{};  // the zero bytes the binlog strips
  std::memcpy(bytes.data(), stored.data(), stored.size());
  switch (type) {
    case FixedBinaryText::kUuid:
      AppendUuid(bytes.data(), out);
      return true;
    case FixedBinaryText::kInet6:
      AppendInet6(bytes.data(), out);
      return true;
    case FixedBinaryText::kInet4:
      AppendDotted(bytes.data(), out);
      return true;
    case FixedBinaryText::kNone:
      break;
  }
  return false;
}

}  // namespace sluice::mysql::binlog
