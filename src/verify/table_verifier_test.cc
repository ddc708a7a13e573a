// VerifyTable against an in-memory connector: both passes, key choice, transforms and
// partitions, without a database.
#include "verify/table_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>

#include "core/value_text.h"
#include "verify/verify_report.h"

namespace sluice::verify {
namespace {

using Cell = std::optional<std::string>;  // canonical text; nullopt = NULL

struct MemTable {
  Schema schema;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> primary_key;
};

std::map<std::string, MemTable>& Tables() {
  static std::map<std::string, MemTable> tables;
  return tables;
}

class MemReader final : public SplitReader {
 public:
  MemReader(const MemTable& table, std::vector<size_t> columns, std::vector<size_t> rows,
            size_t batch_rows)
      : table_(table),
        columns_(std::move(columns)),
        rows_(std::move(rows)),
        batch_rows_(batch_rows) {}
  // A cell "!bad" makes its row unreadable (rejected, as a zero date with zero_date: error);
  // "!special" is read as NULL and reported as a substitution (special_values: null).
  Result<bool> Next(Batch& batch, RejectSink& rejects) override {
    int64_t substituted = 0;
    for (size_t n = 0; n < batch_rows_ && next_ < rows_.size(); ++n, ++next_) {
      const auto& row = table_.rows[rows_[next_]];
      if (std::find(row.begin(), row.end(), Cell("!bad")) != row.end()) {
        SLUICE_RETURN_IF_ERROR(rejects.Reject(table_.schema, batch, 0, "source",
                                              "mem: '0000-00-00' is not a calendar date"));
        continue;
      }
      for (size_t c = 0; c < columns_.size(); ++c) {
        const Cell& cell = row[columns_[c]];
        if (!cell || *cell == "!special") {
          substituted += cell ? 1 : 0;
          batch.columns[c].AppendNull();
        } else {
          SLUICE_RETURN_IF_ERROR(ParseAndAppend(*cell, batch.columns[c], TimeZone::Utc()));
        }
      }
    }
    if (substituted > 0) rejects.NoteSubstituted("special_values: null", substituted, "mem: NaN");
    return next_ < rows_.size();
  }

 private:
  const MemTable& table_;
  std::vector<size_t> columns_;
  std::vector<size_t> rows_;
  size_t batch_rows_;
  size_t next_ = 0;
};

// Reads Tables()[table]; `where` may be `column = 'value'`.
class MemSource final : public Source {
 public:
  explicit MemSource(std::string table) : name_(std::move(table)) {}
  Status Open(const ReadRequest& request) override {
    auto it = Tables().find(name_);
    if (it == Tables().end()) return Status::NotFound("no table {}", name_);
    table_ = &it->second;
    request_ = request;
    schema_ = Schema{};
    columns_.clear();
    std::vector<std::string> names =
        request.columns.empty() ? table_->schema.Names() : request.columns;
    for (const std::string& n : names) {
      std::optional<size_t> i = table_->schema.IndexOf(n);
      if (!i) return Status::NotFound("no column {}", n);
      columns_.push_back(*i);
      schema_.fields.push_back(table_->schema.fields[*i]);
    }
    rows_.clear();
    for (size_t r = 0; r < table_->rows.size(); ++r) {
      if (Matches(table_->rows[r])) rows_.push_back(r);
    }
    return Status::OK();
  }
  const Schema& schema() const override { return schema_; }
  Result<std::optional<std::string>> MaxValue(const std::string&) override {
    return Err(Status::Invalid("no incremental reads"));
  }
  Result<std::optional<int64_t>> EstimateRows() override {
    return std::optional<int64_t>(static_cast<int64_t>(rows_.size()));
  }
  std::vector<std::string> PrimaryKey() const override { return table_->primary_key; }
  Result<std::vector<Split>> PlanSplits() override {
    std::vector<Split> splits;
    const size_t parts = static_cast<size_t>(std::max(1, request_.max_splits));
    for (size_t p = 0; p < parts; ++p) splits.push_back(Split{static_cast<int>(p), "part", "", {}});
    return splits;
  }
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override {
    std::vector<size_t> mine;
    const size_t parts = static_cast<size_t>(std::max(1, request_.max_splits));
    for (size_t i = static_cast<size_t>(split.index); i < rows_.size(); i += parts) {
      mine.push_back(rows_[i]);
    }
    return std::unique_ptr<SplitReader>(
        std::make_unique<MemReader>(*table_, columns_, std::move(mine), request_.batch_rows));
  }
  std::string Describe() const override { return "mem:" + name_; }

 private:
  bool Matches(const std::vector<Cell>& row) const {
    if (request_.where.empty()) return true;
    const size_t eq = request_.where.find(" = '");
    const std::string column = request_.where.substr(0, eq);
    const std::string value = request_.where.substr(eq + 4, request_.where.size() - eq - 5);
    const Cell& cell = row[*table_->schema.IndexOf(column)];
    return cell && *cell == value;
  }

