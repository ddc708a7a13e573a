// Character sets of binlog text. Row images carry a text column's bytes in the column's own
// character set (a SELECT over a utf8mb4 connection gets them converted by the server; the
// binlog does not), so every charset other than UTF-8 is converted here, to what the server
// gives: latin1 and ascii by hand (mysql_decoder.h), the other single-byte charsets by the
// server's own tables (single_byte_charsets.h), multi-byte ones with iconv and the server's
// readings where iconv's differ (multi_byte_text.h); MySQL's gb18030 is refused, naming the
// column (no server here to check a conversion against). The collation ids of
// a TABLE_MAP's metadata are the servers' fixed numbering (information_schema.COLLATIONS of
// MariaDB 10.11, and MySQL 8's gb18030 ids); an id that is not in it is taken as UTF-8, as MySQL
// 8's utf8mb4 ids are.
#pragma once

#include <iconv.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "connectors/mysql/binlog/multi_byte_overrides.h"
#include "connectors/mysql/binlog/single_byte_charsets.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

// "latin1", "gbk", "binary", ...; "" for the UTF-8 collations, unknown ids and 0 (unknown).
std::string_view CharsetOfCollation(uint32_t id);

// The fewest of the most bytes a character of `charset` (CharsetOfCollation's) may take: a
// column of N bytes holds at least N / this many characters. "" (UTF-8: utf8mb3 takes 3,
// utf8mb4 4) gives 3, and a charset not known here 1, so that the count is never too low.
int MaxBytesPerCharAtLeast(std::string_view charset);

// Whether text in `charset` is UTF-8 already ("", utf8mb3, utf8mb4, utf8).
bool IsUtf8Charset(std::string_view charset);

// Converts text in one character set to UTF-8. Shared by the column plans of one table; an
// iconv conversion holds the lock (iconv keeps state per descriptor).
class CharsetDecoder {
 public:
  // For a charset other than UTF-8, latin1, ascii and binary; an error naming the column
  // for one without an exact conversion.
  static Result<std::shared_ptr<CharsetDecoder>> For(std::string_view charset,
                                                     std::string_view column);
  ~CharsetDecoder();
  CharsetDecoder(const CharsetDecoder&) = delete;
  CharsetDecoder& operator=(const CharsetDecoder&) = delete;

  // Appends `in` as UTF-8 to `out`; false with `why` (the byte offset) for bytes that are not
  // text in the charset.
  bool AppendUtf8(std::string_view in, std::string& out, std::string& why);
  const std::string& charset() const { return charset_; }

 private:
  CharsetDecoder(std::string charset, const SingleByteCharset* table, const MultiByteCharset* multi,
                 iconv_t cd)
      : charset_(std::move(charset)), table_(table), multi_(multi), cd_(cd) {}
  std::string charset_;
  const SingleByteCharset* table_;  // a single-byte charset
  const MultiByteCharset* multi_;   // a multi-byte one (iconv and overrides); else iconv alone
  iconv_t cd_;
  std::mutex mu_;
};

}  // namespace sluice::mysql::binlog
