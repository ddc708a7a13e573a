// The PostgreSQL source table of the matrix. Base rows as in mysql_matrix.cc: 1 maxima,
// 2 minima, 3 zeros and empty values, 4 NULL, 5 and 6 values with something to get wrong.
//
// Renderings (readers.h): PostgreSQL's own text (TimeZone UTC, IntervalStyle iso_8601) for the
// source, kBack and kSqliteBack; MariaDB's for kOther (DATETIME(6) and TIME(6) with six
// digits); sluice's canonical text for kCsv and kSqlite (timestamptz as "+00:00" in SQLite).
#include "matrices.h"

namespace sluice::matrix {
namespace {

constexpr std::nullopt_t N = std::nullopt;
const std::string kSmile = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes in UTF-8
const std::string kClef = "\xF0\x9D\x84\x9E";   // U+1D11E
const std::string kUUml = "\xC3\xBC";

Value Quoted(const std::string& literal, const std::string& want) {
  return V("'" + literal + "'", want);
}
Value Same(const std::string& literal) {
  return Quoted(literal, literal);
}

std::vector<MatrixColumn> NumberColumns() {
  const std::string max65 = Repeat("9", 35) + "." + Repeat("9", 30);
  const std::string max80 = Repeat("9", 75) + "." + Repeat("9", 5);
  const std::string long80 = Repeat("1234567890", 7) + "12345.5";
  const std::string huge = Repeat("9", 1000) + "." + Repeat("1", 100);
  // MariaDB stores -0.0 as 0 (documented); everything else is bit-exact.
  const uint32_t mariadb = kOther | kBack;
  return {
      {"bo",
       "boolean",
       {V("true", "t"), V("false", "f"), V("false", "f"), Null(), V("true", "t"), V("false", "f")},
       {{kOther | kSqlite, {"1", "0", "0", N, "1", "0"}},
        {kCsv, {"true", "false", "false", N, "true", "false"}}}},
      {"i2", "smallint", {V("32767"), V("-32768"), V("0"), Null(), V("-1"), V("256")}},
      {"i4", "integer", {V("2147483647"), V("-2147483648"), V("0"), Null(), V("-1"), V("65536")}},
      {"i8",
       "bigint",
       {V("9223372036854775807"), V("-9223372036854775808"), V("0"), Null(), V("-1"),
        V("4294967296")}},
      {"o",
       "oid",
       {Same("4294967295"), Same("0"), Same("0"), Null(), Same("1"), Same("2147483648")}},
      {"f4",
       "real",
       {Quoted("3.4028235e38", "3.4028235e+38"), Quoted("-3.4028235e38", "-3.4028235e+38"), V("0"),
        Null(), Quoted("-0", "-0"), Quoted("1e-45", "1e-45")},
       {{mariadb, {"3.4028235e+38", "-3.4028235e+38", "0", N, "0", "1e-45"}}}},
      {"f8",
       "double precision",
       {Quoted("1.7976931348623157e308", "1.7976931348623157e+308"),
        Quoted("-1.7976931348623157e308", "-1.7976931348623157e+308"), V("0"), Null(),
        Quoted("-0", "-0"), Quoted("4.9406564584124654e-324", "5e-324")},
       {{mariadb, {"1.7976931348623157e+308", "-1.7976931348623157e+308", "0", N, "0", "5e-324"}}}},
      {"n",
       "numeric(65,30)",
       {Same(max65), Same("-" + max65), V("0", "0." + Repeat("0", 30)), Null(),
        Same("0." + Repeat("0", 29) + "1"), Quoted("-1.5", "-1.5" + Repeat("0", 29))}},
      // Wider than MariaDB's DECIMAL: LONGTEXT there, text on the way back (same digits).
      {"nb",
       "numeric(80,5)",
       {Same(max80), Same("-" + max80), V("0", "0.00000"), Null(), Quoted(long80, long80 + "0000"),
        V("1", "1.00000")}},
      {"nu",
       "numeric",
       {Same(huge), Same("-1" + Repeat("0", 500)), V("0"), Null(),
        Same("0." + Repeat("0", 41) + "1"), Same("123.4500")}},
  };
}

std::vector<MatrixColumn> TextColumns() {
  return {
      // char(n) keeps its padding (PostgreSQL's output, not ::text, which trims it).
      {"ch",
       "char(5)",
       {PgStr("abcde"), Quoted("a", "a    "), Quoted("", "     "), Null(),
        Quoted(kSmile + kUUml, kSmile + kUUml + "   "), Quoted(" x", " x   ")}},
      {"vc",
       "varchar(50)",
       {PgStr(Repeat(kSmile, 50)), PgStr("a"), PgStr(""), Null(),
        PgStr("tab\there\nnl\\ \\N \"q\", 'a'"), PgStr("NULL")}},
      {"tx",
       "text",
       {PgStr(Repeat(kSmile, 20000) + "abc"), PgStr("a"), PgStr(""), Null(),
        PgStr("line1\r\nline2\rend\n" + kClef), PgStr(" lead and trail ")}},
      {"by",
       "bytea",
       {V("decode(repeat('" + AllBytesHex() + "', 300), 'hex')", Repeat(AllBytesHex(), 300)),
        Quoted("\\x00", "00"), V("''::bytea", ""), Null(), Quoted("\\x5c4e", "5c4e"),
        Quoted("\\x0a0d09", "0a0d09")}},
      {"mood",
       "mood",
       {PgStr("happy " + kSmile), PgStr("sad"), PgStr(""), Null(), PgStr("sad"), PgStr("")}},
      {"u",
       "uuid",
       {PgStr("ffffffff-ffff-ffff-ffff-ffffffffffff"),
        PgStr("00000000-0000-0000-0000-000000000000"),
        PgStr("00000000-0000-0000-0000-000000000001"), Null(),
        PgStr("6155be21-e8bd-11f1-b5fc-02fc00000001"),
        Quoted("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")}},
      {"ip",
       "inet",
       {Same("255.255.255.255"), Same("::"), Same("0.0.0.0/0"), Null(), Same("192.168.0.1/24"),
        Quoted("2001:db8::1/128", "2001:db8::1")}},
      {"bt",
       "bit(8)",
       {V("B'11111111'", "11111111"), V("B'00000000'", "00000000"), V("B'00000000'", "00000000"),
        Null(), V("B'10000000'", "10000000"), V("B'00000101'", "00000101")}},
      {"vbt",
       "varbit(16)",
       {V("B'1111111111111111'", Repeat("1", 16)), V("B'0'", "0"), V("B''", ""), Null(),
        V("B'1'", "1"), V("B'101'", "101")}},
  };
}

std::vector<MatrixColumn> TemporalColumns() {
  return {
      {"d",
       "date",
       {Same("9999-12-31"), Same("0001-01-01"), Same("1970-01-01"), Null(), Same("2024-02-29"),
        Same("1969-12-31")}},
      {"tm",
       "time",
       {Same("24:00:00"), Same("00:00:00"), Same("00:00:00"), Null(), Same("23:59:59.999999"),
        Same("12:34:56.5")},
       {{kOther,
         {"24:00:00.000000", "00:00:00.000000", "00:00:00.000000", N, "23:59:59.999999",
          "12:34:56.500000"}},
        // Through MariaDB TIME or SQLite, sluice's time (which holds MySQL's TIME range) comes
        // back into a created column as interval.
        {kBack | kSqliteBack,
         {"PT24H", "PT0S", "PT0S", N, "PT23H59M59.999999S", "PT12H34M56.5S"}}}},
      // Wall-clock time goes into DATETIME unchanged; read back with time_zone Asia/Shanghai
      // it is an instant in Shanghai (local mean time +08:05:43 before 1901).
      {"ts",
       "timestamp",
       {Same("9999-12-31 23:59:59.999999"), Same("1000-01-01 00:00:00"),
        Same("1970-01-01 00:00:00"), Null(), Same("2024-02-29 12:34:56.5"),
        Same("1969-12-31 23:59:59.999999")},
       {{kOther,
         {"9999-12-31 23:59:59.999999", "1000-01-01 00:00:00.000000", "1970-01-01 00:00:00.000000",
          N, "2024-02-29 12:34:56.500000", "1969-12-31 23:59:59.999999"}},
        {kBack,
         {"9999-12-31 15:59:59.999999+00", "0999-12-31 15:54:17+00", "1969-12-31 16:00:00+00", N,
          "2024-02-29 04:34:56.5+00", "1969-12-31 15:59:59.999999+00"}}}},
      // Instants become Shanghai wall-clock time in DATETIME and come back as the same instants.
      {"tstz",
       "timestamptz",
       {Same("9999-12-31 15:59:59.999999+00"), Same("1000-01-01 00:00:00+00"),
        Same("1970-01-01 00:00:00+00"), Null(),
        Quoted("2024-02-29 23:59:59.5+08", "2024-02-29 15:59:59.5+00"),
        Same("1969-12-31 23:59:59.999999+00")},
       {{kOther,
         {"9999-12-31 23:59:59.999999", "1000-01-01 08:05:43.000000", "1970-01-01 08:00:00.000000",
          N, "2024-02-29 23:59:59.500000", "1970-01-01 07:59:59.999999"}},
        {kCsv,
         {"9999-12-31T15:59:59.999999Z", "1000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", N,
          "2024-02-29T15:59:59.5Z", "1969-12-31T23:59:59.999999Z"}},
        {kSqlite,
         {"9999-12-31 15:59:59.999999+00:00", "1000-01-01 00:00:00+00:00",
          "1970-01-01 00:00:00+00:00", N, "2024-02-29 15:59:59.5+00:00",
          "1969-12-31 23:59:59.999999+00:00"}}}},
      {"ttz",
       "timetz",
       {Same("23:59:59.999999+14"), Same("00:00:00-15:59"), Same("00:00:00+00"), Null(),
        Same("12:34:56.5+05:30"), Same("24:00:00+00")}},
      {"iv",
       "interval",
       {Quoted("178000000 years", "P178000000Y"), Quoted("-178000000 years", "P-178000000Y"),
        Quoted("0", "PT0S"), Null(),
        Quoted("1 year 2 mons 3 days 04:05:06.789", "P1Y2M3DT4H5M6.789S"),
        Quoted("-1 days 00:00:00.000001", "P-1DT0.000001S")}},
  };
}

std::vector<MatrixColumn> JsonColumns() {
  const std::string doc = "{\"b\": 1,  \"a\": [1, 2.50, null, true, \"" + kSmile + "\"]}";
  const std::string doc_b = "{\"a\": [1, 2.50, null, true, \"" + kSmile + "\"], \"b\": 1}";
  const std::string tiny = "0." + Repeat("0", 323) + "5";  // 5e-324 as jsonb's numeric
  // Into PostgreSQL again, json arrives in jsonb columns (created tables use jsonb).
  const uint32_t jsonb = kBack | kSqliteBack;
  return {
      {"js",
       "json",
       {PgStr(doc), PgStr("[]"), PgStr("\"\""), Null(), PgStr("null"),
        PgStr("{\"k\":\"v\",\"k\":\"w\"}")},
       {{jsonb, {doc_b, "[]", "\"\"", N, "null", "{\"k\": \"w\"}"}}}},
      {"jb",
       "jsonb",
       {Quoted(doc, doc_b), PgStr("[]"), PgStr("\"\""), Null(), PgStr("null"),
        Quoted("{\"k\":\"v\",\"k\":\"w\"}", "{\"k\": \"w\"}")}},
      // Arrays travel as JSON (to_json): lower bounds other than 1 are lost (documented).
      {"ai",
       "integer[]",
       {Same("{1,NULL,3}"), Same("{{1,2},{3,4}}"), Same("{}"), Null(),
        Same("{-2147483648,2147483647}"), Same("[0:1]={7,8}")},
       {{kOther | kCsv | kSqlite,
         {"[1,null,3]", "[[1,2],[3,4]]", "[]", N, "[-2147483648,2147483647]", "[7,8]"}},
        {jsonb,
         {"[1, null, 3]", "[[1, 2], [3, 4]]", "[]", N, "[-2147483648, 2147483647]", "[7, 8]"}}}},
      {"at",
       "text[]",
       {Same("{\"a,b\"," + kSmile + ",NULL,\"\"}"), Same("{}"), Same("{\"\"}"), Null(),
        Same("{\"NULL\"}"), Same("{\"quote\\\"back\\\\slash\"}")},
       {{kOther | kCsv | kSqlite,
         {"[\"a,b\",\"" + kSmile + "\",null,\"\"]", "[]", "[\"\"]", N, "[\"NULL\"]",
          "[\"quote\\\"back\\\\slash\"]"}},
        {jsonb,
         {"[\"a,b\", \"" + kSmile + "\", null, \"\"]", "[]", "[\"\"]", N, "[\"NULL\"]",
          "[\"quote\\\"back\\\\slash\"]"}}}},
      {"fa",
       "double precision[]",
       {Same("{0.1,-0,5e-324}"), Same("{-1.7976931348623157e+308}"), Same("{0}"), Null(),
        Same("{NULL}"), Same("{1.5}")},
       {{kOther | kCsv | kSqlite,
         {"[0.1,-0,5e-324]", "[-1.7976931348623157e+308]", "[0]", N, "[null]", "[1.5]"}},
        {jsonb,
         {"[0.1, 0, " + tiny + "]", "[-17976931348623157" + Repeat("0", 292) + "]", "[0]", N,
          "[null]", "[1.5]"}}}},
  };
}

// A float only PostgreSQL (and the files) can hold: MariaDB refuses it before loading.
SpecialRow SpecialFloat(int64_t id, const std::string& column, const std::string& literal,
                        const std::string& want) {
  return SpecialRow{id,
                    column,
                    Quoted(literal, want),
                    {},
                    {{kOther, "target: mysql target {db}.from_pg." + column + ": " + want +
                                  " cannot be stored in a MySQL number column"}},
                    kBack};
}

// A value no sluice type holds: rejected when read (special_values: error), NULL in the CSV
// leg (special_values: null).
SpecialRow SpecialValue(int64_t id, const std::string& column, const std::string& literal,
                        const std::string& type) {
  const std::string reason = "source: postgres source public.matrix_src." + column + ": " +
                             (type == "decimal" ? "numeric" : type) + " " + literal +
                             " cannot be carried by type " + type +
                             " (special_values: null reads it as NULL)";
  return SpecialRow{id,
                    column,
                    Quoted(literal, literal),
                    {{kCsv, {N}}},
                    {{kOther, reason}, {kSqlite, reason}},
                    kBack | kSqliteBack};
}

}  // namespace

Matrix PgMatrix() {
  Matrix m;
  m.table = "matrix_src";
  m.setup = {"CREATE TYPE mood AS ENUM ('', 'sad', 'happy " + kSmile + "')"};
  m.base_rows = {1, 2, 3, 4, 5, 6};
  for (auto part : {NumberColumns(), TextColumns(), TemporalColumns(), JsonColumns()}) {
    for (MatrixColumn& column : part) m.columns.push_back(std::move(column));
  }
  m.specials = {
      SpecialFloat(10, "f8", "NaN", "nan"),
      SpecialFloat(11, "f8", "Infinity", "inf"),
      SpecialFloat(12, "f8", "-Infinity", "-inf"),
      SpecialFloat(13, "f4", "NaN", "nan"),
      SpecialFloat(14, "f4", "-Infinity", "-inf"),
      SpecialValue(15, "nu", "NaN", "decimal"),
      SpecialValue(16, "ts", "infinity", "timestamp"),
      SpecialValue(17, "d", "-infinity", "date"),
      // An instant whose Shanghai wall-clock time is in year 10000, which DATETIME cannot
      // hold: MariaDB refuses it (the LOAD warns).
      SpecialRow{18,
                 "tstz",
                 Same("9999-12-31 23:59:59+00"),
                 {{kCsv, {"9999-12-31T23:59:59Z"}}, {kSqlite, {"9999-12-31 23:59:59+00:00"}}},
                 {{kOther, "target: mysql target {db}.from_pg: Data truncated for column 'tstz'"}},
                 kBack},
  };
  return m;
}

}  // namespace sluice::matrix
