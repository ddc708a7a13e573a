// Text values -> typed batch columns without a server: special values, BC dates, zone offsets
// with seconds, bytea hex, arrays as JSON, and unchanged TOASTed values kept apart from NULL.
#include "connectors/postgres/replication/tuple_to_batch.h"

#include <gtest/gtest.h>

#include "core/value_text.h"

namespace sluice::postgres::replication {
namespace {

CachedRelation Relation(std::vector<std::pair<std::string, uint32_t>> columns) {
  CachedRelation rel;
  rel.oid = 1;
  rel.namespace_name = "public";
  rel.name = "t";
  for (auto& [name, type] : columns) rel.columns.push_back(CachedColumn{name, false, type, -1});
  return rel;
}

TupleData Texts(std::vector<std::string_view> values) {
  TupleData t;
  for (std::string_view v : values) t.push_back(TupleValue{TupleValueKind::kText, v});
  return t;
}

std::string Cell(const Batch& b, size_t row, size_t col) {
  if (b.columns[col].IsNull(row)) return "NULL";
  std::string s;
  FormatValue(b.columns[col], row, s);
  return s;
}

struct Fixture {
  explicit Fixture(CachedRelation rel) : relation(std::move(rel)) {
    Result<TuplePlan> p = PlanTuple(relation, nullptr, false);
    if (!p) throw std::runtime_error(p.error().ToString());
    plan = std::move(*p);
    batch = Batch(plan.schema);
  }
  AppendedRow Append(const TupleData& t, SpecialValues special = SpecialValues::kError,
                     RowKind kind = RowKind::kInsert) {
    Result<AppendedRow> r = AppendTuple(t, plan, kind, special, batch);
    if (!r) throw std::runtime_error(r.error().ToString());
    return *r;
  }
  CachedRelation relation;
  TuplePlan plan;
  Batch batch;
};

TEST(TupleToBatchTest, ScalarsParseExactly) {
  Fixture f(Relation({{"i", 23},
                      {"b", 16},
                      {"n", 1700},
                      {"by", 17},
                      {"d", 1082},
                      {"ts", 1114},
                      {"tz", 1184},
                      {"u", 2950},
                      {"f", 701},
                      {"m", 790},
                      {"iv", 1186},
                      {"j", 3802}}));
  EXPECT_EQ(f.plan.schema.ToString(),
            "i int32, b bool, n decimal, by bytes, d date, ts timestamp, tz timestamptz, u uuid, "
            "f float64, m decimal, iv string, j json");
  AppendedRow r = f.Append(
      Texts({"-42", "t", "0012.3400", "\\x00ff41", "0044-03-15 BC", "2024-02-29 23:59:59.123456",
             "1900-01-01 00:00:00+08:05:43", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "-Infinity",
             "-$1,234.50", "P1Y2M", R"({"a": [1, 2]})"}));
  EXPECT_FALSE(r.bad) << r.reason;
  const std::vector<std::string> want = {"-42",
                                         "true",
                                         "12.3400",
                                         std::string("\0\xff"
                                                     "A",
                                                     3),
                                         "-0043-03-15",
                                         "2024-02-29 23:59:59.123456",
                                         "1899-12-31T15:54:17Z",
                                         "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                                         "-inf",
                                         "-1234.50",
                                         "P1Y2M",
                                         R"({"a": [1, 2]})"};
  for (size_t c = 0; c < want.size(); ++c) EXPECT_EQ(Cell(f.batch, 0, c), want[c]) << c;
  EXPECT_EQ(f.batch.kind(0), RowKind::kInsert);
}

TEST(TupleToBatchTest, SpecialValuesFollowTheBatchPath) {
  Fixture f(Relation({{"n", 1700}, {"d", 1082}, {"ts", 1184}}));
  const TupleData specials = Texts({"NaN", "-infinity", "infinity"});
  AppendedRow err = f.Append(specials, SpecialValues::kError);
  EXPECT_TRUE(err.bad);
  EXPECT_EQ(err.bad_column, 0u);
  EXPECT_EQ(err.reason, "public.t.n: numeric NaN");
  AppendedRow null = f.Append(specials, SpecialValues::kNull);
  EXPECT_FALSE(null.bad);
  EXPECT_EQ(null.substituted, 3);
  AppendedRow keep = f.Append(specials, SpecialValues::kKeep);
  EXPECT_FALSE(keep.bad);
  EXPECT_EQ(Cell(f.batch, 2, 0), "NaN");
  EXPECT_EQ(f.batch.columns[1].GetInt(2), INT32_MIN);
  EXPECT_EQ(f.batch.columns[2].GetInt(2), INT64_MAX);
  for (size_t c = 0; c < 3; ++c) EXPECT_EQ(Cell(f.batch, 1, c), "NULL");
}

TEST(TupleToBatchTest, UnchangedIsNotNull) {
  Fixture f(Relation({{"id", 23}, {"big", 25}, {"note", 25}}));
  TupleData t = Texts({"7", "", ""});
  t[1].kind = TupleValueKind::kUnchanged;
  t[2].kind = TupleValueKind::kNull;
  EXPECT_FALSE(f.Append(t, SpecialValues::kError, RowKind::kUpdateAfter).bad);
  EXPECT_FALSE(f.Append(Texts({"8", "x", "y"})).bad);
  EXPECT_EQ(f.batch.kind(0), RowKind::kUpdateAfter);
  EXPECT_EQ(f.batch.kind(1), RowKind::kInsert);
  EXPECT_TRUE(f.batch.columns[1].IsUnchanged(0));
  EXPECT_FALSE(f.batch.columns[2].IsUnchanged(0));  // NULL is a value, not "unchanged"
  EXPECT_TRUE(f.batch.columns[2].IsNull(0));
  EXPECT_FALSE(f.batch.columns[1].IsUnchanged(1));
  EXPECT_EQ(f.batch.columns[1].GetView(1), "x");
  EXPECT_TRUE(f.batch.columns[1].has_unchanged());
  EXPECT_FALSE(f.batch.columns[0].has_unchanged());
  EXPECT_TRUE(f.batch.HasUnchanged());
}

TEST(TupleToBatchTest, ArraysBecomeJsonAsToJsonDoes) {
  Fixture f(Relation({{"ia", 1007},
                      {"ta", 1009},
                      {"fa", 1022},
                      {"ba", 1000},
                      {"tza", 1185},
                      {"ja", 3807},
                      {"m", 1005}}));
  EXPECT_FALSE(f.Append(Texts({"{1,2,NULL}", R"({"a b",NULL,"NULL","q\"x\\y",""})",
                               "{NaN,-Infinity,1.5,1e+100}", "{t,f}",
                               R"({"2024-01-01 08:00:00+08","1999-12-31 23:59:59.5-01"})",
                               R"({"{\"k\": 1}",null})", "[0:1]={{1,2},{3,4}}"}))
                   .bad);
  EXPECT_EQ(Cell(f.batch, 0, 0), "[1,2,null]");
  EXPECT_EQ(Cell(f.batch, 0, 1), R"(["a b",null,"NULL","q\"x\\y",""])");
  EXPECT_EQ(Cell(f.batch, 0, 2), R"(["NaN","-Infinity",1.5,1e+100])");
  EXPECT_EQ(Cell(f.batch, 0, 3), "[true,false]");
  EXPECT_EQ(Cell(f.batch, 0, 4), R"(["2024-01-01T00:00:00+00:00","2000-01-01T00:59:59.5+00:00"])");
  EXPECT_EQ(Cell(f.batch, 0, 5), R"([{"k": 1},null])");
  EXPECT_EQ(Cell(f.batch, 0, 6), "[[1,2],[3,4]]");
  EXPECT_EQ(Cell(f.batch, 0, 6), "[[1,2],[3,4]]");
  Fixture empty(Relation({{"ia", 1007}}));
  EXPECT_FALSE(empty.Append(Texts({"{}"})).bad);
  EXPECT_EQ(Cell(empty.batch, 0, 0), "[]");
  AppendedRow bad = empty.Append(Texts({"{1,2"}));
  EXPECT_TRUE(bad.bad);
  EXPECT_NE(bad.reason.find("public.t.ia: array text at offset"), std::string::npos);
}

TEST(TupleToBatchTest, BadValuesAndMisfitTuples) {
  Fixture f(Relation({{"i", 21}, {"d", 1082}, {"by", 17}}));
  AppendedRow r = f.Append(Texts({"70000", "2024-13-01", "\\x0"}));
  EXPECT_TRUE(r.bad);
  EXPECT_EQ(r.bad_column, 0u);
  EXPECT_NE(r.reason.find("public.t.i: "), std::string::npos) << r.reason;
  for (size_t c = 0; c < 3; ++c) EXPECT_TRUE(f.batch.columns[c].IsNull(0));
  // Column count or binary values: an error, nothing appended.
  EXPECT_FALSE(AppendTuple(Texts({"1"}), f.plan, RowKind::kInsert, SpecialValues::kError, f.batch)
                   .has_value());
  TupleData binary = Texts({"1", "2024-01-01", "\\x00"});
  binary[0].kind = TupleValueKind::kBinary;
  Result<AppendedRow> b =
      AppendTuple(binary, f.plan, RowKind::kInsert, SpecialValues::kError, f.batch);
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message().find("binary"), std::string::npos);
  EXPECT_EQ(f.batch.num_rows(), 1u);
  EXPECT_EQ(f.batch.row_kinds.size(), 1u);
}

