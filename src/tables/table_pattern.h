// Table patterns of multi-table jobs (source.tables, overrides): which db.table names they
// select.
//
// A pattern is a glob unless it uses a character that only regular expressions use
// (+ ( ) | \ ^ $ {): globs are the common case ("shop.*", "!shop.tmp_*") and regular
// expressions the powerful one ("shop_[0-9]+\\.orders_[0-9]+"). In a glob, a `.` separates the
// db from the table, `*` and `?` match within the db or the table (which may hold dots of
// their own: "idt.*" matches the table "dot.ted" of idt), and [0-9] is a class; a glob
// without a `.` matches tables of the connection's default database. A regular expression must
// match the whole "db.table". A leading `!` makes the pattern exclude what it matches.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/connector_registry.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace sluice {

class TablePattern {
 public:
  static Result<TablePattern> Compile(const std::string& text);
  TablePattern(TablePattern&&) noexcept;
  TablePattern& operator=(TablePattern&&) noexcept;
  ~TablePattern();

  bool Matches(const CatalogTable& table) const;
  bool exclude() const { return exclude_; }
  // A glob without wildcards or classes: it names its tables exactly.
  bool literal() const { return literal_; }
  const std::string& text() const { return text_; }

 private:
  TablePattern() = default;
  std::string text_;
  bool exclude_ = false;
  bool literal_ = false;
  bool table_only_ = false;       // a glob without a db part
  std::unique_ptr<re2::RE2> re_;  // a regular expression, or a glob without a db part
  // A glob with a db part: one (db, table) pair per dot that may separate them.
  struct GlobSplit {
    std::unique_ptr<re2::RE2> db;
    std::unique_ptr<re2::RE2> table;
  };
  std::vector<GlobSplit> splits_;
};

// A list of patterns: a table is selected when an including pattern matches it and no
// excluding one does.
class TableSelector {
 public:
  // Errors name the pattern and what is wrong with it.
  static Result<TableSelector> Compile(const std::vector<std::string>& patterns);
  bool Selects(const CatalogTable& table) const;
  // Whether an including pattern names `table` exactly (no wildcard): a table the user asked
  // for by name, never left out as an online schema change tool's table (tables/tool_tables.h).
  bool NamesExactly(const CatalogTable& table) const;
  // The including patterns that select none of `tables`: almost always a typo.
  std::vector<std::string> Unmatched(const std::vector<CatalogTable>& tables) const;

 private:
  std::vector<TablePattern> patterns_;
};

}  // namespace sluice
