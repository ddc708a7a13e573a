#include "connectors/mysql/binlog_stream/added_defaults.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/sql_common/added_default.h"

namespace sluice::mysql::binlog_stream {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The value of a MariaDB string literal as COLUMN_DEFAULT shows it ('it''s', 'a\\b');
// nullopt when `sql` is not one.
std::optional<std::string> Unquote(const std::string& sql) {
  if (sql.size() < 2 || sql.front() != '\'' || sql.back() != '\'') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') {
      if (i + 2 >= sql.size() || sql[i + 1] != '\'') return std::nullopt;
      out += '\'';
      ++i;
    } else if (c == '\\') {
      if (i + 2 >= sql.size()) return std::nullopt;
      const char e = sql[++i];
      switch (e) {
        case '0':
          out += '\0';
          break;
        case 'b':
          out += '\b';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'Z':
          out += '\x1a';
          break;
        case '%':
        case '_':
          out += '\\';
          out += e;
          break;
        default:
          out += e;
      }
    } else {
      out += c;
    }
  }
  return out;
}

// The first value of "enum('a','b')".
std::optional<std::string> FirstEnumValue(const std::string& column_type) {
  const size_t open = column_type.find('(');
  if (open == std::string::npos) return std::nullopt;
  size_t end = open + 1;
  if (end >= column_type.size() || column_type[end] != '\'') return std::nullopt;
  for (++end; end < column_type.size(); ++end) {
    if (column_type[end] != '\'') continue;
    if (end + 1 < column_type.size() && column_type[end + 1] == '\'') {
      ++end;
      continue;
    }
    break;
  }
  if (end >= column_type.size()) return std::nullopt;
  return Unquote(column_type.substr(open + 1, end - open));
}

// MariaDB's implicit default of a NOT NULL column without DEFAULT, which ADD COLUMN gives the
// existing rows (checked against the server: binlog_added_default_run_test.cc).
void SetImplicit(const ColumnDefault& c, ZeroDate zero_date, Field& field) {
  static const std::set<std::string> zero = {"tinyint", "smallint", "mediumint", "int",
                                             "integer", "bigint",   "decimal",   "numeric",
                                             "float",   "double",   "real"};
  static const std::set<std::string> empty = {"char",       "varchar",  "tinytext", "text",
                                              "mediumtext", "longtext", "json"};
  static const std::set<std::string> dates = {"date", "datetime", "timestamp"};
  if (zero.count(c.data_type) > 0) {
    field.added_default = "0";
  } else if (empty.count(c.data_type) > 0) {
    field.added_default = "";
  } else if (c.data_type == "time") {
    field.added_default = "00:00:00";
  } else if (c.data_type == "enum" && FirstEnumValue(c.column_type)) {
    field.added_default = FirstEnumValue(c.column_type);
  } else if (dates.count(c.data_type) > 0 && zero_date == ZeroDate::kNull) {
    // A zero date reads as NULL with zero_date: null; the target's existing rows keep NULL.
  } else {
    field.added_default_unknown = fmt::format(
        "NOT NULL and no DEFAULT (MariaDB's implicit default of a {} column)", c.column_type);
  }
}

}  // namespace

void SetAddedDefault(const ColumnDefault& c, ZeroDate zero_date, Field& field) {
  field.added_default.reset();
  field.added_default_unknown.clear();
  if (Lower(c.extra).find("auto_increment") != std::string::npos) {
    field.added_default_unknown = "AUTO_INCREMENT";
    return;
  }
  if (!c.column_default || (c.mariadb && *c.column_default == "NULL")) {
    if (!c.nullable) SetImplicit(c, zero_date, field);
    return;
  }
  const std::string& sql = *c.column_default;
  // TIMESTAMP values depend on the session's time zone: a text default would be read in the
  // target's, not the source's.
  const bool zoned = c.data_type == "timestamp";
  if (c.mariadb) {
    if (sql_common::IsPlainNumber(sql)) {
      field.added_default = sql;
      return;
    }
    if (std::optional<std::string> text = Unquote(sql); text && !zoned) {
      field.added_default = std::move(*text);
      return;
    }
  } else if (Lower(c.extra).find("default_generated") == std::string::npos && !zoned &&
             Lower(sql).find("current_timestamp") == std::string::npos) {
    field.added_default = sql;  // MySQL: the bare value
    return;
  }
  field.added_default_unknown = "DEFAULT " + sql;
}

Status ReadAddedDefaults(const MysqlConfig& config, Schema& schema, size_t from) {
  if (from >= schema.size()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(Connection conn, Connection::Open(config.url));
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      conn.Query(fmt::format(
          "SELECT COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, LOWER(DATA_TYPE), COLUMN_TYPE, EXTRA, "
          "VERSION() LIKE '%MariaDB%' FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} "
          "AND TABLE_NAME = {}",
          QuoteString(config.database), QuoteString(config.table))));
  for (size_t i = from; i < schema.size(); ++i) {
    Field& field = schema.fields[i];
    for (const Row& r : rows) {
      if (Lower(r[0].value_or("")) != Lower(field.name)) continue;
      ColumnDefault c;
      c.column_default = r[1];
      c.nullable = r[2].value_or("") == "YES";
      c.data_type = r[3].value_or("");
      c.column_type = r[4].value_or("");
      c.extra = r[5].value_or("");
      c.mariadb = r[6].value_or("1") == "1";
      SetAddedDefault(c, config.zero_date, field);
    }
  }
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_stream
