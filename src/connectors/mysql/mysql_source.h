// MysqlSource: reads one table (or view) of a MySQL/MariaDB database.
//
// Lifecycle (core/source.h): made by the connector factory; Open() on the main thread
// connects, loads the table from information_schema, maps the selected columns' types and
// resolves the filter, watermark range and split key; PlanSplits() cuts the read into key
// ranges balanced on the real key distribution. OpenSplit() may then be called from several
// threads at once: it reads only state fixed by Open()/PlanSplits() (the snapshot connections
// are handed out under a mutex) and each reader gets its own connection. Open() may be called
// again (with a watermark range once MaxValue() is known); it resets everything.
//
// Snapshot (`snapshot: true`): PlanSplits() takes LOCK TABLES ... READ (writers wait), opens
// one connection per split with START TRANSACTION WITH CONSISTENT SNAPSHOT, and unlocks; every
// reader then reads the table as of that moment. Without it each reader's query is consistent
// on its own, and rows changed while the readers start may be seen by one and not another.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_split_reader.h"
#include "connectors/mysql/mysql_splits.h"
#include "connectors/mysql/mysql_table.h"
#include "core/source.h"

namespace sluice::mysql {

class MysqlSource : public Source {
 public:
  explicit MysqlSource(MysqlConfig config) : config_(std::move(config)) {}
  // The planning connection is idle by then: it goes back to the ConnectionCache.
  ~MysqlSource() override { conn_.Recycle(); }

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return plan_.schema; }
  // MAX(column) under the request's `where` (not the watermark range), as canonical text.
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  // The COUNT(*) PlanSplits made, else a COUNT(*) now.
  Result<std::optional<int64_t>> EstimateRows() override;
  std::vector<std::string> PrimaryKey() const override { return table_.primary_key; }
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return config_.Describe(); }
  // After Open: what a reader of the whole table runs, and the table as `db`.`t` (for the
  // realtime source's snapshot, which reads on a connection of its own).
  const ReadPlan& plan() const { return plan_; }
  std::string QuotedTable() const { return From(); }
  // After Open: the table as the catalog names it (the job's name may differ in case).
  const MysqlTable& table() const { return table_; }
  // The key a split read ranges over (the first primary-key column, or split_key), if any.
  const std::optional<KeySpec>& split_key() const { return key_; }

 private:
  Status ResolveColumns(const ReadRequest& request);
  Status ResolveWatermark(const ReadRequest& request);
  Status ResolveSplitKey(const ReadRequest& request);
  Result<const MysqlColumn*> FindColumn(const std::string& name, std::string_view role) const;
  Result<ColumnMapping> Map(const MysqlColumn& column) const;
  // Opens one connection per split inside one consistent snapshot.
  Status OpenSnapshot(size_t splits);
  std::string From() const { return QuoteQualified(table_.database, table_.name); }

  MysqlConfig config_;
  Connection conn_;  // the planning connection, main thread only
  MysqlTable table_;
  int max_splits_ = 1;
  std::vector<std::string> where_;  // the user's `where` alone, for MaxValue
  std::optional<KeySpec> key_;
  ReadPlan plan_;
  std::optional<int64_t> counted_rows_;
  bool opened_ = false;

  std::mutex snapshot_mu_;
  std::map<int, Connection> snapshot_conns_;  // split index -> connection in the snapshot
};

}  // namespace sluice::mysql
