// Against the test MariaDB (binlog on, ROW format, binlog_row_metadata=FULL; see
// scripts/test-servers.sh): every type with edge values is inserted, updated and deleted, the
// binlog files written meanwhile are read from the server's datadir with BinlogFileReader, and
// every decoded row image is compared with what the batch reader (MysqlSource) returned for
// the same rows at that point.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "connectors/mysql/binlog/binlog_corruption_check.h"
#include "connectors/mysql/binlog/binlog_test_util.h"
#include "connectors/mysql/binlog/binlog_window.h"
#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog {
namespace {

namespace fs = std::filesystem;
using mysql::testing::MakeOptions;
using mysql::testing::MakeSource;
using mysql::testing::ReadAllRows;
using mysql::testing::RecordingRejects;
using mysql::testing::TestDatabase;
using testing::BinlogWindow;

// Rows by id (the text before the first '|').
using RowsById = std::map<std::string, std::string>;

std::string IdOf(const std::string& row) {
  return row.substr(0, row.find('|'));
}

struct Snapshot {
  Schema schema;
  RowsById rows;
};

Snapshot ReadWithBatchReader(TestDatabase& db, const std::string& table) {
  std::unique_ptr<Source> source =
      MakeSource(MakeOptions({{"url", db.Url()}, {"table", table}, {"zero_date", "null"}}));
  Snapshot out;
  if (!source) return out;
  Status st = source->Open(ReadRequest{});
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return out;
  RecordingRejects rejects;
  Result<std::vector<std::string>> rows = ReadAllRows(*source, rejects);
  EXPECT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_TRUE(rejects.rows.empty());
  out.schema = source->schema();
  for (const std::string& r : rows.value_or(std::vector<std::string>{})) out.rows[IdOf(r)] = r;
  return out;
}

std::vector<ColumnDef> DefsFrom(const Schema& schema) {
  std::vector<ColumnDef> defs;
  for (const Field& f : schema.fields) defs.push_back(ColumnDef{f.name, f.type, "", {}});
  return defs;
}

// Decoded rows ("I|...", "B|...") of `table` in the given files, in order.
std::vector<std::string> DecodeRows(const std::vector<fs::path>& files, const std::string& table,
                                    const Schema& schema) {
  std::vector<std::string> rows;
  testing::DecodeFileOptions options;
  options.row_options.zero_date_as_null = true;
  options.defs = [&](const TableMap& map) {
    return map.QualifiedName() == table ? DefsFrom(schema) : std::vector<ColumnDef>{};
  };
  for (const fs::path& f : files) {
    Result<testing::FileSummary> s = testing::DecodeFile(f.string(), options);
    EXPECT_TRUE(s.has_value()) << s.error().message();
    if (!s) continue;
    const auto& decoded = s->rows[table];
    rows.insert(rows.end(), decoded.begin(), decoded.end());
  }
  return rows;
}

constexpr const char* kCreate =
    "CREATE TABLE types (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
    "su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
    "bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE, d65 DECIMAL(65,30), d52 DECIMAL(5,2), "
    "d18 DECIMAL(18,0), d1 DECIMAL(1,1), dt DATE, tm0 TIME, tm1 TIME(1), tm3 TIME(3), "
    "tm TIME(6), dtm0 DATETIME, dtm2 DATETIME(2), dtm DATETIME(6), ts0 TIMESTAMP NULL, "
    "ts TIMESTAMP(6) NULL, y YEAR, b1 BIT(1), b BIT(10), b64 BIT(64), e ENUM('a','b','c'), "
    "st SET('x','y','z'), c CHAR(5), cl CHAR(10) CHARACTER SET latin1, vc VARCHAR(50), "
    "vcl VARCHAR(300), vl VARCHAR(20) CHARACTER SET latin1, bn BINARY(4), vb VARBINARY(10), "
    "tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, tt TINYTEXT, tx TEXT, lt LONGTEXT, "
    "j JSON)";

const std::vector<std::string> kInserts = {
    // Minimums, negative everything.
    "(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
    "-3.4028234663852886e38, -1.7976931348623157e308, "
    "'-99999999999999999999999999999999999.999999999999999999999999999999', -999.99, "
    "-999999999999999999, -0.9, '1000-01-01', '-838:59:59', '-838:59:59.9', '-00:00:00.001', "
    "'-838:59:59.000000', '1000-01-01 00:00:00', '1000-01-01 00:00:00.01', "
    "'1000-01-01 00:00:00.000001', '1970-01-01 00:00:01', '1970-01-01 00:00:01.000001', 1901, "
    "b'0', b'0', 0, 'a', '', '', '', '', '', '', x'00', '', '', '', '', '', '', '', '', '[]')",
    // Maximums, unicode, bytes with zeros.
    "(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
    "9223372036854775807, 18446744073709551615, 3.4028234663852886e38, "
    "1.7976931348623157e308, "
    "'99999999999999999999999999999999999.999999999999999999999999999999', 999.99, "
    "999999999999999999, 0.9, '9999-12-31', '838:59:59', '838:59:59.9', '838:59:59.999', "
    "'838:59:59.999999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.99', "
    "'9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '2038-01-19 03:14:07.999999', 2155, "
    "b'1', b'1111111111', 18446744073709551615, 'c', 'x,y,z', "
    "'\xC3\xA9\xF0\x9F\x98\x80 ', '\xC3\x9C\xC3\xAF\xE2\x82\xAC ', "
    "'\xF0\x9F\x98\x80 unicode \xC3\xBC', REPEAT('x', 300), '\xC3\xA9t\xC3\xA9 ', "
    "x'00010000', x'00FF00', x'00', x'000102', REPEAT(x'00ff', 40000), REPEAT('ab', 10), "
    "'tiny', 'tab\\there\\nnewline\\\\', REPEAT('\xC3\xBC', 70000), "
    "'{\"a\": [1, 2.5, \"x\"], \"b\": null}')",
    // NULL in every nullable column.
    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL)",
    // Zeros, zero dates, tiny fractions, empty strings (vs NULL above).
    "(4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.1, "
    "'-0.000000000000000000000000000001', 0, 0, 0, '0000-00-00', '00:00:00', '-00:00:00.5', "
    "'00:00:00.000', '-00:00:00.000001', '0000-00-00 00:00:00', '2024-02-29 12:00:00.5', "
    "'0000-00-00 00:00:00', '0000-00-00 00:00:00', '1970-01-01 00:00:00.5', 0, b'1', b'1', "
    "b'1', 'b', 'y', 'a', 'b', ' ', ' ', 'x ', '', '', '', '', '', '', '', ' ', '', "
    "'{\"k\": \"v\"}')",
    // Ordinary values with many digits.
    "(5, -1, 1, -300, 300, -70000, 70000, -100000, 100000, -5000000000, 9223372036854775808, "
    "-1.5, 3.141592653589793, '-12345678901234567890.123456789012345678901234567890', -0.01, "
    "-123456789012345678, -0.5, '2024-02-29', '-01:02:03', '-01:02:03.4', '-01:02:03.456', "
    "'-01:02:03.456789', '2024-02-29 13:45:07', '2024-02-29 13:45:07.12', "
    "'2024-02-29 13:45:07.123456', '2024-02-29 13:45:07', '2024-02-29 13:45:07.123456', 2024, "
    "b'1', b'1010101010', b'1000000000000000000000000000000000000000000000000000000000000001', "
    "'b', 'x,z', 'abc', 'abc', 'abc', 'abc', 'abc', x'DEADBEEF', x'00', x'01', x'02', x'03', "
    "x'04', 'a', 'b', 'c', '{\"n\": -1.25e-10}')",
};

