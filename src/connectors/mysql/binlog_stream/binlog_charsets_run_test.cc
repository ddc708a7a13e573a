// Row images carry text in each column's own character set; a batch read gets it converted by
// the server. A realtime run must give the same text: every character of the Basic
// Multilingual Plane that each character set of the server can hold (the others become '?'
// as they are stored, the same for both), through the binlog, into a MariaDB target read back
// over a utf8mb4 connection, equals the source read over one. ENUM members of such a column
// too. (The one charset not converted, MySQL's gb18030: binlog/charset_test.cc.)
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

// Every character set of MariaDB 10.11 except the UTF-8 ones and binary.
const std::vector<std::string> kCharsets = {
    "armscii8", "cp1250", "cp1251",   "cp1256", "cp1257",  "cp850",   "cp852", "cp866",  "dec8",
    "geostd8",  "greek",  "hebrew",   "hp8",    "keybcs2", "koi8r",   "koi8u", "latin2", "latin5",
    "latin7",   "macce",  "macroman", "swe7",   "tis620",  "latin1",  "ascii", "cp932",  "eucjpms",
    "euckr",    "gb2312", "gbk",      "ucs2",   "utf16",   "utf16le", "utf32"};

// Code points [from, to) but the surrogates, as UTF-8 in hex.
std::string Utf8Hex(uint32_t from, uint32_t to) {
  std::string out;
  auto byte = [&](uint32_t b) { out += fmt::format("{:02X}", b); };
  for (uint32_t cp = from; cp < to; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (cp < 0x80) {
      byte(cp);
    } else if (cp < 0x800) {
      byte(0xC0 | (cp >> 6));
      byte(0x80 | (cp & 0x3F));
    } else {
      byte(0xE0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 0x3F));
      byte(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

class CharsetsRunTest : public testing::RunFixture {};

TEST_F(CharsetsRunTest, EveryCharacterOfEveryCharsetArrivesAsTheServerReadsIt) {
  TestDatabase db;
  TestDatabase target;
  std::string columns;
  for (const std::string& cs : kCharsets) {
    columns += fmt::format(", `{0}` TEXT CHARACTER SET {0}", cs);
  }
  db.Exec(
      fmt::format("CREATE TABLE t (id INT PRIMARY KEY{}, c CHAR(4) CHARACTER SET gbk, "
                  "e ENUM('中', '文字', 'x') CHARACTER SET gbk, "
                  "s SET('ä', 'ö') CHARACTER SET latin1, "
                  "k ENUM('я', 'b') CHARACTER SET cp1251)",
                  columns));
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  // 0x20..0xFFFF, 512 code points a row: each column gets what its charset can hold, '?' for
  // the rest (not strict: a character a charset lacks is a warning, not an error).
  db.Exec("SET SESSION sql_mode = ''");
  constexpr uint32_t kPerRow = 512;
  int id = 0;
  for (uint32_t from = 0x20; from < 0x10000; from += kPerRow) {
    const std::string text = fmt::format("CONVERT(X'{}' USING utf8mb4)",
                                         Utf8Hex(from, std::min(from + kPerRow, 0x10000u)));
    std::string values;
    for (const std::string& cs : kCharsets)
      values += fmt::format(", CONVERT({} USING {})", text, cs);
    db.Exec(fmt::format("INSERT INTO t VALUES ({}{}, NULL, NULL, NULL, NULL)", ++id, values));
  }
  db.Exec(
      "INSERT INTO t (id, c, e, s, k) VALUES (1000, '中 ', '文字', 'ä,ö', 'я'), "
      "(1001, '', 'x', '', 'b')");
  db.Exec("UPDATE t SET gbk = CONCAT(gbk, '更新'), e = '中' WHERE id = 1");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  for (const std::string& cs : kCharsets) {
    const std::string query = fmt::format("SELECT id, `{}` FROM t ORDER BY id", cs);
    const std::vector<std::string> want = db.Rows(query);
    const std::vector<std::string> got = target.Rows(query);
    ASSERT_EQ(got.size(), want.size()) << cs;
    int differ = 0;
    for (size_t i = 0; i < want.size() && differ < 3; ++i) {
      if (got[i] == want[i]) continue;
      ++differ;
      // The first character that differs, to name it.
      size_t at = 0;
      while (at < got[i].size() && at < want[i].size() && got[i][at] == want[i][at]) ++at;
      ADD_FAILURE() << cs << " row " << i << " differs at byte " << at << ": got '"
                    << got[i].substr(at, 12) << "', the server reads '" << want[i].substr(at, 12)
                    << "'";
    }
  }
  const std::string rest = "SELECT id, c, e, s, k FROM t WHERE id >= 1000 OR id = 1 ORDER BY id";
  EXPECT_EQ(target.Rows(rest), db.Rows(rest));
  EXPECT_EQ(target.Rows("SELECT c, e, s, k FROM t WHERE id = 1000"),
            (std::vector<std::string>{"中|文字|ä,ö|я"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