  std::string name_;
  const MemTable* table_ = nullptr;
  ReadRequest request_;
  Schema schema_;
  std::vector<size_t> columns_;
  std::vector<size_t> rows_;
};

class NoSink final : public Sink {
 public:
  Result<bool> Recover(const PendingRun&) override { return false; }
  Result<std::string> Prepare(const WriteRequest&) override { return std::string(); }
  Result<std::unique_ptr<SinkWriter>> OpenWriter() override {
    return Err(Status::Internal("verify never writes"));
  }
  Status Commit() override { return Status::OK(); }
  Status Abort() override { return Status::OK(); }
  Result<std::vector<std::string>> Plan(const WriteRequest&) override {
    return std::vector<std::string>();
  }
  std::string Describe() const override { return "nowhere"; }
};

ConnectorRegistry MemRegistry() {
  ConnectorRegistry registry;
  for (const char* name : {"memdb", "memfile"}) {
    ConnectorInfo info;
    info.name = name;
    info.capabilities = {
        .batch_read = true, .batch_write = true, .write_modes = {WriteMode::kAppend}};
    info.source_options = {{.name = std::string(name) == "memdb" ? "table" : "path"}};
    info.target_options = info.source_options;
    info.make_source = [](const Options& o, const ConnectorContext&) {
      return Result<std::unique_ptr<Source>>(std::make_unique<MemSource>(o.GetString("table")));
    };
    info.make_sink = [](const Options&, const ConnectorContext&) {
      return Result<std::unique_ptr<Sink>>(std::make_unique<NoSink>());
    };
    registry.Register(std::move(info));
  }
  return registry;
}

JobSpec Job() {
  JobSpec job;
  job.file = "job.yaml";
  job.name = "t";
  job.source_type = "memdb";
  job.source.SetString("table", "src");
  job.target_type = "memdb";
  job.target.SetString("table", "dst");
  job.settings.parallelism = 3;
  job.settings.batch_rows = 7;  // many batches per split
  return job;
}

Schema OrdersSchema(TypeId id_type, DataType amount) {
  return Schema{
      {{"id", DataType::Of(id_type)}, {"amount", amount}, {"note", DataType::Of(TypeId::kString)}}};
}

// Source: id int64, amount decimal(10,2) "i.50"; target: id int32, unconstrained decimal "i.5".
void MakeOrders(int rows) {
  MemTable src{OrdersSchema(TypeId::kInt64, DataType::Decimal(10, 2)), {}, {"id"}};
  MemTable dst{OrdersSchema(TypeId::kInt32, DataType::Decimal(0, 0)), {}, {"id"}};
  for (int i = 0; i < rows; ++i) {
    Cell note = i % 10 == 0 ? Cell() : Cell(i % 10 == 1 ? "" : "n" + std::to_string(i));
    src.rows.push_back({std::to_string(i), std::to_string(i % 100) + ".50", note});
    dst.rows.push_back({std::to_string(i), std::to_string(i % 100) + ".5", note});
  }
  Tables()["src"] = std::move(src);
  Tables()["dst"] = std::move(dst);
}

std::vector<Cell>* TargetRow(int id) {
  for (auto& row : Tables()["dst"].rows) {
    if (row[0] == std::to_string(id)) return &row;
  }
  return nullptr;
}

TableVerdict Verify(const JobSpec& job, VerifyOptions options = {}) {
  static const ConnectorRegistry registry = MemRegistry();
  return VerifyTable(job, "dst", registry, options);
}

TEST(VerifyTable, EqualValuesOfDifferentTypesAreOk) {
  MakeOrders(3000);
  TableVerdict v = Verify(Job());
  ASSERT_EQ(v.outcome, TableVerdict::Outcome::kOk) << v.error.ToString() << ReportText({"t", {v}});
  EXPECT_EQ(v.source_rows, 3000);
  EXPECT_EQ(v.target_rows, 3000);
  EXPECT_EQ(v.key, std::vector<std::string>{"id"});
  EXPECT_EQ(v.key_origin, "the source's primary key");
}

TEST(VerifyTable, FindsOneChangedValueAndNamesKeyAndColumn) {
  MakeOrders(3000);
  (*TargetRow(1234))[1] = "34.51";
  TableVerdict v = Verify(Job());
  ASSERT_EQ(v.outcome, TableVerdict::Outcome::kDifferent) << v.error.ToString();
  EXPECT_EQ(v.changed, 1);
  EXPECT_EQ(v.missing + v.extra, 0);
  EXPECT_EQ(v.differing_buckets, 1u);
  ASSERT_EQ(v.differences.size(), 1u);
  EXPECT_EQ(v.differences[0].key, "id=1234");
  ASSERT_EQ(v.differences[0].changes.size(), 1u);
  EXPECT_EQ(v.differences[0].changes[0].column, "amount");
  EXPECT_EQ(v.differences[0].changes[0].source, "34.50");
  EXPECT_EQ(v.differences[0].changes[0].target, "34.51");
  const std::string text = ReportText({"t", {v}});
  EXPECT_NE(text.find("dst  DIFFERENT  source 3,000 rows, target 3,000: 1 changed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  changed id=1234: amount 34.50 -> 34.51\n"), std::string::npos) << text;
}

TEST(VerifyTable, NullAndEmptyStringDiffer) {
  MakeOrders(100);
  (*TargetRow(10))[2] = "";  // was NULL
  TableVerdict v = Verify(Job());
  ASSERT_EQ(v.changed, 1);
  EXPECT_EQ(v.differences[0].changes[0].source, "NULL");
  EXPECT_EQ(v.differences[0].changes[0].target, "''");
}

TEST(VerifyTable, MissingAndExtraRows) {
  MakeOrders(1000);
  auto& rows = Tables()["dst"].rows;
  rows.erase(rows.begin() + 500);
  rows.push_back({"5000", "1.5", Cell("new")});
  TableVerdict v = Verify(Job());
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kDifferent);
  EXPECT_EQ(v.missing, 1);
  EXPECT_EQ(v.extra, 1);
  EXPECT_EQ(v.changed, 0);
  EXPECT_EQ(v.target_rows, 1000);
  ASSERT_EQ(v.differences.size(), 2u);
}

TEST(VerifyTable, SourceSideRunsTheJobsTransforms) {
  MakeOrders(200);
  auto& rows = Tables()["dst"].rows;
  rows.erase(rows.begin() + 3);  // the filter below drops id 3
  for (auto& row : rows) row[2] = "fixed";
  JobSpec job = Job();
  job.transforms.push_back(
      TransformSpec{.kind = TransformSpec::Kind::kFilter, .expression = "id <> 3"});
  job.transforms.push_back(
      TransformSpec{.kind = TransformSpec::Kind::kSet, .assignments = {{"note", "'fixed'"}}});
  TableVerdict v = Verify(job);
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kOk) << ReportText({"t", {v}});
  EXPECT_EQ(v.source_rows, 199);
}

