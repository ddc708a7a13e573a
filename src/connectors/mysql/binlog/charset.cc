#include "connectors/mysql/binlog/charset.h"

#include <cerrno>

#include <fmt/format.h>

#include "connectors/mysql/binlog/multi_byte_text.h"
#include "connectors/mysql/binlog/single_byte_charsets.h"
#include "core/utf8.h"

namespace sluice::mysql::binlog {
namespace {

struct CollationRange {
  std::string_view charset;
  std::initializer_list<uint32_t> ids;
};

// Every collation id of a charset other than utf8mb3/utf8mb4, as MariaDB 10.11 numbers them
// (SELECT CHARACTER_SET_NAME, ID FROM information_schema.COLLATIONS), and MySQL 8's gb18030
// (248-250). Ids from 1024 are MariaDB's NO PAD variants.
const CollationRange kCollations[] = {
    {"armscii8", {32, 64, 1056, 1088}},
    {"ascii", {11, 65, 1035, 1089}},
    {"big5", {1, 84, 1025, 1108}},
    {"binary", {63}},
    {"cp1250", {26, 34, 44, 66, 99, 1050, 1090}},
    {"cp1251", {14, 23, 50, 51, 52, 1074, 1075}},
    {"cp1256", {57, 67, 1081, 1091}},
    {"cp1257", {29, 58, 59, 1082, 1083}},
    {"cp850", {4, 80, 1028, 1104}},
    {"cp852", {40, 81, 1064, 1105}},
    {"cp866", {36, 68, 1060, 1092}},
    {"cp932", {95, 96, 1119, 1120}},
    {"dec8", {3, 69, 1027, 1093}},
    {"eucjpms", {97, 98, 1121, 1122}},
    {"euckr", {19, 85, 1043, 1109}},
    {"gb18030", {248, 249, 250}},
    {"gb2312", {24, 86, 1048, 1110}},
    {"gbk", {28, 87, 1052, 1111}},
    {"geostd8", {92, 93, 1116, 1117}},
    {"greek", {25, 70, 1049, 1094}},
    {"hebrew", {16, 71, 1040, 1095}},
    {"hp8", {6, 72, 1030, 1096}},
    {"keybcs2", {37, 73, 1061, 1097}},
    {"koi8r", {7, 74, 1031, 1098}},
    {"koi8u", {22, 75, 1046, 1099}},
    {"latin1", {5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071}},
    {"latin2", {2, 9, 21, 27, 77, 1033, 1101}},
    {"latin5", {30, 78, 1054, 1102}},
    {"latin7", {20, 41, 42, 79, 1065, 1103}},
    {"macce", {38, 43, 1062, 1067}},
    {"macroman", {39, 53, 1063, 1077}},
    {"sjis", {13, 88, 1037, 1112}},
    {"swe7", {10, 82, 1034, 1106}},
    {"tis620", {18, 89, 1042, 1113}},
    {"ucs2",
     {35,  90,  128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139,  140,  141,  142,
      143, 144, 145, 146, 147, 148, 149, 150, 151, 159, 640, 641, 642, 1059, 1114, 1152, 1174}},
    {"ujis", {12, 91, 1036, 1115}},
    {"utf16",
     {54,  55,  101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,  112,  113,  114, 115,
      116, 117, 118, 119, 120, 121, 122, 123, 124, 672, 673, 674, 1078, 1079, 1125, 1147}},
    {"utf16le", {56, 62, 1080, 1086}},
    {"utf32",
     {60,  61,  160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,  171,  172,  173, 174,
      175, 176, 177, 178, 179, 180, 181, 182, 183, 736, 737, 738, 1084, 1085, 1184, 1206}},
};

// The iconv name of a charset of whole code units (UCS-2, UTF-16, UTF-32), which iconv
// reads as the server does; "" for the others.
std::string_view UnicodeIconvName(std::string_view charset) {
  if (charset == "ucs2") return "UCS-2BE";
  if (charset == "utf16") return "UTF-16BE";
  if (charset == "utf16le") return "UTF-16LE";
  if (charset == "utf32") return "UTF-32BE";
  return {};
}

const MultiByteCharset* MultiByteTable(std::string_view charset) {
  for (size_t i = 0; i < kMultiByteCharsetCount; ++i) {
    if (kMultiByteCharsets[i].name == charset) return &kMultiByteCharsets[i];
  }
  return nullptr;
}

const SingleByteCharset* SingleByteTable(std::string_view charset) {
  for (size_t i = 0; i < kSingleByteCharsetCount; ++i) {
    if (kSingleByteCharsets[i].name == charset) return &kSingleByteCharsets[i];
  }
  return nullptr;
}

}  // namespace

std::string_view CharsetOfCollation(uint32_t id) {
  for (const CollationRange& r : kCollations) {
    for (uint32_t c : r.ids) {
      if (c == id) return r.charset;
    }
  }
  return {};
}

int MaxBytesPerCharAtLeast(std::string_view charset) {
  if (charset.empty() || charset == "utf8" || charset == "utf8mb3" || charset == "ujis" ||
      charset == "eucjpms") {
    return 3;
  }
  if (charset == "utf8mb4" || charset == "utf16" || charset == "utf16le" || charset == "utf32") {
    return 4;
  }
  if (charset == "gbk" || charset == "big5" || charset == "sjis" || charset == "cp932" ||
      charset == "euckr" || charset == "gb2312" || charset == "ucs2") {
    return 2;
  }
  return 1;
}

bool IsUtf8Charset(std::string_view charset) {
  return charset.empty() || charset.starts_with("utf8");
}

Result<std::shared_ptr<CharsetDecoder>> CharsetDecoder::For(std::string_view charset,
                                                            std::string_view column) {
  if (const SingleByteCharset* table = SingleByteTable(charset)) {
    return std::shared_ptr<CharsetDecoder>(
        new CharsetDecoder(std::string(charset), table, nullptr, reinterpret_cast<iconv_t>(-1)));
  }
  const MultiByteCharset* multi = MultiByteTable(charset);
  const std::string_view name = multi ? multi->iconv : UnicodeIconvName(charset);
  iconv_t cd =
      name.empty() ? reinterpret_cast<iconv_t>(-1) : iconv_open("UTF-8", std::string(name).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Err(Status::Invalid(
        "column {}: character set {} is not converted to UTF-8 by the binlog decoder (no "
        "conversion known to give what the server gives); convert the column (ALTER TABLE ... "
        "CONVERT TO CHARACTER SET utf8mb4) or copy the table in a batch job",
        column, charset));
  }
  return std::shared_ptr<CharsetDecoder>(
      new CharsetDecoder(std::string(charset), nullptr, multi, cd));
}

CharsetDecoder::~CharsetDecoder() {
  if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
}

bool CharsetDecoder::AppendUtf8(std::string_view in, std::string& out, std::string& why) {
  if (table_ != nullptr) {
    for (unsigned char b : in) sluice::AppendUtf8(table_->code_points[b], out);
    return true;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (multi_ != nullptr) return AppendMultiByteUtf8(*multi_, cd_, in, out, why);
  iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // a fresh shift state for each value
  const size_t start = out.size();
  // UTF-8 takes at most 4 bytes per input byte (one byte to U+FFFF is 3, UTF-16 pairs 4 for 4).
  out.resize(start + in.size() * 4 + 4);
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data() + start;
  size_t dst_left = out.size() - start;
  const size_t done = iconv(cd_, &src, &src_left, &dst, &dst_left);
  if (done == static_cast<size_t>(-1)) {
    const int err = errno;
    out.resize(start);
    const size_t at = in.size() - src_left;
    why = fmt::format("bytes at offset {} are not {} text ({})", at, charset_,
                      err == EINVAL ? "a character cut short" : "an invalid sequence");
    return false;
  }
  out.resize(out.size() - dst_left);
  return true;
}

}  // namespace sluice::mysql::binlog
