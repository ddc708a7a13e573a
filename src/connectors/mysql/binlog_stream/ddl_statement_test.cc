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
    bool columns = false;
    EXPECT_EQ(ClassifyTableDdl(sql, nullptr, &columns), TableDdl::kAddDropColumns) << sql;
    EXPECT_TRUE(columns) << sql;
  }
}

// MODIFY and CHANGE under the column's own name are followed as far as the next TABLE_MAP
// shows they kept every value (modified_column.h); the columns they name are listed.
TEST(ClassifyTableDdl, ModifyAndChangeUnderTheSameNameNameTheirColumns) {
  const std::pair<const char*, std::vector<std::string>> cases[] = {
      {"ALTER TABLE t MODIFY note TEXT", {"note"}},
      {"ALTER TABLE t MODIFY COLUMN IF EXISTS `Note` VARCHAR(40) NOT NULL DEFAULT 'a, b'",
       {"note"}},
      {"ALTER TABLE t CHANGE Note note VARCHAR(40) AFTER id", {"note"}},
      {"ALTER TABLE t ADD COLUMN c INT, MODIFY d TEXT, CHANGE COLUMN e e CHAR(3)", {"d", "e"}},
      {"ALTER TABLE t ENGINE=InnoDB, MODIFY note ENUM('a','b','c')", {"note"}},
  };
  for (const auto& [sql, names] : cases) {
    bool columns = false;
    std::vector<std::string> modified;
    EXPECT_EQ(ClassifyTableDdl(sql, nullptr, &columns, &modified), TableDdl::kAddDropColumns)
        << sql;
    EXPECT_TRUE(columns) << sql;
    EXPECT_EQ(modified, names) << sql;
  }
  // A default changes no row there is.
  for (const char* sql :
       {"ALTER TABLE t ALTER COLUMN note SET DEFAULT 'x'", "ALTER TABLE t ALTER note DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT (1 + 2), COMMENT 'c'"}) {
    bool columns = true;
    std::vector<std::string> modified{"stale"};
    EXPECT_EQ(ClassifyTableDdl(sql, nullptr, &columns, &modified), TableDdl::kAddDropColumns)
        << sql;
    EXPECT_FALSE(columns) << sql;
    EXPECT_TRUE(modified.empty()) << sql;
  }
}

TEST(ClassifyTableDdl, TruncateEmptiesTheTable) {
  for (const char* sql : {"TRUNCATE TABLE t", "truncate t", "TRUNCATE TABLE `shop`.`Orders`",
                          "TRUNCATE TABLE shop . t NOWAIT", "TRUNCATE t WAIT 5",
                          "/* maintenance */ TRUNCATE TABLE t"}) {
    EXPECT_EQ(ClassifyTableDdl(sql), TableDdl::kTruncate) << sql;
  }
}

