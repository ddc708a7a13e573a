// The MariaDB source table of the matrix. Base rows: 1 maxima, 2 minima, 3 zeros and empty
// values, 4 NULL everywhere, 5 and 6 values with something to get wrong (denormals, 4-byte
// UTF-8, escapes, byte order). Rows 10.. are special rows (matrices.h).
//
// Renderings (readers.h): MariaDB's own text for the source and kBack (DATETIME(6) and TIME(6)
// with six digits, TIMESTAMP in UTC), PostgreSQL's for kOther, sluice's canonical text for
// kCsv, and for kSqlite the text sluice stores (timestamptz as "+00:00").
#include "matrices.h"

namespace sluice::matrix {
namespace {

constexpr std::nullopt_t N = std::nullopt;

Value Quoted(const std::string& literal, const std::string& want) {
  return V("'" + literal + "'", want);
}

std::vector<MatrixColumn> IntegerColumns() {
  return {
      {"ti", "TINYINT", {V("127"), V("-128"), V("0"), Null(), V("-1"), V("1")}},
      {"tu", "TINYINT UNSIGNED", {V("255"), V("0"), V("0"), Null(), V("128"), V("1")}},
      {"si", "SMALLINT", {V("32767"), V("-32768"), V("0"), Null(), V("-1"), V("256")}},
      {"su", "SMALLINT UNSIGNED", {V("65535"), V("0"), V("0"), Null(), V("32768"), V("1")}},
      {"mi", "MEDIUMINT", {V("8388607"), V("-8388608"), V("0"), Null(), V("-1"), V("65536")}},
      {"mu", "MEDIUMINT UNSIGNED", {V("16777215"), V("0"), V("0"), Null(), V("8388608"), V("1")}},
      {"i", "INT", {V("2147483647"), V("-2147483648"), V("0"), Null(), V("-1"), V("16777216")}},
      {"iu", "INT UNSIGNED", {V("4294967295"), V("0"), V("0"), Null(), V("2147483648"), V("1")}},
      {"bi",
       "BIGINT",
       {V("9223372036854775807"), V("-9223372036854775808"), V("0"), Null(), V("-1"),
        V("4294967296")}},
      {"bu",
       "BIGINT UNSIGNED",
       {V("18446744073709551615"), V("0"), V("0"), Null(), V("9223372036854775808"), V("1")}},
  };
}

std::vector<MatrixColumn> NumberColumns() {
  const std::string max65 = Repeat("9", 35) + "." + Repeat("9", 30);
  return {
      {"d65",
       "DECIMAL(65,30)",
       {Quoted(max65, max65), Quoted("-" + max65, "-" + max65), V("0", "0." + Repeat("0", 30)),
        Null(), Quoted("0." + Repeat("0", 29) + "1", "0." + Repeat("0", 29) + "1"),
        Quoted("-1.5", "-1.5" + Repeat("0", 29))}},
      {"d52",
       "DECIMAL(5,2)",
       {V("999.99"), V("-999.99"), V("0", "0.00"), Null(), V("-0.01"), V("1.5", "1.50")}},
      // Floats are rendered from their bits (readers.h); MariaDB has no -0.0 (stored as 0).
      {"f",
       "FLOAT",
       {V("3.4028234663852886e38", "3.4028235e+38"), V("-3.4028234663852886e38", "-3.4028235e+38"),
        V("0"), Null(), V("1.401298464324817e-45", "1e-45"),
        V("-1.1754943508222875e-38", "-1.1754944e-38")}},
      {"d",
       "DOUBLE",
       {V("1.7976931348623157e308", "1.7976931348623157e+308"),
        V("-1.7976931348623157e308", "-1.7976931348623157e+308"), V("0"), Null(),
        V("4.9406564584124654e-324", "5e-324"),
        V("2.2250738585072009e-308", "2.225073858507201e-308")}},
      {"b1",
       "BIT(1)",
       {V("b'1'", "1"), V("b'0'", "0"), V("b'0'", "0"), Null(), V("b'1'", "1"), V("b'0'", "0")}},
      {"b64",
       "BIT(64)",
       {V("b'" + Repeat("1", 64) + "'", "18446744073709551615"), V("b'0'", "0"), V("b'0'", "0"),
        Null(), V("b'1" + Repeat("0", 63) + "'", "9223372036854775808"), V("b'101'", "5")}},
      // BOOLEAN is TINYINT(1): int8 unless tinyint1_as_bool (so 2 is a value like any other).
      {"bo", "BOOLEAN", {V("TRUE", "1"), V("FALSE", "0"), V("0"), Null(), V("1"), V("2")}},
  };
}

std::vector<MatrixColumn> TemporalColumns() {
  const uint32_t canonical = kOther | kCsv | kSqlite;
  return {
      {"dt",
       "DATE",
       {Quoted("9999-12-31", "9999-12-31"), Quoted("1000-01-01", "1000-01-01"),
        Quoted("1970-01-01", "1970-01-01"), Null(), Quoted("2024-02-29", "2024-02-29"),
        Quoted("1969-12-31", "1969-12-31")}},
      // DATETIME is wall-clock time: unchanged everywhere. Read with time_zone Asia/Shanghai
      // (kInstant) it is an instant: 8 hours earlier in UTC, and before 1901 Shanghai's local
      // mean time (+08:05:43) applies.
      {"dtm",
       "DATETIME(6)",
       {Quoted("9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999999"),
        Quoted("1000-01-01 00:00:00", "1000-01-01 00:00:00.000000"),
        Quoted("1970-01-01 00:00:00", "1970-01-01 00:00:00.000000"), Null(),
        Quoted("2024-02-29 12:34:56.5", "2024-02-29 12:34:56.500000"),
        Quoted("1969-12-31 23:59:59.999999", "1969-12-31 23:59:59.999999")},
       {{canonical,
         {"9999-12-31 23:59:59.999999", "1000-01-01 00:00:00", "1970-01-01 00:00:00", N,
          "2024-02-29 12:34:56.5", "1969-12-31 23:59:59.999999"}},
        {kInstant,
         {"9999-12-31 15:59:59.999999+00", "0999-12-31 15:54:17+00", "1969-12-31 16:00:00+00", N,
          "2024-02-29 04:34:56.5+00", "1969-12-31 15:59:59.999999+00"}}}},
      // TIMESTAMP is an instant; the literals are +08:00 times (the inserting session's zone).
      {"ts",
       "TIMESTAMP(6) NULL",
       {Quoted("2038-01-19 11:14:07.999999", "2038-01-19 03:14:07.999999"),
        Quoted("1970-01-01 08:00:01", "1970-01-01 00:00:01.000000"),
        Quoted("2000-01-01 08:00:00", "2000-01-01 00:00:00.000000"), Null(),
        Quoted("2024-03-01 07:59:59.5", "2024-02-29 23:59:59.500000"),
        Quoted("2024-06-30 12:00:00.000001", "2024-06-30 04:00:00.000001")},
       {{kOther,
         {"2038-01-19 03:14:07.999999+00", "1970-01-01 00:00:01+00", "2000-01-01 00:00:00+00", N,
          "2024-02-29 23:59:59.5+00", "2024-06-30 04:00:00.000001+00"}},
        {kCsv,
         {"2038-01-19T03:14:07.999999Z", "1970-01-01T00:00:01Z", "2000-01-01T00:00:00Z", N,
          "2024-02-29T23:59:59.5Z", "2024-06-30T04:00:00.000001Z"}},
        {kSqlite,
         {"2038-01-19 03:14:07.999999+00:00", "1970-01-01 00:00:01+00:00",
          "2000-01-01 00:00:00+00:00", N, "2024-02-29 23:59:59.5+00:00",
          "2024-06-30 04:00:00.000001+00:00"}}}},
      // TIME within 0..24h here; negative and longer ones are special rows.
      {"tm",
       "TIME(6)",
       {Quoted("23:59:59.999999", "23:59:59.999999"), Quoted("00:00:00", "00:00:00.000000"),
        Quoted("00:00:00", "00:00:00.000000"), Null(), Quoted("00:00:00.000001", "00:00:00.000001"),
        Quoted("24:00:00", "24:00:00.000000")},
       {{kCsv | kSqlite,
         {"23:59:59.999999", "00:00:00", "00:00:00", N, "00:00:00.000001", "24:00:00"}},
        // A created PostgreSQL column is interval (PostgreSQL's time ends at 24:00:00); it is
        // read back as its ISO 8601 text.
        {kOther | kBack, {"PT23H59M59.999999S", "PT0S", "PT0S", N, "PT0.000001S", "PT24H"}}}},
      // YEAR is read as int16: 0000 becomes 0.
      {"y",
       "YEAR",
       {V("2155"), V("1901"), V("0", "0000"), Null(), V("2024"), V("1970")},
       {{kOther | kBack | kCsv | kSqlite, {"2155", "1901", "0", N, "2024", "1970"}}}},
  };
}

std::vector<MatrixColumn> TextColumns() {
  const std::string smile = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
  const std::string clef = "\xF0\x9D\x84\x9E";   // U+1D11E
  const std::string u_uml = "\xC3\xBC";
  return {
      // CHAR drops trailing spaces when read (MariaDB's PAD_CHAR_TO_FULL_LENGTH is off).
      {"c",
       "CHAR(5)",
       {MyStr("abcde"), MyStr("a"), MyStr(""), Null(), MyStr(smile + u_uml), V("' x  '", " x")}},
      {"vc",
       "VARCHAR(50)",
       {MyStr(Repeat(smile, 50)), MyStr("a"), MyStr(""), Null(),
        MyStr("tab\there\nnl\\ \\N \"q\", 'a'"), MyStr("NULL")}},
      {"tx",
       "TEXT",
       {MyStr(Repeat(smile, 16383) + "abc"), MyStr("a"), MyStr(""), Null(),
        MyStr("line1\r\nline2\rend\n" + clef), MyStr(" lead and trail ")}},
      {"bn",
       "BINARY(4)",
       {V("X'FFFFFFFF'", "ffffffff"), V("X'00'", "00000000"), V("X''", "00000000"), Null(),
        V("X'00FF0000'", "00ff0000"), V("X'5C4E0A00'", "5c4e0a00")}},
      {"vb",
       "VARBINARY(10)",
       {V("X'FFFFFFFFFFFFFFFFFFFF'", "ffffffffffffffffffff"), V("X'00'", "00"), V("X''", ""),
        Null(), V("X'000A0D5C09'", "000a0d5c09"), V("X'5C4E'", "5c4e")}},
      {"bl",
       "BLOB",
       {V("REPEAT(X'" + AllBytesHex() + "', 255)", Repeat(AllBytesHex(), 255)), V("X'00'", "00"),
        V("X''", ""), Null(), V("X'FF'", "ff"), V("X'0D0A'", "0d0a")}},
      {"e",
       "ENUM('', 'a', 'b', '" + smile + u_uml + "')",
       {MyStr(smile + u_uml), MyStr("a"), MyStr(""), Null(), MyStr("b"), MyStr("a")}},
      {"st",
       "SET('x', 'y', 'z')",
       {MyStr("x,y,z"), MyStr("x"), MyStr(""), Null(), MyStr("y"), MyStr("x,z")}},
      // MariaDB's JSON is LONGTEXT with a json_valid check: the text as written. PostgreSQL
      // stores it as jsonb, which normalises it (and keeps the last of duplicate keys).
      {"j",
       "JSON",
       {MyStr("{\"b\": 1,  \"a\": [1, 2.50, null, true, \"" + smile + "\"]}"), MyStr("[]"),
        MyStr("\"\""), Null(), MyStr("null"), MyStr("{\"k\":\"v\",\"k\":\"w\"}")},
       {{kOther | kBack,
         {"{\"a\": [1, 2.50, null, true, \"" + smile + "\"], \"b\": 1}", "[]", "\"\"", N, "null",
          "{\"k\": \"w\"}"}}}},
      {"u",
       "UUID",
       {MyStr("ffffffff-ffff-ffff-ffff-ffffffffffff"),
        MyStr("00000000-0000-0000-0000-000000000000"),
        MyStr("00000000-0000-0000-0000-000000000001"), Null(),
        MyStr("6155be21-e8bd-11f1-b5fc-02fc00000001"),
        Quoted("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")}},
      {"ip4",
       "INET4",
       {MyStr("255.255.255.255"), MyStr("0.0.0.0"), MyStr("0.0.0.0"), Null(), MyStr("127.0.0.1"),
        MyStr("10.0.0.1")}},
      {"ip6",
       "INET6",
       {MyStr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), MyStr("::"), MyStr("::"), Null(),
        MyStr("::ffff:1.2.3.4"), MyStr("2001:db8::1")}},
  };
}

// A TIME PostgreSQL's time cannot hold: carried everywhere, into PostgreSQL as an interval.
SpecialRow LongTime(int64_t id, const std::string& literal, const std::string& mysql_text,
                    const std::string& iso) {
  return SpecialRow{id,
                    "tm",
                    Quoted(literal, mysql_text),
                    {{kCsv | kSqlite, {literal}}, {kOther | kBack, {iso}}}};
}

// A zero date: rejected when read (zero_date: error), on every leg that reads the column.
SpecialRow ZeroDate(int64_t id, const std::string& column, const std::string& literal,
                    const std::string& reason) {
  SpecialRow row{id, column, Quoted(literal, literal)};
  row.rejected_by = {{kOther, reason}, {kCsv, reason}, {kSqlite, reason}};
  if (column == "dtm") row.rejected_by[kInstant] = reason;
  row.absent_on = kBack;
  return row;
}

}  // namespace

