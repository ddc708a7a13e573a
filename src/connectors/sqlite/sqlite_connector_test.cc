#include "connectors/sqlite/sqlite_connector.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_test_util.h"

namespace sluice {
namespace {

using sqlite::testing::ExecSql;
using sqlite::testing::TempDir;

Options MakeOptions(std::vector<std::pair<std::string, std::string>> values) {
  Options options;
  for (auto& [key, value] : values) options.SetString(key, value);
  options.path = "source";
  return options;
}

TEST(SqliteConnectorTest, DeclaresItsOptionsAndCapabilities) {
  ConnectorInfo info = MakeSqliteConnectorInfo();
  EXPECT_EQ(info.name, "sqlite");
  EXPECT_FALSE(info.description.empty());
  EXPECT_TRUE(info.capabilities.batch_read);
  EXPECT_TRUE(info.capabilities.incremental_read);
  EXPECT_TRUE(info.capabilities.parallel_read);
  EXPECT_TRUE(info.capabilities.batch_write);
  EXPECT_EQ(info.capabilities.write_modes.size(), 5u);
  auto names = [](const std::vector<OptionSpec>& specs) {
    std::vector<std::string> out;
    for (const OptionSpec& s : specs) {
      EXPECT_FALSE(s.description.empty()) << s.name;
      out.push_back(s.name);
    }
    return out;
  };
  EXPECT_EQ(names(info.source_options),
            (std::vector<std::string>{"url", "path", "table", "busy_timeout_ms"}));
  EXPECT_EQ(names(info.target_options),
            (std::vector<std::string>{"url", "path", "table", "busy_timeout_ms", "create_table",
                                      "pre_sql", "post_sql"}));
  auto create = std::find_if(info.target_options.begin(), info.target_options.end(),
                             [](const OptionSpec& s) { return s.name == "create_table"; });
  EXPECT_EQ(create->default_value, "if_missing");
}

TEST(SqliteConnectorTest, FactoriesCheckTheLocation) {
  ConnectorInfo info = MakeSqliteConnectorInfo();
  ConnectorContext context;
  auto neither = info.make_source(MakeOptions({{"table", "t"}}), context);
  ASSERT_FALSE(neither.has_value());
  EXPECT_EQ(neither.error().message(),
            "source.url: either url (sqlite:///abs/path.db) or path is required");
  auto both = info.make_source(
      MakeOptions({{"url", "sqlite:a.db"}, {"path", "a.db"}, {"table", "t"}}), context);
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().message(), "source.path: give either url or path, not both");
  auto bad_url = info.make_source(MakeOptions({{"url", "postgres://x"}, {"table", "t"}}), context);
  ASSERT_FALSE(bad_url.has_value());
  EXPECT_NE(bad_url.error().message().find("source.url: expected sqlite:///"), std::string::npos);
  auto bad_mode = info.make_sink(
      MakeOptions({{"path", "a.db"}, {"table", "t"}, {"create_table", "sometimes"}}), context);
  ASSERT_FALSE(bad_mode.has_value());
  EXPECT_NE(bad_mode.error().message().find("expected if_missing or never"), std::string::npos);

  TempDir dir;
  std::string db = dir.File("shop.db");
  ExecSql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)");
  auto source = info.make_source(MakeOptions({{"url", "sqlite://" + db}, {"table", "t"}}), context);
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_EQ((*source)->Describe(), "sqlite:" + db + "/t");
  EXPECT_TRUE((*source)->Open(ReadRequest{}).ok());
  EXPECT_EQ(*(*source)->EstimateRows(), std::optional<int64_t>(1));
  auto sink = info.make_sink(MakeOptions({{"path", db}, {"table", "t"}}), context);
  ASSERT_TRUE(sink.has_value());
  EXPECT_EQ((*sink)->MaxWriters(), 1);
}

}  // namespace
}  // namespace sluice
