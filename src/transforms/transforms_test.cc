#include "transforms/transform.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/value_text.h"

namespace sluice {
namespace {

// Records rejections; fails with kLimitExceeded once more than `limit` rows were rejected.
class RecordingRejects : public RejectSink {
 public:
  explicit RecordingRejects(size_t limit = 1000) : limit_(limit) {}
  Status Reject(const Schema& schema, const Batch& batch, size_t row, std::string_view stage,
                std::string_view reason) override {
    std::string first;
    if (batch.num_columns() > 0) FormatValue(batch.columns[0], row, first);
    entries.push_back(fmt::format("{} | {}={} | {}", stage, schema.fields[0].name, first, reason));
    if (entries.size() > limit_) return Status(StatusCode::kLimitExceeded, "too many rejects");
    return Status::OK();
  }
  std::vector<std::string> entries;

 private:
  size_t limit_;
};

Schema OrdersSchema() {
  Schema s;
  s.fields = {{"id", DataType::Of(TypeId::kInt64), false},
              {"amount", DataType::Decimal(10, 2), true},
              {"status", DataType::Of(TypeId::kString), true}};
  return s;
}

Batch OrdersBatch() {
  Schema s = OrdersSchema();
  Batch b(s);
  const char* rows[][3] = {
      {"1", "10.50", "paid"}, {"2", "0.00", "new"}, {"3", nullptr, "paid"}, {"4", "-1.25", "12x"}};
  for (auto& r : rows) {
    for (size_t c = 0; c < 3; ++c) {
      if (r[c] == nullptr) {
        b.columns[c].AppendNull();
      } else {
        EXPECT_TRUE(ParseAndAppend(r[c], b.columns[c], TimeZone::Utc()).ok());
      }
    }
  }
  return b;
}

TransformSpec Filter(std::string e, int line = 3) {
  TransformSpec s;
  s.kind = TransformSpec::Kind::kFilter;
  s.expression = std::move(e);
  s.location = SourceLocation{"job.yaml", line, 7};
  return s;
}
TransformSpec Pairs(TransformSpec::Kind kind,
                    std::vector<std::pair<std::string, std::string>> pairs) {
  TransformSpec s;
  s.kind = kind;
  s.assignments = std::move(pairs);
  s.location = SourceLocation{"job.yaml", 5, 7};
  return s;
}
TransformSpec Columns(TransformSpec::Kind kind, std::vector<std::string> columns) {
  TransformSpec s;
  s.kind = kind;
  s.columns = std::move(columns);
  return s;
}

// Column `c` of `batch` as text, "NULL" for NULL.
std::vector<std::string> Values(const Batch& batch, size_t c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < batch.num_rows(); ++i) {
    std::string s = "NULL";
    if (!batch.columns[c].IsNull(i)) {
      s.clear();
      FormatValue(batch.columns[c], i, s);
    }
    out.push_back(s);
  }
  return out;
}

using Strings = std::vector<std::string>;

Status ApplyAll(const std::vector<std::unique_ptr<Transform>>& chain, Batch& batch,
                RejectSink& rejects) {
  for (const auto& t : chain) SLUICE_RETURN_IF_ERROR(t->Apply(batch, rejects));
  return Status::OK();
}

TEST(TransformsTest, FilterDropsFalseAndNull) {
  auto chain = BuildTransforms({Filter("amount > 0 OR status = 'new'")}, OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  Batch b = OrdersBatch();
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  EXPECT_EQ(Values(b, 0), (Strings{"1", "2"}));  // row 3: NULL OR FALSE is NULL: dropped
  EXPECT_TRUE(rejects.entries.empty());
  EXPECT_EQ((*chain)[0]->Describe(), "filter amount > 0 OR status = 'new'");
  EXPECT_EQ((*chain)[0]->output_schema(), OrdersSchema());
}

TEST(TransformsTest, FilterRejectsRowsThatFail) {
  // The CAST runs only where the left side is not TRUE (rows 2 and 4), as SQL would run it.
  auto chain =
      BuildTransforms({Filter("status = 'paid' OR CAST(status AS INT) > 0")}, OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  Batch b = OrdersBatch();
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  EXPECT_EQ(Values(b, 0), (Strings{"1", "3"}));
  EXPECT_EQ(Values(b, 2), (Strings{"paid", "paid"}));
  EXPECT_EQ(
      rejects.entries,
      (Strings{"transforms[0] (filter) | id=2 | CAST('new' AS INT): 'new' is not a valid int32",
               "transforms[0] (filter) | id=4 | CAST('12x' AS INT): '12x' is not a valid "
               "int32"}));
}

// On a change stream the target must end up as the filtered source (filter_transform.cc).
TEST(TransformsTest, FilterOnChangesRemovesRowsThatLeaveIt) {
  auto chain = BuildTransforms({Filter("status = 'paid'")}, OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value());
  Batch b(OrdersSchema());
  auto add = [&](RowKind kind, const char* id, const char* status) {
    b.row_kinds.push_back(kind);
    EXPECT_TRUE(ParseAndAppend(id, b.columns[0], TimeZone::Utc()).ok());
    b.columns[1].AppendNull();
    if (status == nullptr) {
      b.columns[2].AppendNull();
    } else {
      EXPECT_TRUE(ParseAndAppend(status, b.columns[2], TimeZone::Utc()).ok());
    }
  };
  add(RowKind::kInsert, "1", "paid");        // kept
  add(RowKind::kInsert, "2", "new");         // dropped
  add(RowKind::kUpdateAfter, "3", "new");    // no old image: becomes a delete of 3
  add(RowKind::kUpdateAfter, "4", "paid");   // kept
  add(RowKind::kUpdateBefore, "5", "paid");  // old image: kept (removes 5)
  add(RowKind::kUpdateAfter, "5", "new");    // dropped: the old image removes the row
  add(RowKind::kUpdateBefore, "6", "new");   // kept, though it fails
  add(RowKind::kUpdateAfter, "6", "paid");   // kept
  add(RowKind::kDelete, "7", nullptr);       // a key-only image: kept
  add(RowKind::kDelete, "8", "new");         // kept: removing a row the target lacks is harmless
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  EXPECT_EQ(Values(b, 0), (Strings{"1", "3", "4", "5", "6", "6", "7", "8"}));
  EXPECT_EQ(b.row_kinds,
            (std::vector<RowKind>{RowKind::kInsert, RowKind::kDelete, RowKind::kUpdateAfter,
                                  RowKind::kUpdateBefore, RowKind::kUpdateBefore,
                                  RowKind::kUpdateAfter, RowKind::kDelete, RowKind::kDelete}));
  EXPECT_TRUE(rejects.entries.empty());
}

TEST(TransformsTest, RejectLimitStopsTheChain) {
  auto chain = BuildTransforms({Filter("CAST(status AS INT) > 0")}, OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value());
  Batch b = OrdersBatch();
  RecordingRejects rejects(/*limit=*/1);
  Status st = ApplyAll(*chain, b, rejects);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(rejects.entries.size(), 2u);
}

TEST(TransformsTest, SetReplacesAndAppends) {
  auto chain =
      BuildTransforms({Pairs(TransformSpec::Kind::kSet, {{"amount", "CAST(amount * 100 AS BIGINT)"},
                                                         {"ds", "'${bizdate}'"},
                                                         {"label", "upper(status) || '#' || id"},
                                                         {"nothing", "NULL"}})},
                      OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  const Schema& out = (*chain)[0]->output_schema();
  EXPECT_EQ(out.ToString(),
            "id int64, amount int64, status string, ds string, label string, nothing string");
  Batch b = OrdersBatch();
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  ASSERT_EQ(b.num_columns(), 6u);
  EXPECT_EQ(Values(b, 1), (Strings{"1050", "0", "NULL", "-125"}));
  EXPECT_EQ(Values(b, 3), (Strings{"${bizdate}", "${bizdate}", "${bizdate}", "${bizdate}"}));
  EXPECT_EQ(Values(b, 4), (Strings{"PAID#1", "NEW#2", "PAID#3", "12X#4"}));
  EXPECT_EQ(Values(b, 5), (Strings{"NULL", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(b.columns[1].id(), TypeId::kInt64);
  EXPECT_EQ(b.columns[5].id(), TypeId::kString);
}

TEST(TransformsTest, SetSeesInputColumnsAndRejectsOncePerRow) {
  auto chain = BuildTransforms(
      {Pairs(TransformSpec::Kind::kSet, {{"id", "CAST(status AS BIGINT)"},
                                         {"status", "CAST(id AS STRING) || ':' || status"},
                                         {"check", "100 / CAST(status AS BIGINT)"}})},
      OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  Batch b = OrdersBatch();
  b.columns[2] = Column(DataType::Of(TypeId::kString));
  for (const char* s : {"7", "0", "x", "9"}) b.columns[2].AppendBytes(s);
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  EXPECT_EQ(Values(b, 0), (Strings{"7", "9"}));
  EXPECT_EQ(Values(b, 2), (Strings{"1:7", "4:9"}));  // used the input id, not the new one
  EXPECT_EQ(rejects.entries,
            (Strings{"transforms[0] (set) | id=3 | id: CAST('x' AS BIGINT): 'x' is not a valid "
                     "int64",
                     "transforms[0] (set) | id=2 | check: division by zero: 100 / 0"}));
}

TEST(TransformsTest, RenameDropSelectReshape) {
  auto chain = BuildTransforms({Pairs(TransformSpec::Kind::kRename, {{"id", "order_id"}}),
                                Columns(TransformSpec::Kind::kDrop, {"amount"}),
                                Pairs(TransformSpec::Kind::kSet, {{"n", "order_id * 2"}}),
                                Columns(TransformSpec::Kind::kSelect, {"n", "status", "order_id"})},
                               OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  EXPECT_EQ((*chain)[0]->output_schema().ToString(),
            "order_id int64, amount decimal(10,2), status string");
  EXPECT_EQ((*chain)[1]->output_schema().ToString(), "order_id int64, status string");
  EXPECT_EQ((*chain)[3]->output_schema().ToString(), "n int64, status string, order_id int64");
  EXPECT_EQ((*chain)[0]->Describe(), "rename id -> order_id");
  EXPECT_EQ((*chain)[1]->Describe(), "drop amount");
  EXPECT_EQ((*chain)[3]->Describe(), "select n, status, order_id");
  Batch b = OrdersBatch();
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  ASSERT_EQ(b.num_columns(), 3u);
  EXPECT_EQ(Values(b, 0), (Strings{"2", "4", "6", "8"}));
  EXPECT_EQ(Values(b, 1), (Strings{"paid", "new", "paid", "12x"}));
  EXPECT_EQ(Values(b, 2), (Strings{"1", "2", "3", "4"}));
}

TEST(TransformsTest, RenameSwapsAtOnce) {
  auto chain =
      BuildTransforms({Pairs(TransformSpec::Kind::kRename, {{"id", "status"}, {"status", "id"}})},
                      OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().ToString();
  EXPECT_EQ((*chain)[0]->output_schema().ToString(),
            "status int64, amount decimal(10,2), id string");
}

TEST(TransformsTest, DroppingEveryColumnKeepsTheRowCount) {
  auto chain = BuildTransforms({Columns(TransformSpec::Kind::kDrop, {"id", "amount", "status"})},
                               OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value());
  Batch b = OrdersBatch();
  RecordingRejects rejects;
  ASSERT_TRUE(ApplyAll(*chain, b, rejects).ok());
  EXPECT_EQ(b.num_columns(), 0u);
  EXPECT_EQ(b.num_rows(), 4u);
}

TEST(TransformsTest, BuildErrorsNameTheStep) {
  auto error = [](std::vector<TransformSpec> specs) {
    auto chain = BuildTransforms(specs, OrdersSchema(), {});
    return chain.has_value() ? std::string("no error") : chain.error().message();
  };
  EXPECT_EQ(error({Filter("id > 0"), Filter("amout > 0", 14)}),
            "job.yaml:14:7: transforms[1] (filter): at position 1: unknown column 'amout' (did "
            "you mean 'amount'?)");
  EXPECT_EQ(error({Filter("amount + 1")}),
            "job.yaml:3:7: transforms[0] (filter): the filter must be a condition (boolean), but "
            "'amount + 1' is decimal(22,2)");
  EXPECT_EQ(error({Pairs(TransformSpec::Kind::kSet, {{"x", "amount +"}})}),
            "job.yaml:5:7: transforms[0] (set): column 'x': at position 9: expected an "
            "expression, found end of expression");
  EXPECT_EQ(error({Pairs(TransformSpec::Kind::kRename, {{"idd", "x"}})}),
            "job.yaml:5:7: transforms[0] (rename): unknown column 'idd' (did you mean 'id'?)");
  EXPECT_EQ(error({Pairs(TransformSpec::Kind::kRename, {{"id", "status"}})}),
            "job.yaml:5:7: transforms[0] (rename): cannot rename 'id' to 'status': column "
            "'status' already has that name");
  EXPECT_EQ(error({Columns(TransformSpec::Kind::kDrop, {"nope"})}),
            "transforms[0] (drop): unknown column 'nope'");
  EXPECT_EQ(error({Columns(TransformSpec::Kind::kSelect, {"id", "ID"})}),
            "transforms[0] (select): column 'id' is selected twice");
  // Later steps see the schema the earlier ones produced.
  EXPECT_EQ(error({Columns(TransformSpec::Kind::kDrop, {"amount"}), Filter("amount > 0", 9)}),
            "job.yaml:9:7: transforms[1] (filter): at position 1: unknown column 'amount'");
}

// Resident memory of this process, from /proc/self/statm.
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0;
  int64_t resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// Issue 8: a chain whose steps each add a column kept a schema copy (two, for set) per step, so
// 5,000 steps held 12.5 million fields (1 GB). Steps now keep only their change of shape; the
// schemas a step needs are built on use.
TEST(TransformsTest, ThousandsOfGrowingStepsKeepNoSchemaPerStep) {
  constexpr size_t kSteps = 5000;
  std::vector<TransformSpec> specs;
  for (size_t i = 0; i < kSteps; ++i) {
    if (i % 2 == 0) {  // a new column
      specs.push_back(Pairs(TransformSpec::Kind::kSet,
                            {{"column_with_a_long_name_" + std::to_string(i), "id"}}));
    } else {  // a new schema of the same width
      specs.push_back(Pairs(
          TransformSpec::Kind::kRename,
          i % 4 == 1 ? std::vector<std::pair<std::string, std::string>>{{"status", "state"}}
                     : std::vector<std::pair<std::string, std::string>>{{"state", "status"}}));
    }
  }
  const int64_t before = ResidentBytes();
  auto chain = BuildTransforms(specs, OrdersSchema(), {});
  ASSERT_TRUE(chain.has_value()) << chain.error().message();
  const int64_t grown = ResidentBytes() - before;
  const Schema& out = chain->back()->output_schema();
  EXPECT_EQ(out.size(), OrdersSchema().size() + kSteps / 2);
  EXPECT_EQ(out.fields[2].name, "status");
  EXPECT_EQ(out.fields.back().name, "column_with_a_long_name_" + std::to_string(kSteps - 2));
  // A copy per step would be 2,500 steps x ~1,250 fields x ~80 bytes = 250 MB at least.
  EXPECT_LT(grown, int64_t{64} << 20) << "the chain holds " << (grown >> 20) << " MB";
  // A middle step's schema is built on demand, and is the same as building up to it.
  const Schema& middle = (*chain)[kSteps / 2]->output_schema();
  EXPECT_EQ(middle.size(), OrdersSchema().size() + kSteps / 4 + 1);
}

}  // namespace
}  // namespace sluice
