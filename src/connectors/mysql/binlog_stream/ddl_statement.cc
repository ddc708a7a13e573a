#include "connectors/mysql/binlog_stream/ddl_statement.h"

#include "connectors/mysql/binlog_stream/ascii_case.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace sluice::mysql::binlog_stream {
namespace {

struct Token {
  std::string text;  // lower case for words; the name for `quoted` identifiers
  bool quoted = false;
  std::string raw;  // words as written (case kept); the name for `quoted` identifiers
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Words, `quoted` names, 'strings' (as one token), and single punctuation characters; comments
// are skipped. Returns false on text it cannot split (an unterminated quote or comment).
bool Tokenize(std::string_view sql, std::vector<Token>& out) {
  size_t i = 0;
  int open_executable = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (sql.compare(i, 3, "/*!") == 0 || sql.compare(i, 4, "/*M!") == 0) {
      // An executable comment (`/*!40000 ALTER TABLE t DISABLE KEYS */`, as dumps write):
      // the server ran its text, so it is read as the statement's.
      i += sql[i + 2] == 'M' ? 4 : 3;
      while (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
      ++open_executable;
    } else if (open_executable > 0 && sql.compare(i, 2, "*/") == 0) {
      --open_executable;
      i += 2;
    } else if (sql.compare(i, 2, "/*") == 0) {
      const size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
    } else if (c == '#' || sql.compare(i, 3, "-- ") == 0) {
      const size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '`' || c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= sql.size()) return false;
        if (sql[j] == '\\' && c != '`' && j + 1 < sql.size()) {
          text += sql[++j];
        } else if (sql[j] == c && j + 1 < sql.size() && sql[j + 1] == c) {
          text += c;
          ++j;
        } else if (sql[j] == c) {
          break;
        } else {
          text += sql[j];
        }
      }
      out.push_back(Token{c == '`' ? text : "'", c == '`', c == '`' ? text : "'"});
      i = j + 1;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < sql.size() && IsWordChar(sql[j])) ++j;
      std::string raw(sql.substr(i, j - i));
      std::string word = raw;
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out.push_back(Token{std::move(word), false, std::move(raw)});
      i = j;
    } else {
      out.push_back(Token{std::string(1, c), false, std::string(1, c)});
      ++i;
    }
  }
  return open_executable == 0;
}

bool Is(const std::vector<Token>& t, size_t i, std::string_view word) {
  return i < t.size() && !t[i].quoted && t[i].text == word;
}

// ADD/DROP followed by one of these is an index, key, constraint or partition, not a column.
const std::set<std::string>& NotColumns() {
  static const std::set<std::string> words = {
      "index",   "key",   "unique", "primary", "constraint", "fulltext", "spatial",
      "foreign", "check", "period", "system",  "partition",  "vector",   "if"};
  return words;
}

// Table options that change how the server stores the table, not its columns or rows: a rebuild
// (ENGINE=InnoDB or FORCE, the usual way to defragment), row format, statistics, a new
// AUTO_INCREMENT. The rows events after them decode as before. Character sets and collations
// are not among them: CONVERT TO rewrites the columns.
const std::set<std::string>& StorageOptions() {
  static const std::set<std::string> words = {
      "engine",           "auto_increment",    "row_format",         "key_block_size",
      "stats_persistent", "stats_auto_recalc", "stats_sample_pages", "checksum",
      "page_checksum",    "pack_keys",         "delay_key_write",    "avg_row_length",
      "max_rows",         "min_rows",          "page_compressed",    "page_compression_level",
      "transactional",    "encrypted",         "encryption_key_id",  "force"};
  return words;
}

// Tokens [b, e) are table options of StorageOptions() only, each `name [=] value` (FORCE has
// no value), written one after another without commas as MariaDB allows.
bool StorageOptionsOnly(const std::vector<Token>& t, size_t b, size_t e) {
  size_t i = b;
  while (i < e) {
    if (t[i].quoted || StorageOptions().count(t[i].text) == 0) return false;
    const bool force = Is(t, i, "force");
    ++i;
    if (force) continue;
    if (Is(t, i, "=")) ++i;
    if (i >= e) return false;
    ++i;  // the value: a word, a number or a quoted string
  }
  return true;
}

