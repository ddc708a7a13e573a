// The expected-value table of the type matrix, and the cell-by-cell comparison.
//
// A Matrix is one source table: its columns (name, DDL type, one source literal per base row),
// a few "special" rows that each set one column to a value some target cannot hold, and for
// every leg (the source itself, and each target the rows travel to) the exact text every cell
// must read back as. Targets are read back by readers.h into a Grid (row id -> rendered cells)
// and compared with the Grid the matrix expects for that leg.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::matrix {

// A rendered cell; nullopt is SQL NULL (never confused with the text "NULL" or "").
using Cell = std::optional<std::string>;

// Where the rows are when they are read back. Bit flags, so an override can name several.
enum Leg : uint32_t {
  kSource = 1,       // the source table itself (checks the table's own expectations)
  kOther = 2,        // the other database (MySQL source -> PostgreSQL, and the reverse)
  kBack = 4,         // from kOther back into the source's database
  kCsv = 8,          // a CSV file
  kSqlite = 16,      // an SQLite file
  kSqliteBack = 32,  // from kSqlite back into the source's database
  kInstant = 64,     // a sub-leg with a time-zone option (see the matrix that uses it)
};
const char* LegName(Leg leg);

// One base-row value: the SQL literal inserted into the source, and its rendering everywhere
// unless an override of the column says otherwise.
struct Value {
  std::string literal;
  Cell want;
};
Value V(std::string literal_and_want);           // the literal renders as itself
Value V(std::string literal, std::string want);  // the literal renders as `want`
Value Null();                                    // NULL in, NULL out

// The renderings on some legs, one per base row.
struct Override {
  uint32_t legs;
  std::vector<Cell> want;
};

struct MatrixColumn {
  std::string name;
  std::string ddl;
  std::vector<Value> rows;  // one per Matrix::base_rows entry
  std::vector<Override> overrides = {};
};

// A row that sets only `column` (the rest NULL), for a value some legs cannot carry.
struct SpecialRow {
  int64_t id;
  std::string column;
  Value value;
  std::vector<Override> overrides = {};  // `want` holds one cell
  // Legs that refuse the row (it goes to the dirty records with exactly this "stage: reason";
  // "{db}" stands for the test's database name), and legs
  // that never see it because the leg they are read from refused it.
  std::map<Leg, std::string> rejected_by = {};
  uint32_t absent_on = 0;
};

struct Matrix {
  std::string table;                  // the source table's name
  std::vector<std::string> setup;     // run before CREATE TABLE on the same session
  std::vector<int64_t> base_rows;     // ids of the base rows, in insertion order
  std::vector<MatrixColumn> columns;  // "id" is implicit and first
  std::vector<SpecialRow> specials;
};

// Row id -> cells in `columns` order (the id column excluded).
struct Grid {
  std::vector<std::string> columns;
  std::map<int64_t, std::vector<Cell>> rows;
};

// What `leg` must hold; `only` restricts it to some columns (empty: all).
Grid ExpectedGrid(const Matrix& matrix, Leg leg, const std::vector<std::string>& only = {});

// Every difference between `want` and `got`, one message per cell (or per missing or extra
// row or column), each naming the leg, the column and the row id.
std::vector<std::string> Compare(const std::string& leg_name, const Grid& want, const Grid& got);

// The dirty records the leg's run must have produced: row id -> exact "stage: reason", with
// "{db}" in the matrix's reasons replaced by `database`.
std::map<int64_t, std::string> ExpectedRejects(const Matrix& matrix, Leg leg,
                                               const std::string& database);

// A cell as text for messages: NULL, or the text quoted and cut to a readable length.
std::string Show(const Cell& cell);

}  // namespace sluice::matrix