TEST(ClassifyTableDdl, EverythingElseStops) {
  for (const char* sql : {
           "ALTER TABLE t CHANGE note memo TEXT",
           "ALTER TABLE t CHANGE COLUMN note `Memo` TEXT",
           "ALTER TABLE t MODIFY",
           "ALTER TABLE t CHANGE note",
           "ALTER TABLE t RENAME COLUMN note TO memo",
           "ALTER TABLE t DROP PRIMARY KEY",
           "ALTER TABLE t ALTER COLUMN note SET INVISIBLE",
           "ALTER TABLE t ALTER COLUMN note DROP DEFAULT, x",
           "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
           "ALTER TABLE t DEFAULT CHARSET = latin1",
           "ALTER TABLE t ROW_FORMAT",
           "ALTER TABLE t",
           "ALTER TABLE t DROP PARTITION p1",
           "ALTER TABLE t TRUNCATE PARTITION p1",
           "TRUNCATE TABLE t, u",
           "TRUNCATE TABLE",
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
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t DROP INDEX i", &dropped), TableDdl::kAddDropColumns);
  EXPECT_TRUE(dropped.empty());
}

TEST(AddedColumnsFillExistingRows, OnlyValuesOtherThanNullCount) {
  // The rows already there get NULL: nothing the binlog does not show.
  EXPECT_FALSE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN c INT"));
  EXPECT_FALSE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN c VARCHAR(50) DEFAULT NULL"));
  EXPECT_FALSE(AddedColumnsFillExistingRows("alter table t add c int null default null"));
  EXPECT_FALSE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT NULL"));
  EXPECT_FALSE(AddedColumnsFillExistingRows(
      "ALTER TABLE t ADD COLUMN c INT COMMENT 'not null as of v2, default 0 later'"));
  EXPECT_FALSE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN `default` INT"));
  EXPECT_FALSE(AddedColumnsFillExistingRows("ALTER TABLE t DROP COLUMN d"));
  // A value for every row already there.
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN c INT DEFAULT 0"));
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD COLUMN c INT NOT NULL"));
  EXPECT_TRUE(
      AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT DEFAULT NULL, ADD d INT DEFAULT 1"));
  EXPECT_TRUE(
      AddedColumnsFillExistingRows("ALTER TABLE t ADD c TIMESTAMP DEFAULT CURRENT_TIMESTAMP"));
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT AUTO_INCREMENT UNIQUE"));
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT AS (a + 1) PERSISTENT"));
  EXPECT_TRUE(
      AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT GENERATED ALWAYS AS (a + 1) STORED"));
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT DEFAULT (NULL)"));
  EXPECT_TRUE(AddedColumnsFillExistingRows("ALTER TABLE t ADD c INT COMMENT 'unterminated"));
}

// "a>b,db.c>d" for the pairs of a RENAME TABLE statement.
std::string Renames(std::string_view sql) {
  std::string out;
  for (const RenamedTable& r : RenamedTables(sql)) {
    if (!out.empty()) out += ",";
    out += (r.from.db.empty() ? "" : r.from.db + ".") + r.from.name + ">" +
           (r.to.db.empty() ? "" : r.to.db + ".") + r.to.name;
  }
  return out;
}

TEST(RenamedTables, PairsInTheServersOrder) {
  EXPECT_EQ(Renames("RENAME TABLE t TO _t_del, _t_gho TO t"), "t>_t_del,_t_gho>t");
  EXPECT_EQ(Renames("rename tables `shop`.`Orders` to shop._orders_old, shop.`_orders_new` TO "
                    "shop.Orders"),
            "shop.Orders>shop._orders_old,shop._orders_new>shop.Orders");
  EXPECT_EQ(Renames("RENAME TABLE IF EXISTS a WAIT 5 TO b"), "a>b");
  EXPECT_EQ(Renames("RENAME TABLE a NOWAIT TO b /* cut-over */"), "a>b");
  // Not a RENAME TABLE, or not one that parses: no pairs.
  EXPECT_EQ(Renames("ALTER TABLE a RENAME TO b"), "");
  EXPECT_EQ(Renames("RENAME USER a TO b"), "");
  EXPECT_EQ(Renames("RENAME TABLE a TO"), "");
  EXPECT_EQ(Renames("RENAME TABLE a TO b c"), "");
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

namespace sluice::mysql::binlog_stream {
namespace {

std::string Scope(StatementScope scope) {
  switch (scope) {
    case StatementScope::kNoTable:
      return "none";
    case StatementScope::kTables:
      return "tables";
    case StatementScope::kRows:
      return "rows";
    case StatementScope::kUnknown:
      return "unknown";
  }
  return "?";
}

// "tables:db.a,b" / "none" / "rows" / "unknown".
std::string Changed(std::string_view sql) {
  const StatementTables changed = TablesChangedBy(sql);
  std::string out = Scope(changed.scope);
  for (size_t i = 0; i < changed.tables.size(); ++i) {
    const StatementTable& t = changed.tables[i];
    out += (i == 0 ? ":" : ",") + (t.db.empty() ? "" : t.db + ".") + t.name;
  }
  return out;
}

TEST(TablesChangedBy, NamesTheTablesWhoseColumnsOrRowsChange) {
  EXPECT_EQ(Changed("ALTER TABLE items ADD COLUMN orders INT"), "tables:items");
  EXPECT_EQ(Changed("ALTER ONLINE IGNORE TABLE IF EXISTS `Shop`.`Orders` DROP x"),
            "tables:Shop.Orders");
  EXPECT_EQ(Changed("alter table a rename to b"), "tables:a,b");
  EXPECT_EQ(Changed("ALTER TABLE a RENAME COLUMN x TO orders"), "tables:a");
  EXPECT_EQ(Changed("ALTER TABLE a EXCHANGE PARTITION p WITH TABLE shop.orders"),
            "tables:a,shop.orders");
  EXPECT_EQ(Changed("RENAME TABLE a TO b, shop.c TO `d e`"), "tables:a,b,shop.c,d e");
  EXPECT_EQ(Changed("DROP TABLE IF EXISTS `a`,b /* generated by server */"), "tables:a,b");
  EXPECT_EQ(Changed("TRUNCATE orders"), "tables:orders");
  EXPECT_EQ(Changed("truncate table s.Orders"), "tables:s.Orders");
  EXPECT_EQ(Changed("DROP DATABASE IF EXISTS shop"), "tables:shop.");
  EXPECT_EQ(Changed("CREATE OR REPLACE TABLE orders (id INT)"), "tables:orders");
  EXPECT_EQ(Changed("CREATE OR REPLACE TABLE IF NOT EXISTS orders (id INT)"), "tables:orders");
  EXPECT_EQ(Changed("CREATE TABLE orders (id INT)"), "tables:orders");
  EXPECT_EQ(Changed("/*!40000 ALTER TABLE `orders` DISABLE KEYS */"), "tables:orders");
}

TEST(TablesChangedBy, StatementsThatChangeNoTable) {
  for (const char* sql : {
           "CREATE VIEW orders_v AS SELECT * FROM orders",
           "CREATE DEFINER=`root`@`localhost` TRIGGER tr BEFORE INSERT ON orders FOR EACH ROW "
           "SET NEW.x = 1",
           "CREATE INDEX i ON orders (x)",
           "CREATE UNIQUE INDEX i ON orders (x)",
           "CREATE TEMPORARY TABLE orders (id INT)",
           "CREATE TABLE IF NOT EXISTS orders (id INT)",
           "DROP TEMPORARY TABLE IF EXISTS orders",
           "DROP VIEW orders_v",
           "DROP INDEX i ON orders",
           "GRANT SELECT ON shop.orders TO 'etl'@'%'",
           "REVOKE ALL ON shop.orders FROM etl",
           "ANALYZE TABLE orders",
           "OPTIMIZE TABLE orders",
           "ALTER VIEW orders_v AS SELECT id FROM orders",
           "ALTER USER etl IDENTIFIED BY 'orders'",
           "RENAME USER a TO orders",
           "FLUSH TABLES orders",
       }) {
    EXPECT_EQ(Changed(sql), "none") << sql;
  }
}

TEST(TablesChangedBy, DataChangesAndTheUnparsedAreLeftToTheCaller) {
  EXPECT_EQ(Changed("UPDATE orders SET x = 1"), "rows");
  EXPECT_EQ(Changed("insert into orders values (1)"), "rows");
  EXPECT_EQ(Changed("SET STATEMENT max_statement_time=60 FOR ALTER TABLE orders DROP x"),
            "unknown");
  EXPECT_EQ(Changed("BEGIN NOT ATOMIC DROP TABLE orders; END"), "unknown");
  EXPECT_EQ(Changed("`orders`"), "unknown");
  EXPECT_EQ(Changed("DROP TABLE"), "unknown");
  EXPECT_EQ(Changed("RENAME TABLE a"), "unknown");
  EXPECT_EQ(Changed("/*!40000 ALTER TABLE orders DISABLE KEYS"), "unknown");
  EXPECT_EQ(Changed(""), "unknown");
}

TEST(ClassifyTableDdl, IndexesAndCommentsChangeNoRows) {
  for (const char* sql : {
           "ALTER TABLE t ADD INDEX i (note)",
           "ALTER TABLE t ADD UNIQUE KEY u (a, b), DROP KEY old",
           "ALTER TABLE t RENAME INDEX a TO b, ALGORITHM=INPLACE",
           "ALTER TABLE t COMMENT = 'orders of the shop'",
           "/*!40000 ALTER TABLE `t` DISABLE KEYS */",
           "ALTER TABLE t ADD COLUMN c INT, ADD INDEX (c)",
           "ALTER TABLE t ENGINE=InnoDB",
           "ALTER TABLE t FORCE",
           "ALTER TABLE `t` ENGINE = InnoDB ROW_FORMAT = DYNAMIC KEY_BLOCK_SIZE 8",
           "ALTER TABLE t AUTO_INCREMENT = 1000, ALGORITHM=COPY",
           "ALTER TABLE t STATS_PERSISTENT=1 STATS_SAMPLE_PAGES=DEFAULT",
       }) {
    bool columns = true;
    EXPECT_EQ(ClassifyTableDdl(sql, nullptr, &columns), TableDdl::kAddDropColumns) << sql;
    EXPECT_EQ(columns, std::string(sql).find("COLUMN") != std::string::npos) << sql;
  }
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t ADD PRIMARY KEY (a)"), TableDdl::kOther);
  EXPECT_EQ(ClassifyTableDdl("ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)"), TableDdl::kOther);
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
