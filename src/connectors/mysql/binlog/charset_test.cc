// Character sets of binlog text, without a server: the collation ids, the characters where
// iconv and the server part ways (the run test checks every character against a server), and
// what is refused.
#include "connectors/mysql/binlog/charset.h"

#include <gtest/gtest.h>

#include "connectors/mysql/binlog/row_image_decoder.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "core/batch.h"
#include "core/utf8.h"

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

// A VARCHAR whose charset neither a catalog nor the TABLE_MAP names (binlog_row_metadata=
// MINIMAL, read from files): UTF-8 passes, anything else stops naming the byte, instead of
// reaching the target as stored (latin1 'ä' is the lone byte 0xE4).
TEST(CharsetTest, TextOfAnUnnamedCharsetMustBeUtf8) {
  TableMap map;
  map.schema = "shop";
  map.table = "t";
  TableMapColumn v;
  v.type = v.real_type = FieldType::kVarchar;
  v.length = 20;
  map.columns.push_back(v);
  const std::vector<ColumnDef> defs = DefaultColumnDefs(map);
  ASSERT_EQ(defs[0].type.id, TypeId::kString);
  Result<RowImageDecoder> decoder = RowImageDecoder::Make(map, defs);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message();
  auto decode = [&](std::string_view value) {
    const std::string image = std::string(1, '\0') + static_cast<char>(value.size()) +
                              std::string(value);  // null bitmap, length, bytes
    RowsEvent event;
    event.type = EventType::kWriteRowsV1;
    event.column_count = 1;
    event.present = "\x01";
    event.rows = image;
    Batch batch(SchemaOf(defs));
    const Status st = decoder->Decode(event, batch);
    return st.ok() ? std::string(batch.columns[0].GetView(0)) : "<error: " + st.message() + ">";
  };
  EXPECT_EQ(decode("caf\xC3\xA9"), "caf\xC3\xA9");
  const std::string refused = decode("caf\xE4");
  EXPECT_NE(refused.find("byte 0xE4 at offset 3 is not UTF-8, and the binlog names no character "
                         "set for the column"),
            std::string::npos)
      << refused;
}

TEST(Utf8Test, OnlyWellFormedSequencesPass) {
  EXPECT_EQ(InvalidUtf8At("plain \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(InvalidUtf8At("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(InvalidUtf8At("ab\xED\xA0\x80"), 2u);    // a surrogate
  EXPECT_EQ(InvalidUtf8At("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(InvalidUtf8At("x\xE2\x82"), 1u);         // cut short
  EXPECT_EQ(InvalidUtf8At("\x80"), 0u);              // a lone continuation byte
}

}  // namespace
}  // namespace sluice::mysql::binlog
