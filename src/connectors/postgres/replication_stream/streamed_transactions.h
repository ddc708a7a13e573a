// StreamedTransactions: the changes of large in-progress transactions that pgoutput streams
// (`streaming 'on'`) before they commit, held until their Stream Commit (then replayed in
// order) or dropped by their Stream Abort (whole, or one subtransaction's).
//
// Only the changes of the configured table are held, as the raw pgoutput message bytes (they
// are decoded again at replay, with the relation known then).
//
// Memory is bounded by `max_bytes`: when an Add would go above it, the open transaction that
// holds the most in memory is spilled to an unlinked temporary file (in $TMPDIR, else /tmp)
// and all its later changes are appended there; the file goes away with the transaction, or
// with the process if it dies. A subtransaction aborted after its changes were spilled is
// remembered and its changes are passed over at replay. Disk is the only limit then: a
// million-row UPDATE costs its message bytes on disk, not in memory.
// Lifecycle: one per replication connection, used by the stream's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::postgres::replication_stream {

struct HeldChange {
  uint32_t subxid = 0;  // the (sub)transaction the change belongs to
  std::string message;  // one pgoutput message (Insert, Update, Delete)
};

// An unlinked temporary file of changes, written in order, then read back once.
class SpillFile {
 public:
  static Result<std::unique_ptr<SpillFile>> Create();
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  Status Append(uint32_t subxid, std::string_view message);
  // Switches to reading from the start; Next returns false at the end.
  Status Rewind();
  Result<bool> Next(HeldChange& out);
  uint64_t bytes() const { return bytes_; }

 private:
  explicit SpillFile(std::FILE* file) : file_(file) {}
  std::FILE* file_;
  uint64_t bytes_ = 0;
};

// A committed transaction's changes handed over for replay, from memory or from its spill
// file, in source order, without its aborted subtransactions.
class HeldReplay {
 public:
  HeldReplay() = default;
  HeldReplay(std::deque<HeldChange> changes, std::unique_ptr<SpillFile> spilled,
             std::set<uint32_t> aborted);
  bool empty() const { return memory_.empty() && !spilled_; }
  // The next change; false when there is none left.
  Result<bool> Next(HeldChange& out);
  void clear();

 private:
  std::deque<HeldChange> memory_;       // after what was spilled
  std::unique_ptr<SpillFile> spilled_;  // read first; null once exhausted
  std::set<uint32_t> aborted_;          // subtransactions aborted after their changes spilled
};

class StreamedTransactions {
 public:
  explicit StreamedTransactions(size_t max_bytes) : max_bytes_(max_bytes) {}

  Status Add(uint32_t xid, uint32_t subxid, std::string_view message);
  // Stream Abort: the whole transaction when subxid == xid, else one subtransaction.
  void Abort(uint32_t xid, uint32_t subxid);
  // Stream Commit: hands the transaction's changes over, in order, and forgets them.
  Result<HeldReplay> Take(uint32_t xid);

  bool empty() const { return open_.empty(); }
  size_t bytes() const { return bytes_; }  // held in memory
  uint64_t spilled_bytes() const;          // held on disk
  size_t spilled_transactions() const;

 private:
  struct Open {
    std::deque<HeldChange> memory;
    size_t memory_bytes = 0;
    std::unique_ptr<SpillFile> spilled;
    std::set<uint32_t> aborted;  // only kept once spilled
  };
  // Moves the open transaction with the most bytes in memory to a spill file.
  Status SpillLargest();

  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<uint32_t, Open> open_;  // by top-level xid
};

}  // namespace sluice::postgres::replication_stream
