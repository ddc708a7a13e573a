#include "connectors/mysql/mysql_target.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "connectors/mysql/mysql_change_merge.h"
#include "connectors/mysql/mysql_encoder.h"
#include "connectors/mysql/mysql_relax_not_null.h"
#include "connectors/mysql/mysql_table.h"
#include "connectors/mysql/mysql_widen_columns.h"
#include "connectors/sql_common/added_default.h"

namespace sluice::mysql {
namespace {

constexpr std::string_view kRole = "mysql target";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool NeedsKey(WriteMode mode) {
  return mode == WriteMode::kUpsert || mode == WriteMode::kReplace || mode == WriteMode::kIgnore;
}

bool IsTransactional(std::string_view engine) {
  std::string e = Lower(engine);
  return e == "innodb" || e == "xtradb" || e == "rocksdb" || e == "tokudb";
}

Status ValidateRequest(const MysqlConfig& config, const WriteRequest& request) {
  if (request.schema.fields.empty()) return Status::Invalid("{}: no columns to write", kRole);
  // MariaDB column names ignore case: `A` and `a` would be one column, and LOAD DATA would
  // keep one of the two values without a word.
  std::map<std::string, std::string> folded;
  for (const Field& f : request.schema.fields) {
    auto [it, inserted] = folded.emplace(Lower(f.name), f.name);
    if (!inserted) {
      return Status::Invalid(
          "{}: incoming columns '{}' and '{}' differ only by case, and MariaDB column names "
          "ignore case (one would take the other's values): rename one with a transform or "
          "leave one out with source.columns",
          kRole, it->second, f.name);
    }
  }
  if (NeedsKey(request.mode) && request.key.empty()) {
    return Status::Invalid("{}: write_mode {} needs target.key", kRole,
                           WriteModeName(request.mode));
  }
  for (const std::string& k : request.key) {
    bool is_partition = config.partition && Lower(config.partition->column) == Lower(k);
    if (!request.schema.IndexOf(k) && !is_partition) {
      return Status::Invalid("{}: key column '{}' is not among the incoming columns ({})", kRole, k,
                             request.schema.ToString());
    }
  }
  return Status::OK();
}

// The key of a created table: `key`, plus the partition column so each partition value holds
// its own copy of a key.
std::vector<std::string> CreatedKey(const MysqlConfig& config, const WriteRequest& request) {
  std::vector<std::string> key = request.key;
  if (config.partition && !key.empty()) {
    bool has = std::any_of(key.begin(), key.end(), [&](const std::string& k) {
      return Lower(k) == Lower(config.partition->column);
    });
    if (!has) key.push_back(config.partition->column);
  }
  return key;
}

std::string CreateTableSql(const MysqlConfig& config, const WriteRequest& request,
                           const std::optional<size_t>& partition_field) {
  const std::vector<std::string> key = CreatedKey(config, request);
  std::set<std::string> keys;
  for (const std::string& k : key) keys.insert(Lower(k));
  std::string sql = "CREATE TABLE " + QuoteQualified(config.database, config.table) + " (";
  for (size_t i = 0; i < request.schema.fields.size(); ++i) {
    const Field& f = request.schema.fields[i];
    const bool in_key = keys.count(Lower(f.name)) > 0;
    if (i > 0) sql += ", ";
    sql += QuoteIdent(f.name) + " ";
    if (partition_field && *partition_field == i) {
      sql += "VARCHAR(64) NOT NULL";  // holds the partition value text
      continue;
    }
    sql += DdlTypeFor(f.type, in_key);
    if (!f.nullable || in_key) sql += " NOT NULL";
  }
  if (config.partition && !partition_field) {
    sql += ", " + QuoteIdent(config.partition->column) + " VARCHAR(64) NOT NULL";
  }
  if (!key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? ", " : "") + QuoteIdent(key[i]);
    sql += ")";
  }
  if (config.partition) sql += ", KEY (" + QuoteIdent(config.partition->column) + ")";
  return sql + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
}

// Every way the existing table does not fit, at once.
std::vector<std::string> CheckTable(const MysqlTable& table, const MysqlConfig& config,
                                    const WriteRequest& request, std::vector<std::string>& columns,
                                    std::vector<TargetClass>& classes) {
  std::vector<std::string> problems;
  std::set<std::string> written;
  for (const Field& f : request.schema.fields) {
    std::optional<size_t> index = table.Find(f.name);
    if (!index) {
      problems.push_back(fmt::format("column '{}' missing", f.name));
      columns.push_back(f.name);
      classes.push_back(TargetClass::kText);
      continue;
    }
    const MysqlColumn& c = table.columns[*index];
    written.insert(Lower(c.name));
    columns.push_back(c.name);
    classes.push_back(TargetClassOf(c));
    const bool is_partition = config.partition && Lower(config.partition->column) == Lower(c.name);
    if (is_partition) continue;  // written with the partition value, as text
    std::string why = CheckWritable(f.type, c);
    if (!why.empty()) problems.push_back(fmt::format("column '{}' is {}", c.name, why));
    why = NullRuleConflict(f, c.name, !c.nullable);
    if (!why.empty()) problems.push_back(std::move(why));
  }
  if (config.partition) {
    if (!table.Find(config.partition->column)) {
      problems.push_back(fmt::format("partition column '{}' missing", config.partition->column));
    } else {
      written.insert(Lower(config.partition->column));
    }
  }
  for (const MysqlColumn& c : table.columns) {
    if (!c.nullable && !c.has_default && written.count(Lower(c.name)) == 0) {
      problems.push_back(fmt::format(
          "column '{}' is NOT NULL without a default and no incoming column fills it", c.name));
    }
  }
  if (table.is_view) problems.push_back("it is a view, not a table");
  if (!table.is_view && !IsTransactional(table.engine)) {
    problems.push_back(fmt::format(
        "its engine {} cannot roll back; exactly-once writes need InnoDB", table.engine));
  }
  if (NeedsKey(request.mode)) {
    std::set<std::string> wanted;
    for (const std::string& k : request.key) wanted.insert(Lower(k));
    std::set<std::string> with_partition = wanted;
    if (config.partition) with_partition.insert(Lower(config.partition->column));
    bool found = false;
    for (const std::vector<std::string>& unique : table.unique_keys) {
      std::set<std::string> cols;
      for (const std::string& c : unique) cols.insert(Lower(c));
      found = found || cols == wanted || cols == with_partition;
    }
    if (!found) {
      std::string key_list;
      for (const std::string& k : request.key) key_list += (key_list.empty() ? "" : ", ") + k;
      problems.push_back(fmt::format(
          "no PRIMARY KEY or UNIQUE index on ({}), which write_mode {} needs to find existing "
          "rows",
          key_list, WriteModeName(request.mode)));
    }
  }
  return problems;
}

std::string LoadSql(const TargetPlan& plan, const MysqlConfig& config, const WriteRequest& request,
                    const std::vector<std::string>& columns) {
  const bool upsert = request.mode == WriteMode::kUpsert;
  const char* verb = request.mode == WriteMode::kReplace  ? " REPLACE"
                     : request.mode == WriteMode::kIgnore ? " IGNORE"
                                                          : "";
  std::string into = upsert ? QuoteQualified(plan.database, std::string(kStagingTable))
                            : QuoteQualified(plan.database, plan.table);
  std::string list;
  std::string sets;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) list += ", ";
    std::string var = fmt::format("@sluice_v{}", i);
    if (plan.partition_field && *plan.partition_field == i) {
      list += var;  // read and dropped: the partition value is set below
      continue;
    }
    switch (ViaFor(plan.classes[i])) {
      case LoadVia::kDirect:
        list += QuoteIdent(columns[i]);
        break;
      case LoadVia::kUnhex:
        list += var;
        sets +=
            fmt::format("{}{} = UNHEX({})", sets.empty() ? "" : ", ", QuoteIdent(columns[i]), var);
        break;
      case LoadVia::kUnsigned:
        list += var;
        sets += fmt::format("{}{} = CAST({} AS UNSIGNED)", sets.empty() ? "" : ", ",
                            QuoteIdent(columns[i]), var);
        break;
    }
  }
  // Staged rows end with their remove flag (mysql_change_merge.h) and, in realtime runs, the
  // hex of their keep mask.
  if (upsert) list += ", " + QuoteIdent(kStagingRemove);
  if (upsert && request.realtime) {
    list += ", @sluice_keep";
    sets += fmt::format("{}{} = UNHEX(@sluice_keep)", sets.empty() ? "" : ", ",
                        QuoteIdent(kStagingKeep));
  }
  if (config.partition) {
    sets += fmt::format("{}{} = {}", sets.empty() ? "" : ", ", QuoteIdent(config.partition->column),
                        QuoteString(config.partition->value));
  }
  std::string sql = fmt::format(
      "LOAD DATA LOCAL INFILE 'sluice-batch'{} INTO TABLE {} CHARACTER SET utf8mb4 "
      "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({})",
      verb, into, list);
  if (!sets.empty()) sql += " SET " + sets;
  return sql;
}