TEST(BinlogLiveTest, EveryTypeMatchesTheBatchReader) {
  TestDatabase db;
  db.Exec("SET SESSION time_zone = '+00:00'");
  db.Exec("SET SESSION sql_mode = ''");  // zero dates
  db.Exec(kCreate);
  const std::string table = db.name() + ".types";
  BinlogWindow window(db);
  for (const std::string& values : kInserts) db.Exec("INSERT INTO types VALUES " + values);
  const Snapshot inserted = ReadWithBatchReader(db, "types");
  ASSERT_EQ(inserted.rows.size(), kInserts.size());
  // One statement updating several rows, NULL <-> value, and a no-op column.
  db.Exec(
      "UPDATE types SET vc = CONCAT('changed ', id), bu = 18446744073709551615 - id, "
      "d65 = -d65, tm = '-00:00:01.5', ti = NULL WHERE id IN (1, 2, 3)");
  db.Exec("UPDATE types SET vc = NULL, j = '{\"z\": true}' WHERE id = 4");
  const Snapshot updated = ReadWithBatchReader(db, "types");
  db.Exec("DELETE FROM types WHERE id IN (4, 5)");
  const Snapshot deleted = ReadWithBatchReader(db, "types");
  ASSERT_EQ(deleted.rows.size(), 3u);
  const std::vector<fs::path> files = window.Close();
  ASSERT_FALSE(files.empty());

  const std::vector<std::string> rows = DecodeRows(files, table, inserted.schema);
  // Replays the images, checking each against the batch reader's view of that row.
  RowsById state;
  int inserts = 0, updates = 0, deletes = 0;
  std::string before;
  for (const std::string& line : rows) {
    const char kind = line[0];
    const std::string row = line.substr(2);
    const std::string id = IdOf(row);
    if (kind == 'I') {
      ++inserts;
      EXPECT_EQ(row, inserted.rows.at(id)) << "insert of id " << id;
      state[id] = row;
    } else if (kind == 'B') {
      ++updates;
      EXPECT_EQ(row, state[id]) << "before image of id " << id;
      before = id;
    } else if (kind == 'A') {
      EXPECT_EQ(id, before);
      EXPECT_EQ(row, updated.rows.at(id)) << "after image of id " << id;
      state[id] = row;
    } else if (kind == 'D') {
      ++deletes;
      EXPECT_EQ(row, state[id]) << "delete of id " << id;
      state.erase(id);
    }
  }
  EXPECT_EQ(inserts, 5);
  EXPECT_EQ(updates, 4);
  EXPECT_EQ(deletes, 2);
  EXPECT_EQ(state, deleted.rows);
}

