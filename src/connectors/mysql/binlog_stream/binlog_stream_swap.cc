// BinlogStream and a table swapped in under a streamed table's name (binlog_stream.h): the
// cut-over of an online schema change. gh-ost and pt-online-schema-change copy the table into
// a new one with the new definition, keep it in step with the changes, and end with
// `RENAME TABLE orders TO _orders_del, _orders_gho TO orders`. The new table holds the same
// rows, so the stream goes on as after ADD/DROP COLUMN; a column that kept its name but not
// its type, or another primary key, stops it, since the target holds the old ones.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog/field_type.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/binlog_stream/ddl_statement.h"
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

bool SameType(const binlog::TableMapColumn& a, const binlog::TableMapColumn& b) {
  // Signedness and collation only when both maps carry them (binlog_row_metadata=FULL).
  const bool sign = a.is_unsigned < 0 || b.is_unsigned < 0 || a.is_unsigned == b.is_unsigned;
  const bool collation = a.collation == 0 || b.collation == 0 || a.collation == b.collation;
  return a.type == b.type && a.real_type == b.real_type && a.length == b.length &&
         a.precision == b.precision && a.scale == b.scale && a.values == b.values && sign &&
         collation;
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
  if (map.has_names && last.has_names) {
    for (const binlog::TableMapColumn& now : map.columns) {
      for (const binlog::TableMapColumn& before : last.columns) {
        if (Lower(before.name) != Lower(now.name) || SameType(before, now)) continue;
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
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_stream
