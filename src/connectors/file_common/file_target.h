// FileTarget: how the file sinks (CSV, JSON lines) write a run and make it exactly-once.
//
// Two write modes, each with its own journal entry (the sink_state the engine keeps until it
// confirms the run, see core/sink.h):
//  - overwrite: rows go to "<path>.sluice-tmp-<run_id>"; Commit() fsyncs it, renames it over
//    <path> and fsyncs the directory, so readers see the old file or the whole new one. The
//    journal records the temp file's inode: rename keeps it, so Recover() can tell a committed
//    run (<path> has that inode) from one that was not (the temp file is still there, or
//    <path> is some other file).
//  - append: the journal records <path>'s size before the run; rows are appended after it and
//    Commit() fsyncs. The engine calls Recover() only for runs it did not confirm, so Recover()
//    truncates the file back to that size and returns false: the engine then reads the same
//    rows again, and every row lands exactly once even across kill -9. A realtime run appends
//    and checkpoints (Checkpoint()): its journal entry then moves on to each checkpoint's size.
//
// Lifecycle: Begin() and Commit()/Abort() on the engine's main thread; buffer()/FlushIfFull()/
// Flush() from the single writer thread in between (file sinks allow one writer).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/sink.h"
#include "core/status.h"

namespace sluice {

class FileTarget {
 public:
  // Bytes buffered before a write(2); large writes keep syscalls off the profile.
  static constexpr size_t kFlushBytes = 1 << 20;

  explicit FileTarget(std::string path) : path_(std::move(path)) {}
  ~FileTarget();  // closes the file; leaves temp files to Abort() / Recover()
  FileTarget(const FileTarget&) = delete;
  FileTarget& operator=(const FileTarget&) = delete;

  // Starts a run (creating parent directories) and returns the journal entry to keep as
  // PendingRun::sink_state. Modes other than append and overwrite are an InvalidArgument.
  Result<std::string> Begin(WriteMode mode, const std::string& run_id);
  // True when the output starts empty (a new or overwritten file): write a header.
  bool starts_empty() const { return start_size_ == 0; }

  // Formatters append here, then call FlushIfFull().
  std::string& buffer() { return buffer_; }
  Status FlushIfFull() { return buffer_.size() >= kFlushBytes ? Flush() : Status::OK(); }
  Status Flush();

  Status Commit();
  Status Abort();
  // Append runs that never end: makes everything written so far durable (fsync) and returns
  // the journal entry that says so (the file's size now, "checkpoint": true). The engine keeps
  // it in the state store with the stream positions; Recover() of such an entry truncates the
  // file back to that size and reports the run as in the target. Abort() after a checkpoint
  // truncates back to the last checkpoint, not to the run's start.
  Result<std::string> Checkpoint();

  int64_t bytes_written() const { return bytes_written_; }
  const std::string& path() const { return path_; }

  // Cleans up after a run the engine did not confirm (see above). Returns whether its rows
  // are in the target.
  static Result<bool> Recover(const PendingRun& pending);
  // What Begin() would do, for `sluice check`; changes nothing.
  static std::vector<std::string> Plan(const std::string& path, WriteMode mode);
  static std::string TempPath(const std::string& path, const std::string& run_id) {
    return path + ".sluice-tmp-" + run_id;
  }

 private:
  Status CloseFile();

  std::string path_;
  WriteMode mode_ = WriteMode::kAppend;
  std::string temp_path_;
  int fd_ = -1;
  bool created_ = false;
  int64_t start_size_ = 0;
  int64_t checkpoint_size_ = -1;  // the size at the last Checkpoint(); -1: none yet
  int64_t bytes_written_ = 0;
  std::string buffer_;
};

// Checks that a file sink supports `mode`: "csv target does not support write_mode upsert ...".
Status CheckFileWriteMode(const char* connector, WriteMode mode);

// The writer of every file sink: formats each batch into the target's buffer with a row
// formatter (CSV, JSON lines) and flushes in large chunks. Files take no rejects: every value
// has a text form.
template <typename Formatter>
class FormattedFileWriter : public SinkWriter {
 public:
  FormattedFileWriter(FileTarget* target, Formatter formatter)
      : target_(target), formatter_(std::move(formatter)) {}

  Status Write(const Batch& batch, RejectSink& /*rejects*/) override {
    formatter_.AppendRows(batch, target_->buffer());
    return target_->FlushIfFull();
  }
  Status Finish() override { return target_->Flush(); }

 private:
  FileTarget* target_;  // owned by the sink, which outlives its writers
  Formatter formatter_;
};

}  // namespace sluice
