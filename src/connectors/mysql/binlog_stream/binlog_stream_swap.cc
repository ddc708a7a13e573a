// BinlogStream and a table swapped in under a streamed table's name (binlog_stream.h): the
// cut-over of an online schema change. gh-ost and pt-online-schema-change copy the table into
// a new one with the new definition, keep it in step with the changes, and end with
// `RENAME TABLE orders TO _orders_del, _orders_gho TO orders`. The new table holds the same
// rows, so the stream goes on as after ADD/DROP COLUMN; a column that kept its name but not
// its type, or another primary key, stops it, since the target holds the old ones.
// CheckSameColumns also judges what a MODIFY of a streamed table did (modified_column.h).
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog/field_type.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"
#include "connectors/mysql/binlog_stream/modified_column.h"
#include "connectors/mysql/mysql_source.h"

namespace sluice::mysql::binlog_stream {
namespace {

// A column's binlog type as a person reads it: "VARCHAR(400 bytes)", "NEWDECIMAL(10,2)".
std::string TypeText(const binlog::TableMapColumn& c) {
  std::string out = binlog::FieldTypeName(c.real_type);
  if (c.real_type == binlog::FieldType::kNewDecimal) {
    out += fmt::format("({},{})", c.precision, c.scale);
  } else if (c.length != 0) {
    out += fmt::format("({} bytes)", c.length);
  } else if (c.scale != 0) {
    out += fmt::format("({})", c.scale);
  }
  if (c.is_unsigned == 1) out += " UNSIGNED";
  if (c.collation != 0) out += fmt::format(" collation {}", c.collation);
  return out;
}

// The primary key's column names, lower-cased ("" when the map does not say).
std::string KeyOf(const binlog::TableMap& map) {
  std::string out;
  for (uint32_t i : map.primary_key) {
    if (i >= map.columns.size()) continue;
    if (!out.empty()) out += ", ";
    out += Lower(map.columns[i].name);
  }
  return out;
}

}  // namespace

BinlogStream::SwapKind BinlogStream::SwapOf(size_t t, const std::vector<RenamedTable>& pairs,
                                            std::string_view default_db,
                                            std::string* streamed) const {
  const MysqlConfig& c = tables_[t].config;
  auto in = [&](const StatementTable& n) -> std::string {
    return n.db.empty() ? std::string(default_db) : n.db;
  };
  auto is_ours = [&](const StatementTable& n) {
    if (Lower(in(n)) != Lower(c.database)) return false;
    return c.table_exact ? n.name == c.table : Lower(n.name) == Lower(c.table);
  };
  bool away = false, swapped_in = false;
  std::string other;  // another table of this stream named by the statement
  for (const RenamedTable& p : pairs) {
    for (const StatementTable* n : {&p.from, &p.to}) {
      if (other.empty() && !is_ours(*n) && TableNamed(in(*n), n->name)) {
        other = in(*n) + "." + n->name;
      }
    }
    if (is_ours(p.from) && !is_ours(p.to)) {
      if (away) return SwapKind::kNone;  // moved away twice: not a plain swap
      away = true;
    } else if (is_ours(p.to) && !is_ours(p.from)) {
      if (!away || swapped_in) return SwapKind::kNone;  // the name still taken, or taken twice
      swapped_in = true;
    }
  }
  if (!away || !swapped_in) return SwapKind::kNone;
  if (other.empty()) return SwapKind::kFollowed;
  if (streamed) *streamed = other;
  return SwapKind::kWithAnotherStreamedTable;
}

Status BinlogStream::CheckSwapsOfStreamedTables(const std::vector<RenamedTable>& pairs,
                                                std::string_view sql,
                                                std::string_view default_db) const {
  for (size_t t = 0; t < tables_.size(); ++t) {
    std::string other;
    if (SwapOf(t, pairs, default_db, &other) != SwapKind::kWithAnotherStreamedTable) continue;
    return Status::Invalid(
        "{}: another table was swapped in under the table's name ({}), and {} is read by this "
        "job too (the job's patterns select the online schema change tool's tables): leave "
        "them out of source.tables (for example \"!{}._*\" for gh-ost's and "
        "pt-online-schema-change's), then re-snapshot the table",
        tables_[t].label, sql, other, tables_[t].config.database);
  }
  return Status::OK();
}

Status BinlogStream::HandleTableSwap(size_t t, std::string_view sql) {
  Table& table = tables_[t];
  if (row_metadata_ != "full") {
    return Status::Invalid(
        "{}: another table was swapped in under the table's name ({}), but the server writes "
        "binlog_row_metadata={}: the binlog has no column names to follow it by; set "
        "binlog_row_metadata=FULL before an online schema change, and re-snapshot the job",
        table.label, sql, row_metadata_.empty() ? "(not supported)" : Upper(row_metadata_));
  }
  // The columns the new table lacks, by the catalog (which has the new table now), are dropped
  // from this statement on, as after DROP COLUMN: a checkpoint before the next TABLE_MAP must
  // carry them. Its new columns are added by that TABLE_MAP (typed and with their defaults
  // from the catalog, DefineNewColumn), after CheckSameColumns.
  MysqlSource catalog(table.config);
  Status opened = catalog.Open(request_);
  if (!opened.ok()) {
    return Status::Invalid(
        "{}: another table was swapped in under the table's name ({}), "
        "and its columns cannot be read: {}",
        table.label, sql, opened.message());
  }
  std::vector<std::string> dropped;
  for (const Field& f : table.schema.fields) {
    if (f.dropped_at_source) continue;
    bool kept = false;
    for (const Field& now : catalog.schema().fields)
      kept = kept || Lower(now.name) == Lower(f.name);
    if (!kept) dropped.push_back(Lower(f.name));
  }
  spdlog::info("{}: another table was swapped in under its name ({}); following its columns{}",
               table.label, sql,
               dropped.empty() ? "" : fmt::format(" (dropped: {})", fmt::join(dropped, ", ")));
  table.swapped_in_by = std::string(sql);
  // A run that started after the table's last TABLE_MAP before the swap (a restart, a later
  // --catch-up) has nothing to check the new table against: it is learned from the binlog
  // before the start (LearnDroppedColumns), before the next event.
  if (table.last_map.columns.empty()) unknown_drops_.push_back(UnknownDrop{t, {}, true});
  table.follower.NoteColumnDdl(table.label, table.schema, dropped);
  return Status::OK();
}

Status BinlogStream::CheckSameColumns(size_t t, const binlog::TableMap& map) {
  Table& table = tables_[t];
  const binlog::TableMap& last = table.last_map;
  if (last.columns.empty() || map.table_id == last.table_id) return Status::OK();
  const std::string why =
      table.swapped_in_by.empty()
          ? std::string(
                "the table was changed without a statement the "
                "stream could follow")
          : "another table was swapped in under its name (" + table.swapped_in_by + ")";
  // The columns a MODIFY restated are judged by what it did (modified_column.h); the rest must
  // have kept their types.
  std::vector<std::string> modified = std::move(table.modified);
  const std::string modified_by = std::move(table.modified_by);
  table.modified.clear();
  table.modified_by.clear();
  std::vector<std::pair<std::string, binlog::TableMapColumn>> widened;
  if (!modified.empty() && !(map.has_names && last.has_names)) {
    return Status::Invalid(
        "{}: a column was modified ({}), and the binlog has no column names to tell what "
        "became of it by: set binlog_row_metadata=FULL before changing the table, and "
        "re-snapshot the table into a fresh target",
        table.label, modified_by);
  }
  if (map.has_names && last.has_names) {
    for (const binlog::TableMapColumn& now : map.columns) {
      for (const binlog::TableMapColumn& before : last.columns) {
        if (Lower(before.name) != Lower(now.name)) continue;
        const bool restated =
            table.swapped_in_by.empty() &&
            std::find(modified.begin(), modified.end(), Lower(now.name)) != modified.end();
        if (restated) {
          const ModifiedColumn judged = JudgeModifiedColumn(before, now);
          if (judged.widened) widened.emplace_back(now.name, now);
          if (judged.followed) continue;
          return Status::Invalid(
              "{}: column {} changed from {} to {} in the binlog ({}): {}; only ADD COLUMN, "
              "DROP COLUMN and a MODIFY that keeps every value (a longer text, a wider integer "
              "or decimal, ENUM or SET members appended) are followed, and the target holds "
              "the old values: "
              "re-snapshot the table into a fresh target",
              table.label, now.name, TypeText(before), TypeText(now), modified_by, judged.why_not);
        }
        if (SameBinlogType(before, now)) continue;
        return Status::Invalid(
            "{}: column {} changed from {} to {} in the binlog: {}; the target holds the old "
            "type: re-snapshot the table into a fresh target",
            table.label, now.name, TypeText(before), TypeText(now), why);
      }
    }
  }
  const std::string key_before = KeyOf(last), key_now = KeyOf(map);
  if (!key_before.empty() && !key_now.empty() && key_before != key_now) {
    return Status::Invalid(
        "{}: the primary key changed from ({}) to ({}) in the binlog: {}; the target applies "
        "changes by the old key: re-snapshot the table into a fresh target",
        table.label, key_before, key_now, why);
  }
  if (!widened.empty()) NoteWidened(t, widened);
  return Status::OK();
}

void BinlogStream::NoteWidened(
    size_t t, const std::vector<std::pair<std::string, binlog::TableMapColumn>>& columns) {
  Table& table = tables_[t];
  // A text's length: the catalog's when it is one the binlog's bytes allow (a later ALTER may
  // have changed it again), else as many characters as the bytes hold at the fewest per
  // character. Integers and decimals: as the binlog has them.
  // The catalog is read only for a text (whose metadata has a length; an integer's has none).
  const bool any_text = std::any_of(columns.begin(), columns.end(), [](const auto& c) {
    return c.second.type != binlog::FieldType::kNewDecimal && c.second.precision == 0 &&
           c.second.length > 0;
  });
  MysqlSource catalog(table.config);
  const bool read = any_text && catalog.Open(request_).ok();
  std::vector<std::pair<std::string, DataType>> types;
  for (const auto& [name, now] : columns) {
    const auto known = std::find_if(table.schema.fields.begin(), table.schema.fields.end(),
                                    [&](const Field& f) { return Lower(f.name) == Lower(name); });
    if (known == table.schema.fields.end()) continue;
    const TypeId id = known->type.id;
    DataType type = TypeOfWidened(now, id);
    for (const Field& f : read ? catalog.schema().fields : std::vector<Field>{}) {
      const bool text = id == TypeId::kString || id == TypeId::kBytes;
      if (!text || Lower(f.name) != Lower(name) || f.type.id != id || type.precision == 0) {
        continue;
      }
      if (f.type.precision >= now.length / 4 && f.type.precision <= type.precision) type = f.type;
    }
    types.emplace_back(name, type);
  }
  table.follower.NoteWidened(std::move(types));
}

}  // namespace sluice::mysql::binlog_stream