// An action that changes neither the table's columns nor its rows: a secondary index added,
// dropped, renamed, disabled or enabled (the primary key is the target's key: its change
// stops), a table comment, storage options.
bool ChangesNoRows(const std::vector<Token>& t, size_t b, size_t e) {
  if (Is(t, b, "algorithm") || Is(t, b, "lock") || Is(t, b, "comment")) return true;
  if (StorageOptionsOnly(t, b, e)) return true;
  if (b + 1 >= e) return false;
  if (Is(t, b, "add")) {
    return Is(t, b + 1, "index") || Is(t, b + 1, "key") || Is(t, b + 1, "unique") ||
           Is(t, b + 1, "fulltext") || Is(t, b + 1, "spatial");
  }
  if (Is(t, b, "drop") || Is(t, b, "rename")) return Is(t, b + 1, "index") || Is(t, b + 1, "key");
  if ((Is(t, b, "disable") || Is(t, b, "enable")) && Is(t, b + 1, "keys")) return true;
  // ALTER [COLUMN] c SET DEFAULT v | DROP DEFAULT: the default of rows to come only.
  size_t i = b + 1;
  if (!Is(t, b, "alter")) return false;
  if (Is(t, i, "column")) ++i;
  ++i;  // the column's name
  if (Is(t, i, "set") && Is(t, i + 1, "default")) return true;
  return Is(t, i, "drop") && Is(t, i + 1, "default") && i + 2 == e;
}

// MODIFY [COLUMN] [IF EXISTS] c <definition>, CHANGE [COLUMN] [IF EXISTS] c c <definition>
// (the same name: a rename stops): appends c to `modified` and returns true.
bool IsModifyColumn(const std::vector<Token>& t, size_t b, size_t e,
                    std::vector<std::string>& modified) {
  const bool change = Is(t, b, "change");
  if (!change && !Is(t, b, "modify")) return false;
  size_t i = b + 1;
  if (Is(t, i, "column")) ++i;
  if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
  if (i + 1 >= e) return false;
  const std::string name = t[i].text;
  if (!t[i].quoted && (name == "(" || name == ",")) return false;
  if (change && (i + 2 >= e || Lower(t[i + 1].text) != Lower(name))) return false;
  modified.push_back(Lower(name));
  return true;
}

// One action (a top-level comma-separated part after the table name), tokens [b, e). A DROP
// of a column appends its name to `dropped`.
bool IsColumnAction(const std::vector<Token>& t, size_t b, size_t e,
                    std::vector<std::string>& dropped, std::vector<std::string>& modified,
                    bool& columns) {
  if (b >= e) return false;
  if (ChangesNoRows(t, b, e)) return true;
  columns = true;  // from here on the action is an ADD, DROP or MODIFY of columns, or refused
  if (IsModifyColumn(t, b, e, modified)) return true;
  const bool add = Is(t, b, "add");
  if (!add && !Is(t, b, "drop")) return false;
  size_t i = b + 1;
  if (Is(t, i, "column")) {
    ++i;
    if (Is(t, i, "if")) {  // IF [NOT] EXISTS
      while (i < e && !Is(t, i, "exists")) ++i;
      ++i;
    }
    if (i >= e) return false;
    if (!add) dropped.push_back(t[i].text);
    return true;
  }
  if (i >= e) return false;
  if (add && t[i].text == "(" && !t[i].quoted) return true;  // ADD (a INT, b INT)
  if (!t[i].quoted && NotColumns().count(t[i].text) > 0) return false;
  if (!add) dropped.push_back(t[i].text);
  return true;
}

}  // namespace

TableDdl ClassifyTableDdl(std::string_view sql, std::vector<std::string>* dropped,
                          bool* changes_columns, std::vector<std::string>* modified) {
  std::vector<std::string> names;
  std::vector<std::string> retyped;
  bool columns = false;
  std::vector<Token> t;
  if (!Tokenize(sql, t)) return TableDdl::kOther;
  size_t i = 0;
  if (Is(t, 0, "truncate")) {
    i = Is(t, 1, "table") ? 2 : 1;
    if (i >= t.size()) return TableDdl::kOther;
    ++i;  // the table's name
    if (Is(t, i, ".")) i += 2;
    if (Is(t, i, "nowait")) ++i;
    if (Is(t, i, "wait")) i += 2;
    return i >= t.size() ? TableDdl::kTruncate : TableDdl::kOther;
  }
  if (!Is(t, i++, "alter")) return TableDdl::kOther;
  while (Is(t, i, "online") || Is(t, i, "ignore")) ++i;
  if (!Is(t, i++, "table")) return TableDdl::kOther;
  if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
  ++i;  // the table's name
  if (Is(t, i, ".")) i += 2;
  if (Is(t, i, "nowait")) ++i;
  if (Is(t, i, "wait")) i += 2;
  if (i >= t.size()) return TableDdl::kOther;
  int depth = 0;
  size_t start = i;
  for (; i <= t.size(); ++i) {
    const bool end = i == t.size();
    if (!end && !t[i].quoted && t[i].text == "(") ++depth;
    if (!end && !t[i].quoted && t[i].text == ")") --depth;
    if (end || (depth == 0 && !t[i].quoted && t[i].text == ",")) {
      if (!IsColumnAction(t, start, i, names, retyped, columns)) return TableDdl::kOther;
      start = i + 1;
    }
  }
  if (dropped) *dropped = std::move(names);
  if (changes_columns) *changes_columns = columns;
  if (modified) *modified = std::move(retyped);
  return TableDdl::kAddDropColumns;
}

