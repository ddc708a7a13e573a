// What a DDL statement from the binlog (a QUERY event naming the streamed table) does to the
// table, as far as a realtime job needs to know: whether it only adds or drops columns, which
// the stream follows by the column names of the next TABLE_MAP (table_map_follower.h), or
// anything else (a type change, a rename, a new primary key, TRUNCATE, DROP TABLE...), which
// stops the stream. Pure: a rough tokenizer of MySQL/MariaDB's ALTER TABLE, erring on the side
// of kOther (a statement it does not understand stops the stream; it never guesses).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::mysql::binlog_stream {

enum class TableDdl {
  // ALTER TABLE t ADD [COLUMN] ..., DROP [COLUMN] ..., MODIFY [COLUMN] c ..., CHANGE [COLUMN]
  // c c ... (a column's definition restated under its own name); with them or alone, actions
  // that change no column or row (ALGORITHM/LOCK, a secondary index added, dropped or renamed,
  // COMMENT, a column's default). What a MODIFY did to its column shows in the next TABLE_MAP,
  // where the stream follows a longer text and stops on anything else.
  kAddDropColumns,
  // TRUNCATE [TABLE] t [WAIT n | NOWAIT]: the table emptied, its columns as they were.
  kTruncate,
  kOther,
};

// `dropped`, when given, receives the names of the columns a kAddDropColumns statement drops
// (lower-cased; MySQL column names are case-insensitive), `modified` those it modifies (the
// same); `changes_columns` whether it adds, drops or modifies any (false: indexes, options, a
// comment, a default only).
TableDdl ClassifyTableDdl(std::string_view sql, std::vector<std::string>* dropped = nullptr,
                          bool* changes_columns = nullptr,
                          std::vector<std::string>* modified = nullptr);

// Whether an ADD COLUMN statement (kAddDropColumns) gives the rows already in the table a value
// other than NULL: a DEFAULT other than NULL, NOT NULL (the type's zero), AUTO_INCREMENT, or a
// generated column (AS, GENERATED). The binlog never shows those values. Text it cannot split
// counts as giving values; words inside strings and comments (COMMENT 'not null') do not count.
bool AddedColumnsFillExistingRows(std::string_view sql);

// The table a `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] [db.]name ...` statement creates, as
// written (case kept; `db` empty when the statement does not name one); nullopt for any other
// statement, and for CREATE TEMPORARY TABLE (never a table of the binlog's rows).
struct CreatedTableName {
  std::string db;
  std::string name;
};
std::optional<CreatedTableName> ParseCreateTable(std::string_view sql);

// Which tables a statement of the binlog (a QUERY event other than BEGIN/COMMIT) may change the
// columns or rows of, so that a stream stops or follows only for statements about its own
// tables: `ALTER TABLE items ADD COLUMN orders INT`, a view or a GRANT over `orders`, an index
// made on it, change nothing a stream of `orders` reads.
enum class StatementScope {
  kNoTable,  // changes no table's columns or rows (GRANT, CREATE VIEW/INDEX/TRIGGER, ANALYZE...)
  kTables,   // changes these tables (ALTER, RENAME, DROP, TRUNCATE, CREATE [OR REPLACE] TABLE)
  kRows,     // a data change written as a statement (a session's binlog_format=STATEMENT): the
             // tables it writes are not parsed; any table the text names may be one
  kUnknown,  // not understood: any table the text names may be changed
};
struct StatementTable {
  std::string db;    // as written; empty when the statement does not name one
  std::string name;  // as written; empty: every table of `db` (DROP DATABASE)
};
struct StatementTables {
  StatementScope scope = StatementScope::kUnknown;
  std::vector<StatementTable> tables;  // for kTables
};
StatementTables TablesChangedBy(std::string_view sql);

// The pairs of a RENAME TABLE statement, in the order the server applies them (`RENAME TABLE
// orders TO _orders_del, _orders_gho TO orders`: the cut-over of gh-ost and
// pt-online-schema-change); empty for any other statement or one that does not parse.
struct RenamedTable {
  StatementTable from;
  StatementTable to;
};
std::vector<RenamedTable> RenamedTables(std::string_view sql);

// Whether statement `sql` (run with default database `default_db`; `changed` is
// TablesChangedBy(sql)) may change table `db`.`table`: one of the tables it names (a name
// without a database is in `default_db`), or, for a statement not parsed, any mention of the
// table as an identifier in its database. `exact`: the table and its database are matched with
// their case (the server keeps case apart; a statement not parsed is matched loosely, so it
// stops rather than slips by). Shared by
// the live stream and the binlog-files stream, so both stop and follow on the same statements.
bool StatementChangesTable(const StatementTables& changed, std::string_view sql,
                           std::string_view default_db, const std::string& db,
                           const std::string& table, bool exact);

// Whether `name` occurs in `sql` as a whole identifier, bare or quoted (compared as given: lower
// both for a comparison without case). For statements TablesChangedBy does not parse.
bool NamesIdentifier(std::string_view sql, std::string_view name);

}  // namespace sluice::mysql::binlog_stream
