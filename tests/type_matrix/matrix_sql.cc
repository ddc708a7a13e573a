// SQL that creates and fills the source tables, and the text helpers of the matrices.
#include "matrices.h"

namespace sluice::matrix {
namespace {

std::vector<std::string> SourceSql(const Matrix& matrix, const std::string& quote) {
  std::vector<std::string> sql = matrix.setup;
  std::string ddl = "CREATE TABLE " + matrix.table + " (id INT PRIMARY KEY";
  for (const MatrixColumn& column : matrix.columns) {
    ddl += ", " + quote + column.name + quote + " " + column.ddl;
  }
  sql.push_back(ddl + ")");
  std::string names = "id";
  for (const MatrixColumn& column : matrix.columns) names += ", " + quote + column.name + quote;
  for (size_t r = 0; r < matrix.base_rows.size(); ++r) {
    std::string values = std::to_string(matrix.base_rows[r]);
    for (const MatrixColumn& column : matrix.columns) values += ", " + column.rows.at(r).literal;
    sql.push_back("INSERT INTO " + matrix.table + " (" + names + ") VALUES (" + values + ")");
  }
  for (const SpecialRow& special : matrix.specials) {
    sql.push_back("INSERT INTO " + matrix.table + " (id, " + quote + special.column + quote +
                  ") VALUES (" + std::to_string(special.id) + ", " + special.value.literal + ")");
  }
  return sql;
}

}  // namespace

std::vector<std::string> MysqlSourceSql(const Matrix& matrix) {
  return SourceSql(matrix, "`");
}
std::vector<std::string> PgSourceSql(const Matrix& matrix) {
  return SourceSql(matrix, "\"");
}

Value MyStr(const std::string& text) {
  std::string literal = "'";
  for (char ch : text) {
    if (ch == '\'') literal += '\'';
    if (ch == '\\') literal += '\\';
    literal += ch;
  }
  return V(literal + "'", text);
}

Value PgStr(const std::string& text) {
  std::string literal = "'";
  for (char ch : text) {
    if (ch == '\'') literal += '\'';
    literal += ch;
  }
  return V(literal + "'", text);
}

std::string Repeat(const std::string& text, int times) {
  std::string out;
  out.reserve(text.size() * static_cast<size_t>(times));
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

std::string AllBytesHex() {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int b = 0; b < 256; ++b) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace sluice::matrix