// A run that rejected every source row leaves an empty target: not "OK 0 rows".
TEST(VerifyTable, SourceRowsThatCannotBeReadAreDifferences) {
  MakeOrders(20);
  for (auto& row : Tables()["src"].rows) row[1] = "!bad";
  Tables()["dst"].rows.clear();
  TableVerdict v = Verify(Job());
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kDifferent) << ReportText({"t", {v}});
  EXPECT_EQ(v.unreadable_source, 20);
  EXPECT_EQ(v.source_rows, 0);
  const std::string text = ReportText({"t", {v}});
  EXPECT_NE(text.find("dst  DIFFERENT  source 0 rows, target 0: 20 unreadable source rows"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  unreadable source rows: 20 (a run rejects them: they are not in the "
                      "target), first: source: mem: '0000-00-00' is not a calendar date\n"),
            std::string::npos)
      << text;
  const std::string json = ReportJson({"t", {v}});
  EXPECT_NE(json.find("\"verdict\": \"DIFFERENT\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"unreadable_source_rows\": 20"), std::string::npos) << json;
}

// Good and bad rows mixed: the bad ones no longer drop out of both counts unseen.
TEST(VerifyTable, UnreadableRowsAmongGoodOnesAreCounted) {
  MakeOrders(100);
  auto& src = Tables()["src"].rows;
  auto& dst = Tables()["dst"].rows;
  for (int id : {7, 42, 99}) {
    src[static_cast<size_t>(id)][1] = "!bad";
    dst.erase(std::find_if(dst.begin(), dst.end(),
                           [&](const auto& row) { return row[0] == std::to_string(id); }));
  }
  TableVerdict v = Verify(Job());
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kDifferent) << ReportText({"t", {v}});
  EXPECT_EQ(v.unreadable_source, 3);
  EXPECT_EQ(v.source_rows, 97);
  EXPECT_EQ(v.target_rows, 97);
  EXPECT_EQ(v.missing + v.extra + v.changed, 0);
}