TEST(TupleToBatchTest, TableWithoutColumns) {
  Fixture f(Relation({}));
  f.Append(TupleData{});
  f.Append(TupleData{}, SpecialValues::kError, RowKind::kDelete);
  EXPECT_EQ(f.batch.num_rows(), 2u);
  EXPECT_EQ(f.batch.kind(1), RowKind::kDelete);
}

TEST(TupleToBatchTest, UnknownTypesNeedAResolver) {
  CachedRelation rel = Relation({{"p", 600}, {"mood", 70000}});
  Result<TuplePlan> none = PlanTuple(rel, nullptr, false);
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message().find("public.t.p: type oid 600"), std::string::npos);
  TypeResolver resolver = [](uint32_t type_oid, int32_t typmod) -> Result<PgType> {
    PgType t;
    t.oid = type_oid;
    t.typmod = typmod;
    t.name = type_oid == 600 ? "point" : "mood";
    t.typtype = type_oid == 600 ? 'b' : 'e';
    t.category = type_oid == 600 ? 'G' : 'E';
    return t;
  };
  Result<TuplePlan> strict = PlanTuple(rel, resolver, false);
  ASSERT_FALSE(strict.has_value());
  EXPECT_NE(strict.error().message().find("public.t.p: type 'point' is not supported"),
            std::string::npos);
  Result<TuplePlan> text = PlanTuple(rel, resolver, true);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_EQ(text->schema.ToString(), "p string, mood string");
}

}  // namespace
}  // namespace sluice::postgres::replication