// `not_null[i]`: the target's column `columns[i]` is NOT NULL.
void BuildUpsert(TargetPlan& plan, const MysqlConfig& config, const WriteRequest& request,
                 const std::vector<std::string>& columns, const std::vector<bool>& not_null) {
  std::vector<std::string> targets = columns;
  if (config.partition && !plan.partition_field) targets.push_back(config.partition->column);
  std::set<std::string> keys;
  for (const std::string& k : request.key) keys.insert(Lower(k));
  std::string list;
  std::string updates;
  for (const std::string& c : targets) {
    list += (list.empty() ? "" : ", ") + QuoteIdent(c);
    if (keys.count(Lower(c)) > 0) continue;
    updates +=
        fmt::format("{}{} = VALUES({})", updates.empty() ? "" : ", ", QuoteIdent(c), QuoteIdent(c));
  }
  // Only key columns: a conflict keeps the row as it is. VALUES(): a bare column on the right
  // is ambiguous in INSERT ... SELECT from a staging table with the same columns.
  if (updates.empty()) updates = fmt::format("{0} = VALUES({0})", QuoteIdent(request.key.front()));
  const std::string staging = QuoteQualified(plan.database, std::string(kStagingTable));
  // The staging columns take the target's types (CREATE ... SELECT). A row that removes its key
  // (a delete, an update's old image) may carry only the key: a PostgreSQL source without
  // REPLICA IDENTITY FULL sends nothing else. So the columns outside the key come from an
  // outer-joined copy of the target, which makes them nullable, and a NOT NULL target column
  // gets a check instead that holds for the rows that are written (_sluice_remove = 0): a NULL
  // there is still refused at LOAD DATA, and its row rejected, as before.
  std::string select;
  std::string checks;
  for (size_t i = 0; i < targets.size(); ++i) {
    const bool in_key = keys.count(Lower(targets[i])) > 0;
    select += fmt::format("{}{}.{}", select.empty() ? "" : ", ", in_key ? "t" : "n",
                          QuoteIdent(targets[i]));
    if (!in_key && i < not_null.size() && not_null[i]) {
      // An unchanged cell (its row has a keep mask) is NULL until UnchangedFillSql.
      checks += fmt::format(
          ", CHECK ({} IS NOT NULL OR {} = 1{})", QuoteIdent(targets[i]),
          QuoteIdent(kStagingRemove),
          plan.keep_masks ? " OR " + QuoteIdent(kStagingKeep) + " IS NOT NULL" : std::string());
    }
  }
  const std::string keep_column =
      plan.keep_masks ? fmt::format(", {} VARBINARY(8192) NULL", QuoteIdent(kStagingKeep)) : "";
  const std::string target = QuoteQualified(plan.database, plan.table);
  plan.staging_sql = fmt::format(
      "CREATE TEMPORARY TABLE {} ({} BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, {} TINYINT NOT "
      "NULL DEFAULT 0{}{}) ENGINE=InnoDB SELECT {} FROM {} t LEFT JOIN {} n ON FALSE LIMIT 0",
      staging, QuoteIdent(kStagingSeq), QuoteIdent(kStagingRemove), keep_column, checks, select,
      target, target);
  plan.merge_head = fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}",
                                QuoteQualified(plan.database, plan.table), list, list, staging);
  plan.merge_tail =
      fmt::format(" ORDER BY {} ON DUPLICATE KEY UPDATE {}", QuoteIdent(kStagingSeq), updates);

  std::vector<std::string> key = request.key;
  const bool partition_in_key =
      config.partition && std::any_of(key.begin(), key.end(), [&](const std::string& k) {
        return Lower(k) == Lower(config.partition->column);
      });
  if (config.partition && !partition_in_key) key.push_back(config.partition->column);
  ChangeMergeSql change =
      BuildChangeMergeSql(QuoteQualified(plan.database, plan.table), staging, targets, key);
  plan.change_delete_sql = std::move(change.delete_sql);
  plan.change_insert_sql = std::move(change.insert_sql);
  for (const std::string& k : request.key) {
    std::optional<size_t> field = request.schema.IndexOf(k);
    if (field && field != plan.partition_field) plan.key_fields.push_back(*field);
  }
}

}  // namespace

