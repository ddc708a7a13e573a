#include "matrix.h"

#include <algorithm>
#include <stdexcept>

namespace sluice::matrix {
namespace {

// The override of `overrides` that covers `leg`, if any (the first one wins).
const Override* Find(const std::vector<Override>& overrides, Leg leg) {
  for (const Override& o : overrides) {
    if (o.legs & leg) return &o;
  }
  return nullptr;
}

bool Wanted(const std::vector<std::string>& only, const std::string& name) {
  return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

}  // namespace

const char* LegName(Leg leg) {
  switch (leg) {
    case kSource:
      return "source";
    case kOther:
      return "other";
    case kBack:
      return "back";
    case kCsv:
      return "csv";
    case kSqlite:
      return "sqlite";
    case kSqliteBack:
      return "sqlite-back";
    case kInstant:
      return "instant";
  }
  return "?";
}

Value V(std::string literal_and_want) {
  std::string want = literal_and_want;
  return Value{std::move(literal_and_want), std::move(want)};
}

Value V(std::string literal, std::string want) {
  return Value{std::move(literal), std::move(want)};
}

Value Null() {
  return Value{"NULL", std::nullopt};
}

Grid ExpectedGrid(const Matrix& matrix, Leg leg, const std::vector<std::string>& only) {
  Grid grid;
  std::vector<size_t> picked;
  for (size_t c = 0; c < matrix.columns.size(); ++c) {
    if (!Wanted(only, matrix.columns[c].name)) continue;
    picked.push_back(c);
    grid.columns.push_back(matrix.columns[c].name);
  }
  for (size_t r = 0; r < matrix.base_rows.size(); ++r) {
    std::vector<Cell>& cells = grid.rows[matrix.base_rows[r]];
    for (size_t c : picked) {
      const MatrixColumn& column = matrix.columns[c];
      if (column.rows.size() != matrix.base_rows.size()) {
        throw std::logic_error("column " + column.name + " has the wrong number of rows");
      }
      const Override* o = Find(column.overrides, leg);
      if (o && o->want.size() != matrix.base_rows.size()) {
        throw std::logic_error("an override of " + column.name + " has the wrong row count");
      }
      cells.push_back(o ? o->want[r] : column.rows[r].want);
    }
  }
  for (const SpecialRow& special : matrix.specials) {
    if (special.rejected_by.count(leg) || (special.absent_on & leg)) continue;
    std::vector<Cell>& cells = grid.rows[special.id];
    for (size_t c : picked) {
      if (matrix.columns[c].name != special.column) {
        cells.push_back(std::nullopt);
        continue;
      }
      const Override* o = Find(special.overrides, leg);
      cells.push_back(o ? o->want.at(0) : special.value.want);
    }
  }
  return grid;
}

std::map<int64_t, std::string> ExpectedRejects(const Matrix& matrix, Leg leg,
                                               const std::string& database) {
  std::map<int64_t, std::string> out;
  for (const SpecialRow& special : matrix.specials) {
    auto it = special.rejected_by.find(leg);
    if (it == special.rejected_by.end()) continue;
    std::string reason = it->second;
    for (size_t at; (at = reason.find("{db}")) != std::string::npos;) {
      reason.replace(at, 4, database);
    }
    out[special.id] = std::move(reason);
  }
  return out;
}

std::string Show(const Cell& cell) {
  if (!cell) return "NULL";
  constexpr size_t kMax = 120;
  if (cell->size() <= kMax) return "'" + *cell + "'";
  return "'" + cell->substr(0, kMax) + "'... (" + std::to_string(cell->size()) + " bytes)";
}

std::vector<std::string> Compare(const std::string& leg_name, const Grid& want, const Grid& got) {
  std::vector<std::string> out;
  const std::string prefix = "leg " + leg_name + ": ";
  // Columns are matched by name: a target may order them differently (or add a partition
  // column), but every expected column must be there.
  std::vector<int> got_index;
  for (const std::string& name : want.columns) {
    auto it = std::find(got.columns.begin(), got.columns.end(), name);
    if (it == got.columns.end()) {
      out.push_back(prefix + "column " + name + " is missing");
      got_index.push_back(-1);
    } else {
      got_index.push_back(static_cast<int>(it - got.columns.begin()));
    }
  }
  for (const std::string& name : got.columns) {
    if (std::find(want.columns.begin(), want.columns.end(), name) == want.columns.end()) {
      out.push_back(prefix + "unexpected column " + name);
    }
  }
  for (const auto& [id, cells] : want.rows) {
    auto row = got.rows.find(id);
    if (row == got.rows.end()) {
      out.push_back(prefix + "row id=" + std::to_string(id) + " is missing");
      continue;
    }
    for (size_t c = 0; c < want.columns.size(); ++c) {
      if (got_index[c] < 0) continue;
      const Cell& have = row->second.at(static_cast<size_t>(got_index[c]));
      if (have != cells[c]) {
        out.push_back(prefix + "column " + want.columns[c] + ", row id=" + std::to_string(id) +
                      ": expected " + Show(cells[c]) + ", got " + Show(have));
      }
    }
  }
  for (const auto& [id, cells] : got.rows) {
    if (!want.rows.count(id)) out.push_back(prefix + "unexpected row id=" + std::to_string(id));
  }
  return out;
}

}  // namespace sluice::matrix
