// FileSink: what the file sinks (CSV, JSON lines) share: one FileTarget per run, its recovery,
// commit and checkpoints. A subclass says how rows look (OpenWriter) and what a new file
// starts with (StartFile, e.g. a CSV header).
//
// Files keep no stream positions of their own (there is no transaction to put them in): a
// checkpoint fsyncs the file and hands the engine a journal entry with the file's size
// (CheckpointState); the engine writes it to the state store in one transaction with the
// positions (PositionsInStateStore). After a kill, Recover() cuts the file back to the size
// of the last checkpoint the store holds, and the source resumes from the positions stored
// with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/file_common/file_target.h"
#include "core/sink.h"

namespace sluice {

class FileSink : public Sink {
 public:
  Result<bool> Recover(const PendingRun& pending) override { return FileTarget::Recover(pending); }
  Result<std::string> Prepare(const WriteRequest& request) override;
  int MaxWriters() const override { return 1; }
  Status Commit() override;
  Status Abort() override;
  // Append only; the engine refuses overwrite for runs that checkpoint.
  bool SupportsCheckpoints() const override { return true; }
  bool PositionsInStateStore() const override { return true; }
  Status Checkpoint(const std::vector<StreamPosition>& positions) override;
  Status CommitWithPositions(const std::vector<StreamPosition>& positions) override;
  std::string CheckpointState() const override { return checkpoint_state_; }
  Result<std::vector<std::string>> Plan(const WriteRequest& request) override;
  std::string Describe() const override { return std::string(connector_) + ":" + path_; }

 protected:
  FileSink(const char* connector, std::string path)
      : connector_(connector), path_(std::move(path)) {}
  // Called once the run's file is open, before any row: what an empty file starts with.
  virtual void StartFile(FileTarget& /*target*/) {}

  const char* connector_;  // "csv", "jsonl": for messages
  std::string path_;
  Schema schema_;
  std::unique_ptr<FileTarget> target_;

 private:
  std::string checkpoint_state_;
};

}  // namespace sluice
