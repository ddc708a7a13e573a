// SqliteSource: reads one table (or view) of an SQLite database file.
//
// Lifecycle (core/source.h): made by the connector factory; Open() on the main thread
// resolves the table, columns, filters and split key; PlanSplits() cuts the read into key
// ranges balanced on the real key distribution; OpenSplit() may then be called from several
// threads at once: it reads only state fixed by Open() and gives each reader its own
// read-only connection. Open() may be called again (e.g. with a watermark range once
// MaxValue() is known); it resets everything.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/sqlite/sqlite_config.h"
#include "connectors/sqlite/sqlite_handle.h"
#include "connectors/sqlite/sqlite_split_reader.h"
#include "connectors/sqlite/sqlite_table.h"
#include "core/source.h"
#include "core/time_zone.h"

namespace sluice::sqlite {

class SqliteSource : public Source {
 public:
  SqliteSource(SqliteConfig config, TimeZone zone)
      : config_(std::move(config)), zone_(std::move(zone)) {}

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return plan_.schema; }
  // MAX(column) under the request's `where` (not the watermark range), as canonical text.
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  // COUNT(*) under `where` and the watermark range.
  Result<std::optional<int64_t>> EstimateRows() override;
  // The declared PRIMARY KEY columns in key order (not the implicit rowid).
  std::vector<std::string> PrimaryKey() const override;
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  Status OpenTable();
  Status ResolveColumns(const ReadRequest& request);
  Status ResolveWatermark(const ReadRequest& request);
  Status ResolveSplitKey(const ReadRequest& request);
  Result<const TableColumn*> FindColumn(const std::string& name, std::string_view role) const;
  Result<int64_t> Count(const Filter& filter);

  SqliteConfig config_;
  TimeZone zone_;
  Database db_;  // the planning connection, main thread only
  TableInfo table_;
  int max_splits_ = 1;
  Filter where_;  // the user's `where` alone, for MaxValue
  std::string key_expr_;
  std::string key_label_;
  bool key_nullable_ = false;
  ReadPlan plan_;
  bool opened_ = false;
};

}  // namespace sluice::sqlite