UnchangedFill UnchangedFillSql(const TargetPlan& plan, const std::vector<size_t>& fields) {
  const std::string staging = QuoteQualified(plan.database, std::string(kStagingTable));
  const std::string target = QuoteQualified(plan.database, plan.table);
  const std::string keep = "s." + QuoteIdent(kStagingKeep);
  std::string match;
  for (const std::string& k : plan.key) {
    match +=
        fmt::format("{}t.{} = s.{}", match.empty() ? "" : " AND ", QuoteIdent(k), QuoteIdent(k));
  }
  // Each assignment reads only the mask and its own column, so their order (which MySQL does
  // not promise for a multiple-table UPDATE) does not matter; the masks are cleared after.
  std::string sets;
  for (size_t f : fields) {
    const std::string name = QuoteIdent(plan.columns[f]);
    sets += fmt::format("{}s.{} = IF(ASCII(SUBSTRING({}, {}, 1)) & {}, t.{}, s.{})",
                        sets.empty() ? "" : ", ", name, keep, f / 8 + 1, 1u << (f % 8), name, name);
  }
  UnchangedFill fill;
  fill.fill_sql = fmt::format("UPDATE {} s JOIN {} t ON {} SET {} WHERE {} IS NOT NULL", staging,
                              target, match, sets, keep);
  fill.clear_sql = fmt::format("UPDATE {} s JOIN {} t ON {} SET {} = NULL WHERE {} IS NOT NULL",
                               staging, target, match, keep, keep);
  fill.unmatched_sql = fmt::format("SELECT COUNT(*) FROM {} WHERE {} IS NOT NULL", staging,
                                   QuoteIdent(kStagingKeep));
  return fill;
}

