// MysqlSink: writes rows into one table of a MySQL/MariaDB database, in one transaction per
// run, or per checkpoint for a run that goes on (SupportsCheckpoints()).
//
// Lifecycle (core/sink.h), all on the engine's main thread except MysqlSinkWriter::Write:
//   Recover()  -> raise the job's fence in <db>._sluice_positions to the recovering owner's
//                 token (committed), then: is the pending run the job's last committed one?
//                 (the server rolled back whatever the killed run's transaction had done when
//                 its connection dropped; a writer still alive can no longer commit)
//   Prepare()  -> connect; check or plan the table; raise the job's fence (a short
//                 transaction of its own); DDL next, because MySQL commits DDL implicitly:
//                 _sluice_positions, CREATE TABLE if missing, upsert's temporary staging
//                 table; then SET autocommit = 0, pre_sql (once per run), and for overwrite
//                 the DELETE (of the whole table, or of the partition value's rows)
//   OpenWriter() once (one connection, one transaction), Write() batches via LOAD DATA
//   Checkpoint() -> upsert's staged changes merged (mysql_change_merge.h), the run row
//                 (fence-checked) and stream positions, COMMIT, next transaction
//   Commit()   -> post_sql (final commit only), the run row, COMMIT; or Abort() -> ROLLBACK
// The run row is written in the same transaction as the data (sql_common/checkpoint_commit.h),
// so after a kill -9 the data and the marker are either both there or both gone: every write
// mode is exactly-once when the engine asks Recover() before running again. A COMMIT cut by a
// lost connection (2013, 2006) returns kOutcomeUnknown. Overwrite cannot checkpoint (kInvalid).
// CREATE TABLE cannot be rolled back in MySQL: Abort() drops a table this run created (when it
// is still empty after the ROLLBACK and no checkpoint committed into it), so a failed run
// leaves no table behind. A run killed with -9 between CREATE and COMMIT still leaves an empty
// table, which the next run reuses.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_encoder.h"
#include "connectors/mysql/mysql_loader.h"
#include "connectors/mysql/mysql_target.h"
#include "core/sink.h"

namespace sluice::mysql {

class MysqlSink : public Sink {
 public:
  explicit MysqlSink(MysqlConfig config) : config_(std::move(config)) {}
  ~MysqlSink() override;

  Result<bool> Recover(const PendingRun& pending) override;
  Result<std::string> Prepare(const WriteRequest& request) override;
  int MaxWriters() const override { return 1; }
  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;
  Status Commit() override { return CommitWithPositions({}); }
  Status Abort() override;
  bool SupportsCheckpoints() const override { return true; }
  Status Checkpoint(const std::vector<StreamPosition>& positions) override;
  Status CommitWithPositions(const std::vector<StreamPosition>& positions) override;
  Result<std::vector<StreamPosition>> CommittedPositions(const std::string& job) override;
  // Between checkpoints: rolls back the empty transaction, adds the missing columns (DDL
  // commits implicitly: never with rows), plans the new schema, begins the next transaction.
  Status AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) override;
  Result<std::vector<std::string>> Plan(const WriteRequest& request) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  friend class MysqlSinkWriter;

  Status PrepareSession();
  // Adds the columns of request_.schema named in `columns` that the table lacks.
  Status AddMissingColumns(const std::vector<std::string>& columns);
  Status BeginTransaction();
  // Commits the open transaction with the run row and `positions`; `final` runs post_sql and
  // begins no next transaction.
  Status CommitRun(const std::vector<StreamPosition>& positions, bool final);
  // Abort's last step: drops the table this run created, on the live connection `conn_`.
  Status DropCreatedTable();

  MysqlConfig config_;
  WriteRequest request_;
  Connection conn_;
  TargetPlan plan_;
  std::unique_ptr<Loader> loader_;
  bool in_transaction_ = false;
  bool created_table_ = false;  // this Prepare created plan_'s table; cleared by Commit
  // A change stream is staged and waits for the checkpoint's merge (mysql_change_merge.h).
  bool changes_staged_ = false;
};

// Formats each batch as LOAD DATA text and hands it to the sink's Loader. Values the target
// cannot hold (NaN in a DOUBLE) and rows the server refuses go to the RejectSink; failures of
// the server itself are returned.
// Unchanged cells (a PostgreSQL source's TOASTed values an update did not send; core/column.h)
// keep the table's values: a batch holding any is staged on its own, after what was staged
// before is merged (in the same transaction), and then one UPDATE of the staging table copies
// the table's values into its unchanged cells by key, which the checkpoint's merge writes back.
class MysqlSinkWriter : public SinkWriter {
 public:
  explicit MysqlSinkWriter(MysqlSink& sink);
  Status Write(const Batch& batch, RejectSink& rejects) override;
  bool KeepsUnchangedCells() const override { return sink_.plan_.keep_masks; }
  Status Truncate(const Batch& batch) override;
  Status Finish() override { return Status::OK(); }

 private:
  Status WriteRows(const Batch& batch, RejectSink& rejects);
  // The LOAD DATA field of the row's keep mask (kStagingKeep): tab, then hex or \N.
  void AppendKeepMask(const Batch& batch, size_t row, std::string& out);
  // The first key field that is NULL in `row`, or the number of fields.
  size_t NullKeyField(const Batch& batch, size_t row) const;

  MysqlSink& sink_;
  std::vector<FieldEncoder> encoders_;
  FormattedRows rows_;
  std::string why_;
  std::vector<uint8_t> mask_;
};

}  // namespace sluice::mysql