// NULL in the target where the source holds a value the job's own rule reads as NULL: reported
// apart, not a difference.
TEST(VerifyTable, ValuesTheJobsRuleReplacedAreExplainedNotDifferent) {
  MakeOrders(50);
  for (int id : {3, 4}) {
    Tables()["src"].rows[static_cast<size_t>(id)][1] = "!special";
    (*TargetRow(id))[1] = Cell();
  }
  TableVerdict v = Verify(Job());
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kOk) << ReportText({"t", {v}});
  ASSERT_EQ(v.explained.size(), 1u);
  EXPECT_EQ(v.explained[0].rule, "special_values: null");
  EXPECT_EQ(v.explained[0].values, 2);
  const std::string text = ReportText({"t", {v}});
  EXPECT_NE(text.find("  explained: 2 values read as NULL as the job's special_values: null rule "
                      "says (not counted as differences), first: mem: NaN\n"),
            std::string::npos)
      << text;
  // A NULL the rule does not explain stays a difference.
  (*TargetRow(5))[1] = Cell();
  v = Verify(Job());
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kDifferent);
  EXPECT_EQ(v.changed, 1);
}

TEST(VerifyTable, WithoutAnyKeyComparesMultisets) {
  MakeOrders(100);
  Tables()["src"].primary_key.clear();
  Tables()["dst"].primary_key.clear();
  Tables()["dst"].rows.push_back(Tables()["dst"].rows[7]);  // a duplicate
  TableVerdict v = Verify(Job());
  EXPECT_TRUE(v.key.empty());
  EXPECT_EQ(v.extra, 1);
  EXPECT_EQ(v.changed, 0);
  ASSERT_EQ(v.differences.size(), 1u);
  EXPECT_EQ(v.differences[0].key, "id=7, amount=7.5, note='n7'");
}

TEST(VerifyTable, TargetKeyWinsAndPartitionColumnIsLeftOut) {
  MakeOrders(50);
  MemTable& dst = Tables()["dst"];
  dst.primary_key.clear();
  dst.schema.fields.push_back(Field{"ds", DataType::Of(TypeId::kString)});
  for (auto& row : dst.rows) row.push_back(Cell("20240301"));
  auto other_day = dst.rows;  // another partition's rows, changed: not compared
  for (auto& row : other_day) {
    row[1] = "0";
    row[3] = "20240229";
  }
  dst.rows.insert(dst.rows.end(), other_day.begin(), other_day.end());
  JobSpec job = Job();
  job.target.Set("key", OptionValue{.kind = OptionKind::kStringList, .list = {"id"}});
  OptionValue partition{.kind = OptionKind::kObject};
  partition.object["column"] = OptionValue{.scalar = "ds"};
  partition.object["value"] = OptionValue{.scalar = "20240301"};
  job.target.Set("partition", partition);
  TableVerdict v = Verify(job);
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kOk) << ReportText({"t", {v}});
  EXPECT_EQ(v.target_rows, 50);
  EXPECT_EQ(v.key_origin, "target.key");
}

TEST(VerifyTable, Pass2BudgetMakesCountsLowerBounds) {
  MakeOrders(20000);
  for (auto& row : Tables()["dst"].rows) row[2] = "changed";
  VerifyOptions options;
  options.pass2_row_budget = 1000;
  options.max_differences = 5;
  TableVerdict v = Verify(Job(), options);
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kDifferent);
  EXPECT_FALSE(v.counts_complete);
  EXPECT_GT(v.changed, 0);
  EXPECT_LT(v.changed, 20000);
  EXPECT_EQ(v.differences.size(), 5u);
  EXPECT_NE(ReportText({"t", {v}}).find("at least"), std::string::npos);
}

TEST(VerifyTable, TargetThatCannotBeReadBackFails) {
  MakeOrders(10);
  JobSpec job = Job();
  job.target_type = "memfile";
  TableVerdict v = Verify(job);
  EXPECT_EQ(v.outcome, TableVerdict::Outcome::kFailed);
  EXPECT_EQ(v.error.message(),
            "verify reads the target table back through its connector; the memfile connector "
            "has no tables to read back (verify supports database targets: sqlite, mysql, "
            "postgres)");
}

TEST(VerifyReport, TextAndJson) {
  TableVerdict ok;
  ok.table = "a";
  ok.outcome = TableVerdict::Outcome::kOk;
  ok.source_rows = ok.target_rows = 1234567;
  ok.seconds = 2.14;
  TableVerdict failed;
  failed.table = "b";
  failed.error = Status::NotFound("no such table");
  VerifyReport report{"job", {ok, failed}, 3.0};
  EXPECT_FALSE(report.all_equal());
  EXPECT_EQ(ReportText(report),
            "a  OK  1,234,567 rows  2.1 s\n"
            "b  FAILED  no such table\n"
            "verify: 2 tables, 1 OK, 0 DIFFERENT, 1 FAILED; 1,234,567 source rows in 3.0 s\n");
  const std::string json = ReportJson(report);
  EXPECT_NE(json.find("\"verdict\": \"FAILED\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"error\": \"no such table\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"equal\": false"), std::string::npos) << json;
  EXPECT_EQ(WithThousands(-1000), "-1,000");
  EXPECT_EQ(WithThousands(999), "999");
}

}  // namespace
}  // namespace sluice::verify