std::string TargetPlan::MergeSql(std::optional<std::pair<int64_t, int64_t>> seq_range) const {
  if (!seq_range) return merge_head + merge_tail;
  return fmt::format("{} WHERE {} BETWEEN {} AND {}{}", merge_head, QuoteIdent(kStagingSeq),
                     seq_range->first, seq_range->second, merge_tail);
}

Result<std::vector<std::string>> AddColumnsSql(Connection& conn, const MysqlConfig& config,
                                               const WriteRequest& request,
                                               const std::vector<std::string>& columns) {
  Result<std::optional<MysqlTable>> loaded =
      LoadTable(conn, config.database, config.table, config.table_exact);
  if (!loaded) return Err(loaded.error().WithContext(kRole));
  std::vector<std::string> ddl;
  if (!loaded->has_value()) return ddl;  // Prepare creates it with every column
  const MysqlTable& table = **loaded;
  for (const std::string& name : columns) {
    const std::optional<size_t> index = request.schema.IndexOf(name);
    if (!index || table.Find(name)) continue;
    const Field& f = request.schema.fields[*index];
    // Nullable whatever the source says: the rows already in the table may have no value. They
    // get what the source gave its own existing rows, if that was a constant.
    SLUICE_ASSIGN_OR_RETURN(
        std::string fill,
        sql_common::AddedDefaultClause(f, std::string(kRole) + " " + table.Label(),
                                       [](std::string_view v) { return QuoteString(v); }));
    ddl.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}{}",
                              QuoteQualified(table.database, table.name), QuoteIdent(f.name),
                              DdlTypeFor(f.type, /*in_key=*/false), fill));
  }
  // Columns dropped at the source take NULL from now on: a NOT NULL one must accept it.
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<std::string> relax,
      RelaxNotNullSql(conn, table, request, config.partition ? config.partition->column : ""));
  ddl.insert(ddl.end(), relax.begin(), relax.end());
  // Columns the source lengthened take its longer values.
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> lengthen, WidenColumnsSql(conn, table, request));
  ddl.insert(ddl.end(), lengthen.begin(), lengthen.end());
  return ddl;
}