TEST(BinlogLiveTest, GeometryAsItsStoredBytes) {
  TestDatabase db;
  db.Exec("CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY)");
  BinlogWindow window(db);
  db.Exec(
      "INSERT INTO geo VALUES (1, ST_GeomFromText('POINT(1 2)')), (2, NULL), "
      "(3, ST_GeomFromText('LINESTRING(0 0, 1 1, 2 5)'))");
  const std::vector<std::string> expected = db.Rows("SELECT id, HEX(g) FROM geo ORDER BY id");
  const std::vector<fs::path> files = window.Close();
  testing::DecodeFileOptions options;
  std::vector<std::string> got;
  for (const fs::path& f : files) {
    Result<testing::FileSummary> s = testing::DecodeFile(f.string(), options);
    ASSERT_TRUE(s.has_value()) << s.error().message();
    for (const std::string& line : s->rows[db.name() + ".geo"]) {
      // "I|1|<bytes>": hex the bytes to compare with the server's HEX(g).
      const size_t bar = line.find('|', 2);
      const std::string value = line.substr(bar + 1);
      std::string hex;
      for (unsigned char ch : value) hex += fmt::format("{:02X}", ch);
      got.push_back(line.substr(2, bar - 2) + "|" + (value == "NULL" ? "NULL" : hex));
    }
  }
  EXPECT_EQ(got, expected);
}

// "0-1-408,1-2-7" -> "0-1,1-2" and the sequence number of the last GTID of the list.
std::string Domains(const std::string& gtids) {
  std::string out;
  size_t at = 0;
  while (at < gtids.size()) {
    size_t end = gtids.find(',', at);
    if (end == std::string::npos) end = gtids.size();
    const std::string one = gtids.substr(at, end - at);
    out += (out.empty() ? "" : ",") + one.substr(0, one.rfind('-'));
    at = end + 1;
  }
  return out;
}
int64_t LastSeq(const std::string& gtids) {
  const size_t dash = gtids.rfind('-');
  return dash == std::string::npos ? -1 : std::atoll(gtids.c_str() + dash + 1);
}

// The events around the rows: GTID_LIST at the start of the file, a GTID per event group
// (standalone for DDL), the DDL with its schema, ANNOTATE_ROWS with the statement, XID,
// and the ROTATE to the next file, checked against what the server says.
TEST(BinlogLiveTest, ControlEvents) {
  TestDatabase db;
  BinlogWindow window(db);
  const std::string state_before = db.Value("SELECT @@gtid_binlog_state");
  db.Exec("CREATE TABLE c (id INT PRIMARY KEY)");
  db.Exec("INSERT INTO c VALUES (1), (2)");
  // This session's own last GTID: other tests write to the same server at the same time, so
  // the server-wide position may already be someone else's.
  const std::string gtid_after = db.Value("SELECT @@last_gtid");
  const std::vector<fs::path> files = window.Close();
  ASSERT_FALSE(files.empty());
  Result<testing::FileSummary> s = testing::Decode(files.front());
  ASSERT_TRUE(s.has_value()) << s.error().message();
  // The list at the file's start is the server's state when the window opened: at most the
  // state read just after (other tests may have committed in between), same domains.
  EXPECT_EQ(Domains(s->gtid_list), Domains(state_before));
  EXPECT_LE(LastSeq(s->gtid_list), LastSeq(state_before)) << s->gtid_list << " vs " << state_before;
  ASSERT_FALSE(s->gtids.empty());
  EXPECT_NE(std::find(s->gtids.begin(), s->gtids.end(), gtid_after), s->gtids.end())
      << "the INSERT's GTID " << gtid_after << " is not among the file's GTIDs";
  std::vector<std::string> ours;
  for (size_t i = 0; i < s->queries.size(); ++i) {
    if (s->schemas[i] == db.name()) ours.push_back(s->queries[i]);
  }
  // MariaDB writes no BEGIN: a GTID event without the standalone flag starts a transaction.
  EXPECT_EQ(ours, (std::vector<std::string>{"CREATE TABLE c (id INT PRIMARY KEY)"}));
  EXPECT_NE(
      std::find(s->annotations.begin(), s->annotations.end(), "INSERT INTO c VALUES (1), (2)"),
      s->annotations.end());
  EXPECT_FALSE(s->xids.empty());
  const std::vector<std::string> logs = db.Rows("SHOW BINARY LOGS");
  const std::string next = fs::path(files.front()).filename().string();
  std::string expected_next;
  for (size_t i = 0; i + 1 < logs.size(); ++i) {
    if (IdOf(logs[i]) == next) expected_next = IdOf(logs[i + 1]);
  }
  EXPECT_EQ(s->rotate_to, expected_next + ":4");
}

