#include "connectors/mysql/mysql_modify_column.h"

#include <fmt/format.h>

namespace sluice::mysql {

Result<std::optional<std::string>> ModifyColumnSql(Connection& conn, const MysqlTable& table,
                                                   const std::string& name,
                                                   const ColumnChange& change) {
  SLUICE_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      conn.QueryRow(
          fmt::format("SELECT COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, "
                      "COLUMN_COMMENT, VERSION() LIKE '%MariaDB%', IS_NULLABLE, EXTRA FROM "
                      "information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {} AND "
                      "COLUMN_NAME = {}",
                      QuoteString(table.database), QuoteString(table.name), QuoteString(name))));
  if (!row) {
    return Err(Status::NotFound("mysql target {}: column {} is gone from the catalog",
                                table.Label(), name));
  }
  const Row& r = *row;
  // AUTO_INCREMENT is restated; a generated column or ON UPDATE is not (nullopt).
  const std::string extra = r[7].value_or("");
  const bool auto_increment = extra == "auto_increment";
  if (!extra.empty() && !auto_increment && change.type) return std::optional<std::string>();
  std::string sql =
      fmt::format("ALTER TABLE {} MODIFY {} {}", QuoteQualified(table.database, table.name),
                  QuoteIdent(name), change.type ? *change.type : r[0].value_or(""));
  if (r[1]) sql += " CHARACTER SET " + *r[1];
  if (r[2]) sql += " COLLATE " + *r[2];
  sql += change.nullable || r[6].value_or("YES") == "YES" ? " NULL" : " NOT NULL";
  const bool mariadb = r[5].value_or("0") == "1";
  if (r[3] && !(mariadb && *r[3] == "NULL")) {
    sql += " DEFAULT " + (mariadb ? *r[3] : QuoteString(*r[3]));
  }
  if (auto_increment) sql += " AUTO_INCREMENT";
  if (r[4] && !r[4]->empty()) sql += " COMMENT " + QuoteString(*r[4]);
  return std::optional<std::string>(std::move(sql));
}

}  // namespace sluice::mysql