Matrix MysqlMatrix() {
  Matrix m;
  m.table = "matrix_src";
  m.setup = {"SET time_zone = '+08:00'"};
  m.base_rows = {1, 2, 3, 4, 5, 6};
  for (auto part : {IntegerColumns(), NumberColumns(), TemporalColumns(), TextColumns()}) {
    for (MatrixColumn& column : part) m.columns.push_back(std::move(column));
  }
  const std::string zero =
      "is not a calendar date (zero_date: error; set zero_date: null to read such values as NULL)";
  m.specials = {
      LongTime(10, "-838:59:59", "-838:59:59.000000", "PT-838H-59M-59S"),
      LongTime(11, "838:59:59.999999", "838:59:59.999999", "PT838H59M59.999999S"),
      LongTime(12, "-00:00:00.000001", "-00:00:00.000001", "PT-0.000001S"),
      ZeroDate(13, "dt", "0000-00-00", "source: {db}.matrix_src.dt: '0000-00-00' " + zero),
      ZeroDate(14, "dtm", "0000-00-00 00:00:00",
               "source: {db}.matrix_src.dtm: '0000-00-00 00:00:00.000000' " + zero),
  };
  // MariaDB prints a zero DATETIME(6) with its six digits.
  m.specials.back().value.want = "0000-00-00 00:00:00.000000";
  return m;
}

}  // namespace sluice::matrix
