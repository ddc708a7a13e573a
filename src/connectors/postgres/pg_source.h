// PgSource: reads one PostgreSQL table, view or partitioned table.
//
// Lifecycle (core/source.h): made by the connector factory; Open() on the main thread
// connects (the planning connection), resolves the table, columns, filters and split key;
// PlanSplits() cuts the read on quantiles of the key; OpenSplit() may then be called from
// several threads at once: it reads only state fixed by Open() and gives each reader its own
// connection. With `snapshot: true`, Open() begins a REPEATABLE READ transaction on the
// planning connection and exports its snapshot; planning, MaxValue and every reader then see
// the same data. That transaction stays open until the source is destroyed (after its
// readers), because an exported snapshot can only be imported while its exporter lives.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/pg_config.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_split_reader.h"
#include "connectors/postgres/pg_table.h"
#include "core/source.h"

namespace sluice::postgres {

class PgSource : public Source {
 public:
  explicit PgSource(PgConfig config) : config_(std::move(config)) {}
  // The planning connection goes back to the ConnectionCache (if idle).
  ~PgSource() override { conn_.Recycle(); }

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return plan_.schema; }
  // max(column) under the request's `where` (not the watermark range), as canonical text.
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  // From the catalog's statistics (reltuples) when the read has no filter; else unknown.
  Result<std::optional<int64_t>> EstimateRows() override;
  std::vector<std::string> PrimaryKey() const override { return table_.primary_key; }
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  Status OpenTable();
  Status ResolveColumns(const ReadRequest& request);
  Status ResolveWatermark(const ReadRequest& request);
  Status ResolveSplitKey(const ReadRequest& request);
  Result<const PgColumn*> FindColumn(const std::string& name, std::string_view role) const;
  Result<std::optional<int64_t>> TableRows();
  std::string Context() const { return "postgres source " + table_.Label(); }
  // What every read's FROM names (PgConfig::only_own_rows).
  std::string FromTable() const {
    return (config_.only_own_rows ? "ONLY " : "") + table_.Qualified();
  }

  PgConfig config_;
  PgConnection conn_;  // the planning connection, main thread only
  PgTable table_;
  int max_splits_ = 1;
  std::string where_;  // the user's `where` alone, for MaxValue
  const PgColumn* key_ = nullptr;
  ReadPlan plan_;
  bool opened_ = false;
};

}  // namespace sluice::postgres
