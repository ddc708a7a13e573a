// PgSinkWriter: streams batches into the run's transaction with COPY ... FROM STDIN.
//
// Batches flow into one open COPY, sent in messages of about copy_buffer_bytes; the COPY is
// ended (and its result awaited) only every kChunkBytes of data and at Finish(). Every wait for
// the server stalls both sides of the pipe, so waiting once per chunk rather than once per
// batch keeps the server's COPY busy the way `psql | psql` does.
// Each chunk runs inside a savepoint. PostgreSQL aborts a whole COPY on one bad row, so when a
// chunk fails with a data error (SQLSTATE class 22 or 23, or 54000: a value too long, a NOT
// NULL, unique or partition constraint) the savepoint is rolled back and the chunk's rows are
// bisected: each half is copied again in its own savepoint, down to the single rows that fail,
// which go to the RejectSink with PostgreSQL's message; good rows are written. One bad row
// costs about 2*log2(rows in the chunk) extra COPYs. For that, the writer keeps the
// chunk's batches (taken from the pipeline, not copied: WriteAndTake) until the chunk has committed
// to its savepoint (bounded by kChunkBytes). Other failures (connection lost, permissions, disk
// full) end the run. Values sluice can check itself (an int64 too big for integer, a decimal
// numeric(p,s) would round) are rejected before they are sent. The last chunk is ended by Finish(),
// whose rejected rows go to the RejectSink of the Write() calls before it (the engine uses one
// RejectSink for the whole run). Lifecycle: one writer per run (MaxWriters() is 1), used by one
// writer thread; it uses the sink's connection, which the main thread does not touch until Finish()
// has returned.
// Unchanged cells (a PostgreSQL source's TOASTed values an update did not send; core/column.h)
// of a realtime change merge take the target's value: a batch holding any is staged on its
// own (what was staged before is merged first, in the same transaction), then one UPDATE of
// the staging table copies the target's values into its unchanged cells by key (their masks
// say which), so the merge at the checkpoint writes the values the target already had.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_copy_encoder.h"
#include "connectors/postgres/pg_target.h"
#include "core/sink.h"

namespace sluice::postgres {

// Merges the rows staged since the last merge into the target (the change merge when `staged`
// says updates or deletes came) and resets `staged`. With `empty_stage`, also empties the
// staging table for the rows that follow in the same transaction.
Status MergeStaged(PgConnection& conn, const TargetPlan& plan, StagedKinds& staged,
                   const std::string& context, bool empty_stage);

class PgSinkWriter : public SinkWriter {
 public:
  // Encoded COPY data per chunk (one COPY statement, one savepoint, one wait for the server).
  static constexpr size_t kChunkBytes = 32 << 20;

  // `fill` is the partition value's encoded form when the rows lack the column.
  // `staged` (the sink's) says what the batches since the last merge brought: updates or
  // deletes (the sink then merges with plan.change_merge_sql), rows that remove their key (and
  // then runs plan.change_delete_sql first).
  PgSinkWriter(PgConnection& conn, const TargetPlan& plan, const Schema& schema,
               std::optional<std::string> fill, size_t buffer_bytes, StagedKinds* staged);

  Status Write(const Batch& batch, RejectSink& rejects) override;
  // Keeps the batch's rows for the open chunk by taking them (no copy); see Write().
  Status WriteAndTake(std::unique_ptr<Batch>& batch, RejectSink& rejects) override;
  bool KeepsUnchangedCells() const override { return plan_.keep_masks; }
  // TRUNCATE of the table (or the partition written), after dropping the rows of the open
  // chunk and the staged ones: they came before the TRUNCATE at the source.
  Status Truncate(const Batch& batch) override;
  Status Finish() override;

 private:
  // A batch of the open chunk: the batch itself, the rows sent, and its first row number.
  struct Pending {
    Batch batch;
    std::vector<uint32_t> rows;
    int64_t row_base = 0;
  };
  // One row of a failed chunk: (index into pending_, row of that batch).
  using RowRef = std::pair<uint32_t, uint32_t>;

  // Write(); `owned` (the caller's pointer to `batch`, or null) is taken rather than copied.
  Status Append(const Batch& batch, std::unique_ptr<Batch>* owned, RejectSink& rejects);
  Status AppendRows(const Batch& batch, std::unique_ptr<Batch>* owned, RejectSink& rejects);
  // Append() for a batch with unchanged cells in `columns` (see the header comment).
  Status AppendKeepingValues(const Batch& batch, std::unique_ptr<Batch>* owned, RejectSink& rejects,
                             const std::vector<size_t>& columns);
  Status StartCopy();
  Status Send();
  // Ends the COPY and reads its result: `ok` false with `why` when the server refused the data
  // (the savepoint is then rolled back); other failures are returned.
  Status EndCopy(bool& ok, std::string& why);
  Status AbortCopy(Status cause);
  // Ends the open chunk; on a data error finds and rejects the bad rows.
  Status EndChunk(RejectSink& rejects);
  Status CopyRows(const std::vector<RowRef>& refs, size_t lo, size_t hi, bool& ok,
                  std::string& why);
  Status Bisect(const std::vector<RowRef>& refs, size_t lo, size_t hi, RejectSink& rejects);

  PgConnection& conn_;
  const TargetPlan& plan_;
  const Schema& schema_;
  CopyEncoder encoder_;
  size_t buffer_bytes_;
  std::string copy_sql_;
  std::string buffer_;
  std::vector<Pending> pending_;  // the batches of the open chunk
  size_t chunk_bytes_ = 0;        // encoded bytes sent in the open chunk
  bool copying_ = false;
  int64_t row_base_ = 0;           // row number of the next batch's first row (staging order)
  RejectSink* rejects_ = nullptr;  // the one every Write() got; Finish() ends the last chunk
  bool release_pending_ = false;
  StagedKinds* staged_;
};

}  // namespace sluice::postgres
