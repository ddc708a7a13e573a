#include "connectors/mysql/binlog_stream/ddl_statement.h"

#include <gtest/gtest.h>

namespace sluice::mysql::binlog_stream {
namespace {

TEST(ClassifyTableDdl, AddAndDropColumnsAreFollowed) {
  for (const char* sql : {
           "ALTER TABLE t ADD COLUMN note VARCHAR(20)",
           "alter table `db`.`t` add note int default 5 after id",
           "ALTER TABLE t ADD COLUMN IF NOT EXISTS `key` INT, DROP COLUMN old",
           "ALTER TABLE t DROP old, ALGORITHM=INSTANT",
           "ALTER TABLE t ADD (a INT, b TEXT)",
           "ALTER ONLINE TABLE db.t ADD COLUMN c DECIMAL(10,2) NOT NULL DEFAULT 0, LOCK=NONE",
           "/* note */ ALTER TABLE t ADD COLUMN s VARCHAR(9) COMMENT 'x, y'",
       }) {
    EXPECT_EQ(ClassifyTableDdl(sql), TableDdl::kAddDropColumns) << sql;
  }
}

TEST(ClassifyTableDdl, EverythingElseStops) {
  for (const char* sql : {
           "ALTER TABLE t MODIFY note TEXT",
           "ALTER TABLE t CHANGE note memo TEXT",
           "ALTER TABLE t RENAME COLUMN note TO memo",
           "ALTER TABLE t ADD COLUMN c INT, MODIFY d TEXT",
           "ALTER TABLE t ADD INDEX i (note)",
           "ALTER TABLE t DROP PRIMARY KEY",
           "ALTER TABLE t ALTER COLUMN note SET DEFAULT 'x'",
           "ALTER TABLE t ENGINE=InnoDB",
           "ALTER TABLE t",
           "TRUNCATE TABLE t",
           "DROP TABLE t",
           "RENAME TABLE t TO u",
           "CREATE TABLE t (id INT)",
           "ALTER TABLE t ADD COLUMN s VARCHAR(9) COMMENT 'unterminated",
       }) {
    EXPECT_EQ(ClassifyTableDdl(sql), TableDdl::kOther) << sql;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream

namespace sluice::mysql::binlog_stream {
namespace {

TEST(ClassifyTableDdl, NamesTheDroppedColumns) {
  std::vector<std::string> dropped;
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t DROP COLUMN d", &dropped), TableDdl::kAddDropColumns);
  EXPECT_EQ(dropped, (std::vector<std::string>{"d"}));
  EXPECT_EQ(ClassifyTableDdl("alter table `db`.`t` add column n int, drop `Mixed Case`, "
                             "DROP COLUMN IF EXISTS Other",
                             &dropped),
            TableDdl::kAddDropColumns);
  EXPECT_EQ(dropped, (std::vector<std::string>{"Mixed Case", "other"}));
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t ADD COLUMN x INT", &dropped),
            TableDdl::kAddDropColumns);
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t DROP INDEX i", &dropped), TableDdl::kOther);
}

TEST(ParseCreateTableTest, NamesTheCreatedTableAsWritten) {
  auto named = [](std::string_view sql) {
    const std::optional<CreatedTableName> t = ParseCreateTable(sql);
    return t ? t->db + "|" + t->name : std::string("none");
  };
  EXPECT_EQ(named("CREATE TABLE Orders (id INT)"), "|Orders");
  EXPECT_EQ(named("create table if not exists `shop`.`New T` (id int)"), "shop|New T");
  EXPECT_EQ(named("CREATE OR REPLACE TABLE shop . t2 LIKE t1"), "shop|t2");
  EXPECT_EQ(named("CREATE TABLE `a``b` (id INT)"), "|a`b");
  EXPECT_EQ(named("CREATE TEMPORARY TABLE t (id INT)"), "none");
  EXPECT_EQ(named("CREATE INDEX i ON t (id)"), "none");
  EXPECT_EQ(named("ALTER TABLE t ADD COLUMN c INT"), "none");
  EXPECT_EQ(named("CREATE TABLE `unterminated"), "none");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