// The same rows with the server's binlog_checksum=NONE: the FORMAT_DESCRIPTION says so and
// no event carries a checksum.
TEST(BinlogLiveTest, WithoutChecksums) {
  TestDatabase db;
  db.Exec("SET SESSION time_zone = '+00:00'");
  db.Exec("SET SESSION sql_mode = ''");
  db.Exec(kCreate);
  BinlogWindow window(db, "NONE");
  for (const std::string& values : kInserts) db.Exec("INSERT INTO types VALUES " + values);
  const Snapshot inserted = ReadWithBatchReader(db, "types");
  const std::vector<fs::path> files = window.Close();
  ASSERT_FALSE(files.empty());
  Result<testing::FileSummary> first = testing::Decode(files.front());
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(first->checksum, ChecksumAlg::kOff);
  const std::vector<std::string> rows = DecodeRows(files, db.name() + ".types", inserted.schema);
  ASSERT_EQ(rows.size(), kInserts.size());
  for (const std::string& line : rows) {
    EXPECT_EQ(line.substr(2), inserted.rows.at(IdOf(line.substr(2))));
  }
}

// binlog_row_image=MINIMAL: before images hold the key, after images the changed columns.
// A before image's other columns are NULL (its row is found by key); an after image takes the
// key from the before image and leaves the rest unchanged ("-": the target keeps its value).
TEST(BinlogLiveTest, MinimalRowImages) {
  TestDatabase db;
  db.Exec("CREATE TABLE m (id INT PRIMARY KEY, a VARCHAR(10), b INT)");
  db.Exec("SET SESSION binlog_row_image = MINIMAL");
  BinlogWindow window(db);
  db.Exec("INSERT INTO m VALUES (1, 'x', 10), (2, 'y', 20)");
  db.Exec("UPDATE m SET b = 11 WHERE id = 1");
  db.Exec("DELETE FROM m WHERE id = 2");
  const std::vector<fs::path> files = window.Close();
  const Snapshot snapshot = ReadWithBatchReader(db, "m");
  const std::vector<std::string> rows = DecodeRows(files, db.name() + ".m", snapshot.schema);
  EXPECT_EQ(rows, (std::vector<std::string>{"I|1|x|10", "I|2|y|20", "B|1|NULL|NULL", "A|1|-|11",
                                            "D|2|NULL|NULL"}));
}

// A binlog of every type (without the large values), truncated at every byte and with every
// byte flipped: always an error with the offset, or a checksum error; never a crash.
TEST(BinlogLiveTest, DamagedBinlogIsAlwaysAnError) {
  TestDatabase db;
  db.Exec("SET SESSION time_zone = '+00:00'");
  db.Exec("SET SESSION sql_mode = ''");
  db.Exec(kCreate);
  BinlogWindow window(db);
  for (size_t i = 0; i < kInserts.size(); ++i) {
    if (i != 1) db.Exec("INSERT INTO types VALUES " + kInserts[i]);
  }
  db.Exec("UPDATE types SET vc = 'x', d65 = -d65 WHERE id IN (1, 5)");
  db.Exec("DELETE FROM types WHERE id = 4");
  const std::vector<fs::path> files = window.Close();
  ASSERT_FALSE(files.empty());
  const fs::path copy = testing::WriteTemp("live", testing::ReadAll(files.front()));
  Result<testing::FileSummary> whole = testing::Decode(copy);
  ASSERT_TRUE(whole.has_value()) << whole.error().message();
  EXPECT_EQ(whole->checksum, ChecksumAlg::kCrc32);
  EXPECT_GE(whole->row_count, 7);
  testing::CheckEveryTruncation(copy);
  testing::CheckEveryFlip(copy, true);
  fs::remove(copy);
}

}  // namespace
}  // namespace sluice::mysql::binlog
