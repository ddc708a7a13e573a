#include "connectors/mysql/binlog_stream/ddl_statement.h"

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
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Words, `quoted` names, 'strings' (as one token), and single punctuation characters; comments
// are skipped. Returns false on text it cannot split (an unterminated quote or comment).
bool Tokenize(std::string_view sql, std::vector<Token>& out) {
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
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
      out.push_back(Token{c == '`' ? text : "'", c == '`'});
      i = j + 1;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < sql.size() && IsWordChar(sql[j])) ++j;
      std::string word(sql.substr(i, j - i));
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out.push_back(Token{std::move(word), false});
      i = j;
    } else {
      out.push_back(Token{std::string(1, c), false});
      ++i;
    }
  }
  return true;
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

// One action (a top-level comma-separated part after the table name), tokens [b, e). A DROP
// of a column appends its name to `dropped`.
bool IsColumnAction(const std::vector<Token>& t, size_t b, size_t e,
                    std::vector<std::string>& dropped) {
  if (b >= e) return false;
  if (Is(t, b, "algorithm") || Is(t, b, "lock")) return true;
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

TableDdl ClassifyTableDdl(std::string_view sql, std::vector<std::string>* dropped) {
  std::vector<std::string> names;
  std::vector<Token> t;
  if (!Tokenize(sql, t)) return TableDdl::kOther;
  size_t i = 0;
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
      if (!IsColumnAction(t, start, i, names)) return TableDdl::kOther;
      start = i + 1;
    }
  }
  if (dropped) *dropped = std::move(names);
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

}  // namespace sluice::mysql::binlog_stream
