#include "connectors/mysql/mysql_lengthen_columns.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "connectors/mysql/mysql_modify_column.h"
#include "core/schema_change.h"

namespace sluice::mysql {
namespace {

constexpr int64_t kShortLength = 255;       // what CHAR and BINARY hold
constexpr int64_t kKeyLength = 768;         // InnoDB's 3,072-byte index entry in utf8mb4
constexpr int64_t kLongestVarchar = 16383;  // 65,535 bytes in utf8mb4
constexpr int64_t kLongestVarbinary = 65532;

bool InKey(const MysqlColumn& c, const MysqlTable& table, const WriteRequest& request) {
  auto same = [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); };
  auto lists = [&](const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return std::equal(n.begin(), n.end(), c.name.begin(), c.name.end(), same);
    });
  };
  return c.pk > 0 || lists(table.primary_key) || lists(request.key);
}

}  // namespace

Result<std::vector<std::string>> LengthenColumnsSql(Connection& conn, const MysqlTable& table,
                                                    const WriteRequest& request) {
  std::vector<std::string> ddl;
  for (const MysqlColumn& c : table.columns) {
    const std::optional<size_t> field = request.schema.IndexOf(c.name);
    if (!field) continue;
    // Only what the source lengthened: a column the user made shorter than the source's
    // declared length, for values that fit, is theirs.
    if (!request.schema.fields[*field].lengthened_at_source) continue;
    const DataType& incoming = request.schema.fields[*field].type;
    const bool text = c.data_type == "varchar" || c.data_type == "char";
    const bool bytes = c.data_type == "varbinary" || c.data_type == "binary";
    if (!(text && incoming.id == TypeId::kString) && !(bytes && incoming.id == TypeId::kBytes)) {
      continue;
    }
    const int64_t wanted = incoming.precision;  // 0: no length
    if (wanted != 0 && wanted <= c.char_length) continue;
    const bool fixed = c.data_type == "char" || c.data_type == "binary";
    const int64_t longest = text ? kLongestVarchar : kLongestVarbinary;
    std::string type;
    if (wanted != 0 && wanted <= kShortLength) {
      type = fmt::format(
          "{}({})", fixed ? (text ? "CHAR" : "BINARY") : (text ? "VARCHAR" : "VARBINARY"), wanted);
    } else if (InKey(c, table, request)) {
      if (wanted == 0 || wanted > kKeyLength) {
        return Err(Status::Invalid(
            "mysql target {}: column {} of the target's key became longer at the source ({}) "
            "than an index of it can hold ({} characters), so the changes from here on cannot "
            "be applied; re-snapshot the table into a target keyed on other columns "
            "(target.key, startup: initial)",
            table.Label(), c.name, LengthName(incoming), kKeyLength));
      }
      type = fmt::format("{}({})", text ? "VARCHAR" : "VARBINARY", wanted);
    } else if (wanted != 0 && wanted <= longest) {
      type = fmt::format("{}({})", text ? "VARCHAR" : "VARBINARY", wanted);
    } else {
      type = text ? "LONGTEXT" : "LONGBLOB";
    }
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> sql,
                            ModifyColumnSql(conn, table, c.name, ColumnChange{.type = type}));
    if (sql) ddl.push_back(std::move(*sql));
  }
  return ddl;
}

}  // namespace sluice::mysql
