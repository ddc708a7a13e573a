// The binlog_files source section: what is read from it, what is refused and how; and the
// `<file>:<offset>` position: printed, parsed against the job's file list, ordered by the
// list (not by names or as text).
#include "connectors/mysql/binlog_files/binlog_files_config.h"

#include <gtest/gtest.h>

#include "connectors/mysql/binlog_files/file_position.h"

namespace sluice::mysql::binlog_files {
namespace {

OptionValue Scalar(std::string text) {
  OptionValue v;
  v.scalar = std::move(text);
  return v;
}

OptionValue List(std::vector<std::string> items) {
  OptionValue v;
  v.kind = OptionKind::kStringList;
  v.list = std::move(items);
  return v;
}

Options Section(std::map<std::string, OptionValue> values) {
  Options o(std::move(values));
  o.path = "source";
  return o;
}

std::string ErrorOf(const Options& o) {
  Result<BinlogFilesConfig> c = ParseBinlogFilesConfig(o);
  return c ? "<parsed>" : c.error().message();
}

TEST(BinlogFilesConfigTest, ReadsFilesInOrderAndTheTable) {
  const Options o = Section({{"binlog_files", List({"b/binlog.000002", "a/binlog.000001"})},
                             {"table", Scalar("shop.`Orders`")}});
  EXPECT_TRUE(ReadsBinlogFiles(o));
  Result<BinlogFilesConfig> c = ParseBinlogFilesConfig(o);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->files, (std::vector<std::string>{"b/binlog.000002", "a/binlog.000001"}));
  EXPECT_EQ(c->database, "shop");
  EXPECT_EQ(c->table, "Orders");
  EXPECT_TRUE(c->table_exact);
  EXPECT_EQ(c->unnamed_columns, UnnamedColumns::kRefuse);
  EXPECT_EQ(c->zero_date, ZeroDate::kError);
  EXPECT_EQ(c->Describe(), "mysql binlog files shop.Orders");
}

TEST(BinlogFilesConfigTest, UnnamedColumnsAndZeroDate) {
  Result<BinlogFilesConfig> c =
      ParseBinlogFilesConfig(Section({{"binlog_files", List({"x.000001"})},
                                      {"table", Scalar("d.t")},
                                      {"unnamed_columns", Scalar("positional")},
                                      {"zero_date", Scalar("null")}}));
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->unnamed_columns, UnnamedColumns::kPositional);
  EXPECT_EQ(c->zero_date, ZeroDate::kNull);
  EXPECT_NE(ErrorOf(Section({{"binlog_files", List({"x.000001"})},
                             {"table", Scalar("d.t")},
                             {"unnamed_columns", Scalar("guess")}}))
                .find("unnamed_columns: expected refuse or positional, got 'guess'"),
            std::string::npos);
}

TEST(BinlogFilesConfigTest, TablesJobsNeedNoTable) {
  const Options o = Section({{"binlog_files", List({"x.000001"})}});
  EXPECT_NE(ErrorOf(o).find("table: is required"), std::string::npos) << ErrorOf(o);
  Result<BinlogFilesConfig> c = ParseBinlogFilesConfig(o, /*need_table=*/false);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->table.empty());
}

TEST(BinlogFilesConfigTest, RefusesWhatFilesCannotHonour) {
  auto with = [](const std::string& key, OptionValue v) {
    std::map<std::string, OptionValue> m{{"binlog_files", List({"x.000001"})},
                                         {"table", Scalar("d.t")}};
    m[key] = std::move(v);
    return ErrorOf(Section(std::move(m)));
  };
  EXPECT_NE(with("url", Scalar("mysql://u@h/d")).find("source.url: give either url"),
            std::string::npos)
      << with("url", Scalar("mysql://u@h/d"));
  EXPECT_NE(with("time_zone", Scalar("UTC")).find("source.time_zone: is not supported"),
            std::string::npos);
  EXPECT_NE(with("tinyint1_as_bool", Scalar("true")).find("tinyint1_as_bool: is not supported"),
            std::string::npos);
  EXPECT_EQ(with("tinyint1_as_bool", Scalar("false")), "<parsed>");
  EXPECT_NE(with("snapshot", Scalar("true")).find("source.snapshot: applies to a server"),
            std::string::npos);
  OptionValue latest;
  latest.kind = OptionKind::kObject;
  latest.object["mode"] = Scalar("latest");
  EXPECT_NE(with("startup", latest).find("source.startup: is not supported with binlog_files"),
            std::string::npos);
  OptionValue initial;
  initial.kind = OptionKind::kObject;
  initial.object["mode"] = Scalar("initial");
  EXPECT_EQ(with("startup", initial), "<parsed>");  // the default, written out
  EXPECT_NE(with("table", Scalar("t")).find("name the table as database.table"), std::string::npos);
  EXPECT_NE(ErrorOf(Section({{"binlog_files", List({})}, {"table", Scalar("d.t")}}))
                .find("binlog_files: names no file"),
            std::string::npos);
  EXPECT_FALSE(ReadsBinlogFiles(Section({{"table", Scalar("d.t")}})));
}

const std::vector<std::string> kFiles{"/arch/binlog.000009", "rel/binlog.000010",
                                      "/other/relay.000001"};

TEST(FilePositionTest, PrintsAndParsesAgainstTheFileList) {
  const FilePosition p{1, 1234};
  EXPECT_EQ(p.ToString(kFiles), "rel/binlog.000010:1234");
  Result<FilePosition> back = FilePosition::Parse("rel/binlog.000010:1234", kFiles);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, p);
  // Moved to another folder: found by its file name when that is unique.
  Result<FilePosition> moved = FilePosition::Parse("/old/place/relay.000001:4", kFiles);
  ASSERT_TRUE(moved.has_value()) << moved.error().message();
  EXPECT_EQ(*moved, (FilePosition{2, 4}));
  // A file name with a colon: the offset follows the last one.
  const std::vector<std::string> colon{"c:/logs/binlog.000001"};
  Result<FilePosition> c = FilePosition::Parse("c:/logs/binlog.000001:99", colon);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->offset, 99u);
}

TEST(FilePositionTest, RefusesWhatItCannotPlace) {
  auto error = [](std::string_view text, const std::vector<std::string>& files) {
    Result<FilePosition> p = FilePosition::Parse(text, files);
    return p ? std::string("<parsed>") : p.error().message();
  };
  EXPECT_NE(error("binlog.000001", kFiles).find("is not <file>:<offset>"), std::string::npos);
  EXPECT_NE(error("rel/binlog.000010:12x", kFiles).find("offset '12x' is not a number"),
            std::string::npos);
  EXPECT_NE(error("gone.000003:4", kFiles).find("binlog_files no longer lists"), std::string::npos);
  const std::vector<std::string> twice{"a/binlog.000001", "b/binlog.000001"};
  EXPECT_NE(error("c/binlog.000001:4", twice).find("holds twice"), std::string::npos);
}

TEST(FilePositionTest, OrdersByThePlaceInTheListThenOffset) {
  // The list's order wins over names: relay.000001 is read after binlog.000010 here.
  EXPECT_LT((FilePosition{1, 90000}), (FilePosition{2, 4}));
  EXPECT_LT((FilePosition{2, 4}), (FilePosition{2, 5}));
  EXPECT_GT((FilePosition{0, 900}), (FilePosition{0, 899}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_files
