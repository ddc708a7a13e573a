// Character sets of binlog text, without a server: the collation ids, the characters where
// iconv and the server part ways (the run test checks every character against a server), and
// what is refused.
#include "connectors/mysql/binlog/charset.h"

#include <gtest/gtest.h>

namespace sluice::mysql::binlog {
namespace {

std::string Decode(std::string_view charset, std::string_view bytes) {
  Result<std::shared_ptr<CharsetDecoder>> d = CharsetDecoder::For(charset, "v");
  EXPECT_TRUE(d.has_value()) << d.error().message();
  if (!d) return "<none>";
  std::string out;
  std::string why;
  if (!(*d)->AppendUtf8(bytes, out, why)) return "<error: " + why + ">";
  return out;
}

TEST(CharsetTest, CollationIdsNameTheirCharset) {
  EXPECT_EQ(CharsetOfCollation(8), "latin1");
  EXPECT_EQ(CharsetOfCollation(28), "gbk");
  EXPECT_EQ(CharsetOfCollation(1052), "gbk");  // MariaDB's gbk_nopad_chinese_ci
  EXPECT_EQ(CharsetOfCollation(63), "binary");
  EXPECT_EQ(CharsetOfCollation(248), "gb18030");  // MySQL 8
  EXPECT_EQ(CharsetOfCollation(45), "");          // utf8mb4_general_ci
  EXPECT_EQ(CharsetOfCollation(255), "");         // MySQL 8's utf8mb4_0900_ai_ci
  EXPECT_TRUE(IsUtf8Charset(""));
  EXPECT_TRUE(IsUtf8Charset("utf8mb3"));
  EXPECT_FALSE(IsUtf8Charset("gbk"));
}

TEST(CharsetTest, WhereIconvAndTheServerDifferTheServerWins) {
  EXPECT_EQ(Decode("sjis", "\x5C\x7E"), "\\~");  // iconv: yen sign, overline
  EXPECT_EQ(Decode("sjis", "\x81\x5F"), "\\");   // iconv: fullwidth reverse solidus
  EXPECT_EQ(Decode("sjis", "\x82\xA0\xB1"), "あｱ");
  EXPECT_EQ(Decode("big5", "\xA1\x45"), "•");   // iconv: hyphenation point
  EXPECT_EQ(Decode("ujis", "\xA1\xC1"), "〜");  // iconv EUC-JP-MS: fullwidth tilde
  EXPECT_EQ(Decode("gbk", "\x80"), "?");        // not a gbk character
  EXPECT_EQ(Decode("gbk", "\xD6\xD0\xCE\xC4"), "中文");
  EXPECT_EQ(Decode("cp1251", "\xC0\xFF"), "Ая");
  EXPECT_EQ(Decode("utf16", std::string("\xD8\x3D\xDE\x00", 4)), "😀");
}

TEST(CharsetTest, MalformedTextReadsAsTheServerReadsIt) {
  // A lead byte whose next byte is no trail: '?', then that byte.
  EXPECT_EQ(Decode("sjis", "\x81\x7F"), "?\x7F");
  // A value that ends inside a character is an error (a row image is never cut so).
  EXPECT_EQ(Decode("gbk", "a\xD6").substr(0, 8), "<error: ");
}

TEST(CharsetTest, ACharsetWithoutAKnownConversionIsRefusedNamingTheColumn) {
  Result<std::shared_ptr<CharsetDecoder>> d = CharsetDecoder::For("gb18030", "note");
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("column note: character set gb18030 is not converted"),
            std::string::npos)
      << d.error().message();
}

}  // namespace
}  // namespace sluice::mysql::binlog
