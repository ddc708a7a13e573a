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
  kAddDropColumns,  // ALTER TABLE t ADD [COLUMN] ..., DROP [COLUMN] ... (and ALGORITHM/LOCK)
  kOther,
};

// `dropped`, when given, receives the names of the columns a kAddDropColumns statement drops
// (as written: bare names lower-cased; MySQL column names are case-insensitive).
TableDdl ClassifyTableDdl(std::string_view sql, std::vector<std::string>* dropped = nullptr);

// The table a `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] [db.]name ...` statement creates, as
// written (case kept; `db` empty when the statement does not name one); nullopt for any other
// statement, and for CREATE TEMPORARY TABLE (never a table of the binlog's rows).
struct CreatedTableName {
  std::string db;
  std::string name;
};
std::optional<CreatedTableName> ParseCreateTable(std::string_view sql);

}  // namespace sluice::mysql::binlog_stream
