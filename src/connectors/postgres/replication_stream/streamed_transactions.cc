#include "connectors/postgres/replication_stream/streamed_transactions.h"

#include <algorithm>

namespace sluice::postgres::replication_stream {

Status StreamedTransactions::Add(uint32_t xid, uint32_t subxid, std::string_view message) {
  if (bytes_ + message.size() > max_bytes_) {
    return Status::Invalid(
        "a streamed (in-progress) transaction holds more than {} MB of changes to the table: "
        "held in memory until it commits; raise `stream_buffer_mb` or split the transaction",
        max_bytes_ >> 20);
  }
  bytes_ += message.size();
  open_[xid].push_back(HeldChange{subxid, std::string(message)});
  return Status::OK();
}

void StreamedTransactions::Abort(uint32_t xid, uint32_t subxid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return;
  if (subxid == xid) {
    for (const HeldChange& c : it->second) bytes_ -= c.message.size();
    open_.erase(it);
    return;
  }
  std::deque<HeldChange>& changes = it->second;
  auto gone = std::remove_if(changes.begin(), changes.end(), [&](const HeldChange& c) {
    if (c.subxid != subxid) return false;
    bytes_ -= c.message.size();
    return true;
  });
  changes.erase(gone, changes.end());
}

std::deque<HeldChange> StreamedTransactions::Take(uint32_t xid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return {};
  std::deque<HeldChange> out = std::move(it->second);
  open_.erase(it);
  for (const HeldChange& c : out) bytes_ -= c.message.size();
  return out;
}

}  // namespace sluice::postgres::replication_stream