namespace {

// One word or `quoted` name of a CREATE TABLE head, case kept; empty at the end or on anything
// else. `quoted` says which it was (a quoted name is never a keyword).
std::string NextName(std::string_view sql, size_t& at, bool& quoted) {
  while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
  quoted = at < sql.size() && sql[at] == '`';
  if (quoted) {
    std::string name;
    for (size_t j = at + 1; j < sql.size(); ++j) {
      if (sql[j] == '`' && j + 1 < sql.size() && sql[j + 1] == '`') {
        name += '`';
        ++j;
      } else if (sql[j] == '`') {
        at = j + 1;
        return name;
      } else {
        name += sql[j];
      }
    }
    return {};
  }
  const size_t start = at;
  while (at < sql.size() && IsWordChar(sql[at])) ++at;
  return std::string(sql.substr(start, at - start));
}

bool IsKeyword(const std::string& word, bool quoted, std::string_view keyword) {
  return !quoted && word.size() == keyword.size() &&
         std::equal(word.begin(), word.end(), keyword.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

bool AddedColumnsFillExistingRows(std::string_view sql) {
  std::vector<Token> t;
  if (!Tokenize(sql, t)) return true;
  for (size_t i = 0; i < t.size(); ++i) {
    if (Is(t, i, "auto_increment") || Is(t, i, "generated") || Is(t, i, "as")) return true;
    if (Is(t, i, "not") && Is(t, i + 1, "null")) return true;
    if (Is(t, i, "default") && !Is(t, i + 1, "null")) return true;
  }
  return false;
}

std::optional<CreatedTableName> ParseCreateTable(std::string_view sql) {
  size_t at = 0;
  bool quoted = false;
  std::string word = NextName(sql, at, quoted);
  if (!IsKeyword(word, quoted, "create")) return std::nullopt;
  word = NextName(sql, at, quoted);
  if (IsKeyword(word, quoted, "or")) {
    if (!IsKeyword(NextName(sql, at, quoted), quoted, "replace")) return std::nullopt;
    word = NextName(sql, at, quoted);
  }
  if (!IsKeyword(word, quoted, "table")) return std::nullopt;  // TEMPORARY, VIEW, INDEX, ...
  word = NextName(sql, at, quoted);
  if (IsKeyword(word, quoted, "if")) {
    if (!IsKeyword(NextName(sql, at, quoted), quoted, "not")) return std::nullopt;
    if (!IsKeyword(NextName(sql, at, quoted), quoted, "exists")) return std::nullopt;
    word = NextName(sql, at, quoted);
  }
  if (word.empty()) return std::nullopt;
  CreatedTableName created{"", word};
  size_t dot = at;
  while (dot < sql.size() && std::isspace(static_cast<unsigned char>(sql[dot]))) ++dot;
  if (dot < sql.size() && sql[dot] == '.') {
    at = dot + 1;
    std::string name = NextName(sql, at, quoted);
    if (name.empty()) return std::nullopt;
    created = CreatedTableName{word, name};
  }
  return created;
}

namespace {

// `[db.]name` at t[i] (a word or a `quoted` name; punctuation is no name), moving i past it.
std::optional<StatementTable> TableAt(const std::vector<Token>& t, size_t& i) {
  auto is_name = [&](size_t k) { return k < t.size() && (t[k].quoted || IsWordChar(t[k].raw[0])); };
  if (!is_name(i)) return std::nullopt;
  StatementTable table{"", t[i].raw};
  ++i;
  if (Is(t, i, ".") && is_name(i + 1)) {
    table = StatementTable{table.name, t[i + 1].raw};
    i += 2;
  }
  return table;
}

// `a [, b ...]` from t[i], as DROP TABLE lists them; empty when the list does not parse.
std::vector<StatementTable> TableList(const std::vector<Token>& t, size_t i) {
  std::vector<StatementTable> out;
  for (;;) {
    std::optional<StatementTable> table = TableAt(t, i);
    if (!table) return {};
    out.push_back(std::move(*table));
    if (!Is(t, i, ",")) return out;
    ++i;
  }
}

StatementTables Changes(std::vector<StatementTable> tables) {
  if (tables.empty()) return StatementTables{StatementScope::kUnknown, {}};
  return StatementTables{StatementScope::kTables, std::move(tables)};
}

StatementTables AlterTableTargets(const std::vector<Token>& t, size_t i) {
  if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
  std::optional<StatementTable> table = TableAt(t, i);
  if (!table) return StatementTables{};
  std::vector<StatementTable> out{std::move(*table)};
  // RENAME [TO|AS] new (the table under its new name), EXCHANGE PARTITION p WITH TABLE other
  // (whose rows change without a row event).
  for (; i < t.size(); ++i) {
    size_t k = i + 1;
    if (Is(t, i, "rename") && !Is(t, k, "column") && !Is(t, k, "index") && !Is(t, k, "key")) {
      if (Is(t, k, "to") || Is(t, k, "as")) ++k;
    } else if (Is(t, i, "with") && Is(t, k, "table")) {
      ++k;
    } else {
      continue;
    }
    if (std::optional<StatementTable> other = TableAt(t, k)) out.push_back(std::move(*other));
  }
  return StatementTables{StatementScope::kTables, std::move(out)};
}

// RENAME TABLE[S] [IF EXISTS] a [WAIT n | NOWAIT] TO b [, c TO d ...], from t[i] (after
// TABLE[S]): the pairs in order; empty when the list does not parse.
std::vector<RenamedTable> RenamePairs(const std::vector<Token>& t, size_t i) {
  std::vector<RenamedTable> out;
  if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
  for (;;) {
    std::optional<StatementTable> from = TableAt(t, i);
    if (!from) return {};
    if (Is(t, i, "nowait")) ++i;
    if (Is(t, i, "wait")) i += 2;
    if (!Is(t, i++, "to")) return {};
    std::optional<StatementTable> to = TableAt(t, i);
    if (!to) return {};
    out.push_back(RenamedTable{std::move(*from), std::move(*to)});
    if (!Is(t, i, ",")) return i == t.size() || Is(t, i, ";") ? out : std::vector<RenamedTable>{};
    ++i;
  }
}

// Every name of a RENAME TABLE statement.
StatementTables RenameTargets(const std::vector<Token>& t, size_t i) {
  std::vector<StatementTable> out;
  for (RenamedTable& pair : RenamePairs(t, i)) {
    out.push_back(std::move(pair.from));
    out.push_back(std::move(pair.to));
  }
  return Changes(std::move(out));
}

}  // namespace

std::vector<RenamedTable> RenamedTables(std::string_view sql) {
  std::vector<Token> t;
  if (!Tokenize(sql, t) || !Is(t, 0, "rename")) return {};
  if (!Is(t, 1, "table") && !Is(t, 1, "tables")) return {};
  return RenamePairs(t, 2);
}

StatementTables TablesChangedBy(std::string_view sql) {
  std::vector<Token> t;
  if (!Tokenize(sql, t) || t.empty() || t[0].quoted) return StatementTables{};
  const std::string& verb = t[0].text;
  size_t i = 1;
  if (verb == "alter") {
    while (Is(t, i, "online") || Is(t, i, "ignore")) ++i;
    if (Is(t, i, "table")) return AlterTableTargets(t, i + 1);
    // ALTER VIEW/USER/DATABASE/EVENT/FUNCTION/PROCEDURE/SEQUENCE/SERVER/...: no table's rows.
    return StatementTables{StatementScope::kNoTable, {}};
  }
  if (verb == "create") {
    if (Is(t, i, "or") && Is(t, i + 1, "replace")) i += 2;
    if (Is(t, i, "temporary")) return StatementTables{StatementScope::kNoTable, {}};
    if (!Is(t, i, "table")) {
      // A view, index, trigger, routine, event, user, database, sequence: no table's rows.
      return StatementTables{StatementScope::kNoTable, {}};
    }
    const bool replace = Is(t, 1, "or");
    ++i;
    if (Is(t, i, "if") && Is(t, i + 1, "not") && Is(t, i + 2, "exists")) {
      // A no-op for a table that exists, as every table a stream reads does.
      if (!replace) return StatementTables{StatementScope::kNoTable, {}};
      i += 3;
    }
    std::optional<StatementTable> table = TableAt(t, i);
    return Changes(table ? std::vector<StatementTable>{*table} : std::vector<StatementTable>{});
  }
  if (verb == "drop") {
    if (Is(t, i, "temporary")) return StatementTables{StatementScope::kNoTable, {}};
    if (Is(t, i, "table") || Is(t, i, "tables")) {
      ++i;
      if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
      return Changes(TableList(t, i));
    }
    if (Is(t, i, "database") || Is(t, i, "schema")) {
      ++i;
      if (Is(t, i, "if") && Is(t, i + 1, "exists")) i += 2;
      if (i >= t.size() || !(t[i].quoted || IsWordChar(t[i].raw[0]))) return Changes({});
      return Changes({StatementTable{t[i].raw, ""}});
    }
    return StatementTables{StatementScope::kNoTable, {}};  // a view, index, trigger, user...
  }
  if (verb == "rename") {
    if (Is(t, i, "table") || Is(t, i, "tables")) return RenameTargets(t, i + 1);
    return StatementTables{StatementScope::kNoTable, {}};  // RENAME USER
  }
  if (verb == "truncate") {
    if (Is(t, i, "table")) ++i;
    std::optional<StatementTable> table = TableAt(t, i);
    return Changes(table ? std::vector<StatementTable>{*table} : std::vector<StatementTable>{});
  }
  static const std::set<std::string> kData = {"insert", "replace", "update", "delete",
                                              "load",   "call",    "with"};
  if (kData.count(verb) > 0) return StatementTables{StatementScope::kRows, {}};
  // Statements that write no table's rows or columns (rows of a ROW-format binlog arrive as
  // row events whatever statement wrote them).
  static const std::set<std::string> kNoRows = {
      "grant", "revoke",    "analyze", "optimize", "check",   "checksum",  "repair",  "flush",
      "set",   "savepoint", "release", "xa",       "install", "uninstall", "do",      "purge",
      "reset", "kill",      "lock",    "unlock",   "signal",  "resignal",  "prepare", "deallocate"};
  // SET STATEMENT var=value FOR <statement> is the statement's: not parsed here.
  if (verb == "set" && Is(t, 1, "statement")) return StatementTables{};
  if (kNoRows.count(verb) > 0) return StatementTables{StatementScope::kNoTable, {}};
  return StatementTables{};
}

bool NamesIdentifier(std::string_view sql, std::string_view name) {
  for (size_t at = sql.find(name); at != std::string_view::npos; at = sql.find(name, at + 1)) {
    const size_t end = at + name.size();
    if ((at == 0 || !IsWordChar(sql[at - 1])) && (end == sql.size() || !IsWordChar(sql[end]))) {
      return true;
    }
  }
  return false;
}

bool StatementChangesTable(const StatementTables& changed, std::string_view sql,
                           std::string_view default_db, const std::string& db,
                           const std::string& table, bool exact) {
  auto same_table = [&](const std::string& name) {
    return exact ? name == table : Lower(name) == Lower(table);
  };
  auto same_db = [&](std::string_view name) {
    return exact ? name == db : Lower(name) == Lower(db);
  };
  switch (changed.scope) {
    case StatementScope::kNoTable:
      return false;
    case StatementScope::kTables:
      for (const StatementTable& named : changed.tables) {
        const std::string_view in = named.db.empty() ? default_db : std::string_view(named.db);
        if (same_db(in) && (named.name.empty() || same_table(named.name))) return true;
      }
      return false;
    case StatementScope::kRows:
    case StatementScope::kUnknown:
      break;
  }
  // Not parsed: any mention of the table may be a change of it.
  const std::string lower = Lower(sql);
  const bool names_table =
      exact ? NamesIdentifier(sql, table) : NamesIdentifier(lower, Lower(table));
  return names_table && (Lower(default_db) == Lower(db) || NamesIdentifier(lower, Lower(db)));
}

}  // namespace sluice::mysql::binlog_stream