Result<TargetPlan> BuildTargetPlan(Connection& conn, const MysqlConfig& config,
                                   const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(ValidateRequest(config, request));
  Result<std::optional<MysqlTable>> loaded =
      LoadTable(conn, config.database, config.table, config.table_exact);
  if (!loaded) return Err(loaded.error().WithContext(kRole));
  TargetPlan plan;
  plan.database = config.database;
  if (config.partition) plan.partition_field = request.schema.IndexOf(config.partition->column);
  std::vector<std::string> columns;
  std::vector<bool> not_null;  // per column of `columns`
  if (!loaded->has_value()) {
    if (config.create_table == CreateTable::kNever) {
      Status missing = TableNotFound(conn, kRole, config.database, config.table);
      return Err(Status::NotFound("{} (create_table is never)", missing.message()));
    }
    plan.table = config.table;
    plan.create_sql = CreateTableSql(config, request, plan.partition_field);
    const std::vector<std::string> key = CreatedKey(config, request);
    for (size_t i = 0; i < request.schema.fields.size(); ++i) {
      columns.push_back(request.schema.fields[i].name);
      const bool in_key = std::any_of(key.begin(), key.end(), [&](const std::string& k) {
        return Lower(k) == Lower(columns.back());
      });
      not_null.push_back(plan.partition_field == i || !request.schema.fields[i].nullable || in_key);
      plan.classes.push_back(plan.partition_field == i
                                 ? TargetClass::kText
                                 : CreatedClassFor(request.schema.fields[i].type));
    }
  } else {
    const MysqlTable& table = **loaded;
    plan.table = table.name;
    std::vector<std::string> problems = CheckTable(table, config, request, columns, plan.classes);
    for (const std::string& c : columns) {
      const std::optional<size_t> index = table.Find(c);
      not_null.push_back(index && !table.columns[*index].nullable);
    }
    if (!problems.empty()) {
      std::string list;
      for (const std::string& p : problems) list += (list.empty() ? "" : "; ") + p;
      return Err(Status::Conflict("{}: table {} does not fit the incoming rows: {}", kRole,
                                  table.Label(), list));
    }
  }
  plan.columns = columns;
  plan.key = request.key;
  plan.keep_masks = request.mode == WriteMode::kUpsert && request.realtime;
  plan.load_sql = LoadSql(plan, config, request, columns);
  if (request.mode == WriteMode::kUpsert) BuildUpsert(plan, config, request, columns, not_null);
  plan.empty_sql = "DELETE FROM " + QuoteQualified(plan.database, plan.table);
  if (config.partition) {
    plan.empty_sql += fmt::format(" WHERE {} = {}", QuoteIdent(config.partition->column),
                                  QuoteString(config.partition->value));
  }
  if (request.mode == WriteMode::kOverwrite) plan.delete_sql = plan.empty_sql;
  return plan;
}

}  // namespace sluice::mysql
