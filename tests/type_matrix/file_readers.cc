// SQLite files and CSV text: exact renderings (see readers.h), and the float renderings.
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "readers.h"

namespace sluice::matrix {
namespace {

std::string LowerHex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementCloser {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

bool NeedsQuotes(const std::string& text) {
  return text.empty() || text.find_first_of(",\"\r\n") != std::string::npos ||
         text.front() == ' ' || text.back() == ' ';
}

}  // namespace

std::string RenderDouble(double value) {
  if (std::isnan(value)) {
    // Every NaN prints as nan; a NaN with other bits than the usual quiet NaN says which.
    const uint64_t bits = std::bit_cast<uint64_t>(value);
    if (bits == 0x7ff8000000000000ULL) return "nan";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, bits, 16);
    return "nan(0x" + std::string(buf, r.ptr) + ")";
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

std::string RenderFloat(float value) {
  if (std::isnan(value)) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if (bits == 0x7fc00000U) return "nan";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, bits, 16);
    return "nan(0x" + std::string(buf, r.ptr) + ")";
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

Grid ReadSqliteTable(const std::string& path, const std::string& table) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string error = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    throw std::runtime_error("cannot open " + path + ": " + error);
  }
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  const std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY id";
  sqlite3_stmt* stmt_raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(path + ": " + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, StatementCloser> stmt(stmt_raw);
  const int n = sqlite3_column_count(stmt.get());
  Grid grid;
  std::vector<bool> is_float32;
  for (int c = 0; c < n; ++c) {
    const char* declared = sqlite3_column_decltype(stmt.get(), c);
    std::string type = declared ? declared : "";
    std::transform(type.begin(), type.end(), type.begin(), ::toupper);
    is_float32.push_back(type.starts_with("FLOAT32") || type == "FLOAT4");
    if (c > 0) grid.columns.push_back(sqlite3_column_name(stmt.get(), c));
  }
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::vector<Cell> row;
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt.get(), c)) {
        case SQLITE_NULL:
          row.push_back(std::nullopt);
          break;
        case SQLITE_INTEGER:
          row.push_back(std::to_string(sqlite3_column_int64(stmt.get(), c)));
          break;
        case SQLITE_FLOAT: {
          const double d = sqlite3_column_double(stmt.get(), c);
          const bool as_float = is_float32[c] && static_cast<double>(static_cast<float>(d)) == d;
          row.push_back(as_float ? RenderFloat(static_cast<float>(d)) : RenderDouble(d));
          break;
        }
        case SQLITE_TEXT:
          row.push_back(
              std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), c)),
                          static_cast<size_t>(sqlite3_column_bytes(stmt.get(), c))));
          break;
        default: {
          const void* blob = sqlite3_column_blob(stmt.get(), c);
          const int size = sqlite3_column_bytes(stmt.get(), c);
          row.push_back(LowerHex(static_cast<const unsigned char*>(blob), size));
        }
      }
    }
    if (!row[0]) throw std::runtime_error(path + ": a row has a NULL id");
    const int64_t id = std::stoll(*row[0]);
    row.erase(row.begin());
    grid.rows.emplace(id, std::move(row));
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(path + ": " + sqlite3_errmsg(db.get()));
  return grid;
}

Grid ParseCsv(const std::string& text) {
  std::vector<std::vector<Cell>> records;
  std::vector<Cell> record;
  std::string field;
  bool quoted = false;  // the current field was quoted (so empty means "", not NULL)
  size_t i = 0;
  auto end_field = [&] {
    record.push_back(field.empty() && !quoted ? std::nullopt : Cell(field));
    field.clear();
    quoted = false;
  };
  while (i < text.size()) {
    const char ch = text[i];
    if (ch == '"' && field.empty() && !quoted) {
      quoted = true;
      ++i;
      while (true) {
        if (i >= text.size()) throw std::runtime_error("CSV: unterminated quote");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      continue;
    }
    if (ch == ',') {
      end_field();
    } else if (ch == '\n') {
      end_field();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field += ch;
    }
    ++i;
  }
  if (!field.empty() || quoted || !record.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  if (records.empty()) throw std::runtime_error("CSV: no header");
  Grid grid;
  for (size_t c = 1; c < records[0].size(); ++c) grid.columns.push_back(records[0][c].value_or(""));
  for (size_t r = 1; r < records.size(); ++r) {
    std::vector<Cell>& row = records[r];
    if (row.size() != records[0].size()) {
      throw std::runtime_error("CSV: record " + std::to_string(r) + " has " +
                               std::to_string(row.size()) + " fields");
    }
    const int64_t id = std::stoll(row[0].value_or("?"));
    row.erase(row.begin());
    grid.rows.emplace(id, std::move(row));
  }
  return grid;
}

std::string CsvText(const Grid& grid) {
  std::string out = "id";
  for (const std::string& name : grid.columns) out += "," + name;
  out += '\n';
  for (const auto& [id, cells] : grid.rows) {
    out += std::to_string(id);
    for (const Cell& cell : cells) {
      out += ',';
      if (!cell) continue;
      if (!NeedsQuotes(*cell)) {
        out += *cell;
        continue;
      }
      out += '"';
      for (char ch : *cell) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    }
    out += '\n';
  }
  return out;
}

}  // namespace sluice::matrix
