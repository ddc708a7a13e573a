// Schema: the ordered, named, typed fields of the rows flowing through a pipeline.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  // The column's own type in the engine it was read from ("postgres", "interval"), so that a
  // target of the same engine creates exactly that type where the sluice type is only the
  // nearest fit. Empty for files and for columns sluice computes or retypes.
  std::string native_engine;
  std::string native_type;
  // The source option that turns values of a column the source declares NOT NULL into NULL
  // ("zero_date: null"); a NOT NULL target column conflicts with it (see `check`).
  std::string null_rule;
  // A realtime stream's column the source dropped (core/schema_change.h): it stays in the
  // schema and the target, NULL from the drop on, so a target column created NOT NULL from the
  // source must accept NULL now (Sink::AddColumns relaxes it).
  bool dropped_at_source = false;
  // A realtime stream's column the source widened while the run streamed (a longer text, a
  // wider integer or decimal: StreamSchemaTracker::Widen): the target's column must take the
  // wider values, so Sink::AddColumns widens it. Only such columns: a target column the user
  // made narrower than the source's for values that fit it is never altered.
  bool widened_at_source = false;
  // What the source holds in rows that existed before this column was added (ALTER TABLE ...
  // ADD COLUMN with a DEFAULT, or the implicit one a database gives a NOT NULL column): the source
  // filled them without any change event, so a target that adds the column must fill its own
  // existing rows the same way (Sink::AddColumns). Set by change streams from the source's
  // catalog. `added_default`: a constant, as text (numbers as written, booleans 1/0, dates and
  // times ISO); `added_default_unknown`: the source's default ("DEFAULT now()") when it is not
  // a constant the stream can know (CURRENT_TIMESTAMP, random(), a sequence...): adding the
  // column would diverge, so the target refuses, naming it. Both empty: the existing rows hold
  // NULL.
  std::optional<std::string> added_default;
  std::string added_default_unknown;
  // Why a realtime stream's changes never carry this column's value (PostgreSQL sends no
  // generated column), though the snapshot reads it; empty when they do. The target would hold
  // NULL in every row a change wrote, so a job must drop or replace (`set`) the column and may
  // not read it in an expression (the engine and the expression binder refuse, naming it).
  std::string absent_from_changes;
  // Why a realtime stream's deletes, and its updates that move a row to another key, do not
  // carry this column (PostgreSQL sends only the table's replica identity in them); empty when
  // they do. A change-capture job's key must not hold such a column: the row to delete could
  // not be found, and a key change would leave the old row behind (the engine refuses).
  std::string absent_from_old_rows;

  void ClearNative() {
    native_engine.clear();
    native_type.clear();
  }

  bool operator==(const Field&) const = default;
};

struct Schema {
  std::vector<Field> fields;

  size_t size() const { return fields.size(); }
  // Exact, case-sensitive match first, then a case-insensitive one (SQL names are often
  // folded differently by different databases).
  std::optional<size_t> IndexOf(std::string_view name) const;
  std::vector<std::string> Names() const;
  std::string ToString() const;  // "id int64, name string"

  bool operator==(const Schema&) const = default;
};

// The problem, for a target's list of mismatches, when `field` carries a null rule and goes
// into the NOT NULL target column `column`; empty when there is none.
std::string NullRuleConflict(const Field& field, std::string_view column, bool column_not_null);

}  // namespace sluice
