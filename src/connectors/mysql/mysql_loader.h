// Loader: runs LOAD DATA LOCAL INFILE from memory and finds the rows the server refuses.
//
// The rows of a batch are formatted once (mysql_encoder.h) into one buffer; a custom
// local-infile handler hands that buffer to the client library, so nothing touches a file.
//
// Refused rows. With LOCAL the server cannot stop the client mid-file, so MySQL turns every
// row error (duplicate key, value out of range, NULL in a NOT NULL column, bad UTF-8) into a
// warning and stores an adjusted value or skips the row: strict mode does not apply. sluice
// therefore treats any warning as a refused row: each LOAD runs after a SAVEPOINT; when it
// warns, it is rolled back to the savepoint and the rows are loaded again in halves, down to
// single rows, whose warnings become the reject reasons (RejectSink). Good rows are loaded
// exactly once in the end; a batch with k bad rows costs about 2·k·log2(batch) small LOADs.
// Exceptions by mode: IGNORE expects duplicate-key warnings (1062) and keeps the old row.
//
// Upsert loads into a staging table the same way, then merges the staging rows into the
// target with INSERT ... SELECT ... ON DUPLICATE KEY UPDATE (strict mode applies there: a
// refused row is an error, found by merging halves of the staging rows the same way).
// A change stream (updates, deletes) stays staged until the checkpoint instead, and is
// applied there by MergeChanges: one DELETE and one INSERT for all of it.
// Lifecycle: owned by the sink; used by the one writer thread, then by Commit on the main
// thread (never both at once).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_target.h"
#include "core/sink.h"

namespace sluice::mysql {

// The formatted rows of one batch: row i is data[ends[i-1], ends[i]) and came from row
// batch_rows[i] of the batch.
struct FormattedRows {
  std::string data;
  std::vector<size_t> ends;
  std::vector<uint32_t> batch_rows;

  void Clear() {
    data.clear();
    ends.clear();
    batch_rows.clear();
  }
  size_t size() const { return ends.size(); }
  size_t Begin(size_t i) const { return i == 0 ? 0 : ends[i - 1]; }
};

class Loader {
 public:
  // `reject(batch_row, reason)` records a refused row; its error (the limit) stops the load.
  using RejectFn = std::function<Status(uint32_t batch_row, const std::string& reason)>;

  Loader(Connection& conn, const TargetPlan& plan, WriteMode mode);
  // Installs the in-memory infile handler on the connection.
  void Install();
  // Loads `rows` into the target (or, for upsert, through staging into it). With
  // `stage_only` (upsert with a change stream) the rows stay staged for MergeChanges.
  Status Load(const FormattedRows& rows, const RejectFn& reject, bool stage_only = false);
  // Upsert: applies every staged change (mysql_change_merge.h) and empties the staging table.
  // A failure here belongs to no single batch row any more: it fails the checkpoint.
  Status MergeChanges();
  // Drops the staged changes unapplied (a TRUNCATE at the source came after them).
  Status DiscardStaged();

  int64_t rows_loaded() const { return rows_loaded_; }

 private:
  struct Warning {
    unsigned code = 0;
    std::string message;
  };
  // One LOAD of rows [begin, end): fills `warnings`, or returns a failure of the server.
  Status LoadRange(const FormattedRows& rows, size_t begin, size_t end,
                   std::vector<Warning>& warnings);
  // Loads rows [begin, end), halving around refused rows.
  Status LoadSplitting(const FormattedRows& rows, size_t begin, size_t end, const RejectFn& reject,
                       std::vector<uint32_t>* loaded);
  // Upsert: merges staging rows with seq in [first, last] (positions [begin, end) of `seqs`).
  Status MergeSplitting(const std::vector<int64_t>& seqs, size_t begin, size_t end,
                        const std::vector<uint32_t>& loaded, const RejectFn& reject);
  bool Acceptable(const std::vector<Warning>& warnings) const;
  Result<std::vector<Warning>> FetchWarnings();

  static int InfileInit(void** ptr, const char* name, void* userdata);
  static int InfileRead(void* ptr, char* buf, unsigned int len);
  static void InfileEnd(void* ptr);
  static int InfileError(void* ptr, char* msg, unsigned int len);

  Connection& conn_;
  const TargetPlan& plan_;
  WriteMode mode_;
  // The bytes the infile handler is handing out.
  const char* feed_ = nullptr;
  size_t feed_left_ = 0;
  int64_t rows_loaded_ = 0;
};

}  // namespace sluice::mysql
