#include "connectors/mysql/mysql_widen_columns.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "connectors/mysql/mysql_modify_column.h"
#include "connectors/mysql/mysql_types.h"
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

// The wider type of VARCHAR/CHAR/VARBINARY/BINARY column `c` for `incoming`, or nullopt when
// it takes it already (or is of another type).
Result<std::optional<std::string>> WiderText(const MysqlColumn& c, const DataType& incoming,
                                             bool in_key, const MysqlTable& table) {
  const bool text = c.data_type == "varchar" || c.data_type == "char";
  const bool bytes = c.data_type == "varbinary" || c.data_type == "binary";
  if (!(text && incoming.id == TypeId::kString) && !(bytes && incoming.id == TypeId::kBytes)) {
    return std::optional<std::string>();
  }
  const int64_t wanted = incoming.precision;  // 0: no length
  if (wanted != 0 && wanted <= c.char_length) return std::optional<std::string>();
  const bool fixed = c.data_type == "char" || c.data_type == "binary";
  const int64_t longest = text ? kLongestVarchar : kLongestVarbinary;
  if (wanted != 0 && wanted <= kShortLength) {
    return std::optional<std::string>(fmt::format(
        "{}({})", fixed ? (text ? "CHAR" : "BINARY") : (text ? "VARCHAR" : "VARBINARY"), wanted));
  }
  if (in_key) {
    if (wanted == 0 || wanted > kKeyLength) {
      return Err(Status::Invalid(
          "mysql target {}: column {} of the target's key was widened at the source to {}, "
          "more than an index of it can hold ({} characters), so the changes from here on "
          "cannot be applied; re-snapshot the table into a target keyed on other columns "
          "(target.key, startup: initial)",
          table.Label(), c.name,
          wanted == 0 ? "a text without a length" : fmt::format("{} characters", wanted),
          kKeyLength));
    }
    return std::optional<std::string>(
        fmt::format("{}({})", text ? "VARCHAR" : "VARBINARY", wanted));
  }
  if (wanted != 0 && wanted <= longest) {
    return std::optional<std::string>(
        fmt::format("{}({})", text ? "VARCHAR" : "VARBINARY", wanted));
  }
  return std::optional<std::string>(text ? "LONGTEXT" : "LONGBLOB");
}

struct Range {
  long double low = 0;
  long double high = 0;
};

// The values an integer column of the target holds; nullopt for another type.
std::optional<Range> HeldRange(const MysqlColumn& c) {
  const bool unsigned_ = c.column_type.find("unsigned") != std::string::npos;
  int bits = 0;
  if (c.data_type == "tinyint") bits = 8;
  if (c.data_type == "smallint") bits = 16;
  if (c.data_type == "mediumint") bits = 24;
  if (c.data_type == "int") bits = 32;
  if (c.data_type == "bigint") bits = 64;
  if (bits == 0) return std::nullopt;
  const long double span = std::ldexp(1.0L, bits);
  return unsigned_ ? Range{0, span - 1} : Range{-span / 2, span / 2 - 1};
}

std::optional<Range> RangeOf(TypeId id) {
  const int bytes = IntegerBytes(id);
  if (bytes == 0) return std::nullopt;
  const long double span = std::ldexp(1.0L, 8 * bytes);
  return IsUnsignedInteger(id) ? Range{0, span - 1} : Range{-span / 2, span / 2 - 1};
}

// The wider type of integer or DECIMAL column `c` for `incoming`, or nullopt when it takes it
// already (or is of another type).
std::optional<std::string> WiderNumber(const MysqlColumn& c, const DataType& incoming,
                                       bool in_key) {
  if (c.data_type == "decimal" && incoming.id == TypeId::kDecimal) {
    const int held_scale = c.numeric_scale;
    const int held_whole = c.numeric_precision - c.numeric_scale;
    if (incoming.precision != 0 && incoming.scale <= held_scale &&
        incoming.precision - incoming.scale <= held_whole) {
      return std::nullopt;
    }
    // As many digits before and after the point as either holds; beyond DECIMAL's 65 and 30,
    // the exact text a created table would keep.
    const int scale = std::max<int>(held_scale, incoming.scale);
    const int whole = std::max<int>(held_whole, incoming.precision - incoming.scale);
    if (incoming.precision == 0 || whole + scale > 65 || scale > 30) {
      return DdlTypeFor(DataType::Decimal(0, 0), in_key);
    }
    return fmt::format("DECIMAL({},{})", whole + scale, scale);
  }
  const std::optional<Range> held = HeldRange(c);
  const std::optional<Range> wanted = RangeOf(incoming.id);
  if (!held || !wanted) return std::nullopt;
  if (wanted->low >= held->low && wanted->high <= held->high) return std::nullopt;
  return DdlTypeFor(incoming, in_key);
}

}  // namespace

Result<std::vector<std::string>> WidenColumnsSql(Connection& conn, const MysqlTable& table,
                                                 const WriteRequest& request) {
  std::vector<std::string> ddl;
  for (const MysqlColumn& c : table.columns) {
    const std::optional<size_t> field = request.schema.IndexOf(c.name);
    if (!field) continue;
    // Only what the source widened: a column the user made narrower than the source's for
    // values that fit it is theirs.
    if (!request.schema.fields[*field].widened_at_source) continue;
    const DataType& incoming = request.schema.fields[*field].type;
    const bool in_key = InKey(c, table, request);
    std::optional<std::string> type;
    if (incoming.id == TypeId::kString || incoming.id == TypeId::kBytes) {
      SLUICE_ASSIGN_OR_RETURN(type, WiderText(c, incoming, in_key, table));
    } else {
      type = WiderNumber(c, incoming, in_key);
    }
    if (!type) continue;
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> sql,
                            ModifyColumnSql(conn, table, c.name, ColumnChange{.type = type}));
    if (sql) ddl.push_back(std::move(*sql));
  }
  return ddl;
}

}  // namespace sluice::mysql
