// StreamedTransactions: the changes of large in-progress transactions that pgoutput streams
// (`streaming 'on'`) before they commit, held until their Stream Commit (then replayed in
// order) or dropped by their Stream Abort (whole, or one subtransaction's).
//
// Only the changes of the configured table are held, as the raw pgoutput message bytes (they
// are decoded again at replay, with the relation known then). Memory: what the table's rows of
// the open streamed transactions take as messages; above `max_bytes` Add fails with a clear
// error rather than growing without bound (a spill to disk is not-yet work).
// Lifecycle: one per replication connection, used by the stream's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice::postgres::replication_stream {

struct HeldChange {
  uint32_t subxid = 0;  // the (sub)transaction the change belongs to
  std::string message;  // one pgoutput message (Insert, Update, Delete)
};

class StreamedTransactions {
 public:
  explicit StreamedTransactions(size_t max_bytes) : max_bytes_(max_bytes) {}

  Status Add(uint32_t xid, uint32_t subxid, std::string_view message);
  // Stream Abort: the whole transaction when subxid == xid, else one subtransaction.
  void Abort(uint32_t xid, uint32_t subxid);
  // Stream Commit: hands the transaction's changes over, in order, and forgets them.
  std::deque<HeldChange> Take(uint32_t xid);

  bool empty() const { return open_.empty(); }
  size_t bytes() const { return bytes_; }

 private:
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<uint32_t, std::deque<HeldChange>> open_;  // by top-level xid
};

}  // namespace sluice::postgres::replication_stream
