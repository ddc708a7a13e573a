// SqliteSink: writes rows into one table of an SQLite database file, in one transaction per
// run, or per checkpoint for a run that goes on (SupportsCheckpoints()).
//
// Lifecycle (core/sink.h), all on the engine's main thread except SqliteSinkWriter::Write:
//   Recover()  -> raise the job's fence in _sluice_positions (committed), then: is the pending
//                 run the job's last committed one? (SQLite itself rolls back whatever an
//                 interrupted transaction left, on the next open)
//   Prepare()  -> open (creating the file and its directories), WAL, check the target, create
//                 _sluice_positions and raise the job's fence (a short transaction of its
//                 own), BEGIN IMMEDIATE, create or check the table, pre_sql (once per run),
//                 DELETE for overwrite, prepare the INSERT
//   OpenWriter() once (SQLite has a single writer), Write() batches, Finish()
//   Checkpoint() -> the run row (fence-checked) and stream positions, COMMIT, BEGIN IMMEDIATE
//                 at once: a run that goes on keeps the file's write lock between checkpoints
//   Commit()   -> post_sql (final commit only), the run row, COMMIT; or Abort() -> ROLLBACK
// The run row is written in the same transaction as the data (sql_common/checkpoint_commit.h),
// so after a kill -9 the data and the marker are either both there or both gone: that is what
// makes every write mode exactly-once when the engine asks Recover() before running again.
// Overwrite cannot checkpoint (kInvalid).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/sqlite/sqlite_codec.h"
#include "connectors/sqlite/sqlite_config.h"
#include "connectors/sqlite/sqlite_handle.h"
#include "connectors/sqlite/sqlite_types.h"
#include "core/sink.h"

namespace sluice::sqlite {

class SqliteSink : public Sink {
 public:
  explicit SqliteSink(SqliteConfig config) : config_(std::move(config)) {}
  ~SqliteSink() override;

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
  // Between checkpoints: adds the missing columns in the open (empty) transaction; SQLite's DDL
  // is transactional, so the ALTER commits with the first rows of the new shape, or not at all.
  Status AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) override;
  Result<std::vector<std::string>> Plan(const WriteRequest& request) override;
  std::string Describe() const override { return config_.Describe(); }

 private:
  friend class SqliteSinkWriter;

  // What Prepare does to the target, worked out without changing anything.
  struct TargetPlan {
    std::string table;       // the existing table's own spelling, or the configured name
    std::string create_sql;  // empty when the table exists
    std::string insert_sql;
    // Keyed modes (upsert, replace): deletes the row of one key, for change streams.
    std::string delete_sql;
    std::vector<size_t> key_fields;    // the key's fields in the incoming schema, key order
    std::vector<std::string> columns;  // the target column each incoming field goes to
    std::vector<Affinity> affinities;  // of the target column each incoming field goes to
  };
  // `db` is null when the database file does not exist yet.
  Result<TargetPlan> BuildPlan(Database* db, const WriteRequest& request) const;
  Status CheckUniqueKey(Database& db, const std::string& table,
                        const std::vector<std::string>& key) const;
  Status PrepareInTransaction(const TargetPlan& plan);
  Status PrepareStatements();
  // Adds the columns of request_.schema named in `columns` that the table lacks.
  Status AddMissingColumns(const std::vector<std::string>& columns);
  // Commits the open transaction with the run row and `positions`; `final` runs post_sql and
  // begins no next transaction.
  Status CommitRun(const std::vector<StreamPosition>& positions, bool final);

  SqliteConfig config_;
  WriteRequest request_;
  Database db_;
  Statement insert_;
  Statement delete_;  // prepared when plan_.delete_sql is set
  TargetPlan plan_;
};

// Binds each row to the sink's prepared INSERT and steps it. Change streams (realtime jobs)
// into upsert/replace targets: a delete binds the key to the prepared DELETE; an update's
// before image deletes its key only when the after image (the next row) has another key, so an
// update in place is one upsert. Rows are applied in batch order, which is source order: the
// last change of a key wins. SQLite has no network round trip, so a prepared statement per row
// inside the checkpoint's transaction is its bulk path. Rows the table refuses (a
// constraint, a value it cannot hold) go to the RejectSink; SQLite undoes just that statement
// and the transaction goes on. Failures of the database itself (disk full, busy) are returned.
// An update with unchanged cells (core/column.h) is an UPDATE of its other columns by key, so
// the table keeps its values there; one statement is prepared per set of unchanged columns.
class SqliteSinkWriter : public SinkWriter {
 public:
  explicit SqliteSinkWriter(SqliteSink& sink);
  Status Write(const Batch& batch, RejectSink& rejects) override;
  bool KeepsUnchangedCells() const override { return !sink_.plan_.delete_sql.empty(); }
  // DELETE FROM the table, in the open transaction (rows are applied as they come).
  Status Truncate(const Batch& batch) override;
  Status Finish() override { return Status::OK(); }

 private:
  // Binds the row's cells of `fields`, in order, and steps `stmt`; a refused row is rejected.
  Status Apply(sqlite3_stmt* stmt, const Batch& batch, size_t row,
               const std::vector<size_t>& fields, RejectSink& rejects);
  Status ApplyKeepingValues(const Batch& batch, size_t row, RejectSink& rejects);
  bool SameKey(const Batch& batch, size_t a, size_t b) const;

  SqliteSink& sink_;
  std::vector<CellEncoder> encoders_;
  std::vector<size_t> all_fields_;
  // ApplyKeepingValues' statements by unchanged-column mask ('1' unchanged), with the fields
  // they bind.
  struct KeepingUpdate {
    Statement statement;
    std::vector<size_t> fields;
  };
  std::map<std::string, KeepingUpdate> keeping_updates_;
};

}  // namespace sluice::sqlite
