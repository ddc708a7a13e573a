#include "connectors/postgres/replication_stream/streamed_transactions.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sluice::postgres::replication_stream {
namespace {

Status FileError(const char* what) {
  return Status::IoError("spilling a streamed transaction to disk: {}: {}", what,
                         std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<SpillFile>> SpillFile::Create() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/sluice-pg-txn-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) return Err(FileError(("cannot create a file like " + path).c_str()));
  // Unlinked at once: the space is given back when the file closes, or the process dies.
  unlink(path.c_str());
  std::FILE* file = fdopen(fd, "w+b");
  if (!file) {
    close(fd);
    return Err(FileError("fdopen"));
  }
  return std::unique_ptr<SpillFile>(new SpillFile(file));
}

SpillFile::~SpillFile() {
  std::fclose(file_);
}

Status SpillFile::Append(uint32_t subxid, std::string_view message) {
  const uint32_t header[2] = {subxid, static_cast<uint32_t>(message.size())};
  if (std::fwrite(header, sizeof header, 1, file_) != 1 ||
      (!message.empty() && std::fwrite(message.data(), message.size(), 1, file_) != 1)) {
    return FileError("write (is the temporary directory's disk full?)");
  }
  bytes_ += sizeof header + message.size();
  return Status::OK();
}

Status SpillFile::Rewind() {
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) return FileError("rewind");
  return Status::OK();
}

Result<bool> SpillFile::Next(HeldChange& out) {
  uint32_t header[2];
  if (std::fread(header, sizeof header, 1, file_) != 1) {
    if (std::feof(file_)) return false;
    return Err(FileError("read"));
  }
  out.subxid = header[0];
  out.message.resize(header[1]);
  if (header[1] > 0 && std::fread(out.message.data(), header[1], 1, file_) != 1) {
    return Err(FileError("read (the file ends inside a change)"));
  }
  return true;
}

HeldReplay::HeldReplay(std::deque<HeldChange> changes, std::unique_ptr<SpillFile> spilled,
                       std::set<uint32_t> aborted)
    : memory_(std::move(changes)), spilled_(std::move(spilled)), aborted_(std::move(aborted)) {}

Result<bool> HeldReplay::Next(HeldChange& out) {
  while (spilled_) {
    SLUICE_ASSIGN_OR_RETURN(bool got, spilled_->Next(out));
    if (!got) {
      spilled_.reset();
      break;
    }
    if (!aborted_.contains(out.subxid)) return true;
  }
  if (memory_.empty()) return false;
  out = std::move(memory_.front());
  memory_.pop_front();
  return true;
}

void HeldReplay::clear() {
  memory_.clear();
  spilled_.reset();
}

Status StreamedTransactions::Add(uint32_t xid, uint32_t subxid, std::string_view message) {
  Open& txn = open_[xid];
  if (txn.spilled) return txn.spilled->Append(subxid, message);
  while (bytes_ + message.size() > max_bytes_ && bytes_ > 0) {
    SLUICE_RETURN_IF_ERROR(SpillLargest());
    if (txn.spilled) return txn.spilled->Append(subxid, message);
  }
  bytes_ += message.size();
  txn.memory_bytes += message.size();
  txn.memory.push_back(HeldChange{subxid, std::string(message)});
  return Status::OK();
}

Status StreamedTransactions::SpillLargest() {
  auto largest = std::max_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
    return a.second.memory_bytes < b.second.memory_bytes;
  });
  Open& txn = largest->second;
  SLUICE_ASSIGN_OR_RETURN(txn.spilled, SpillFile::Create());
  for (const HeldChange& c : txn.memory) {
    SLUICE_RETURN_IF_ERROR(txn.spilled->Append(c.subxid, c.message));
  }
  bytes_ -= txn.memory_bytes;
  txn.memory_bytes = 0;
  txn.memory.clear();
  return Status::OK();
}

void StreamedTransactions::Abort(uint32_t xid, uint32_t subxid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return;
  Open& txn = it->second;
  if (subxid == xid) {
    bytes_ -= txn.memory_bytes;
    open_.erase(it);
    return;
  }
  if (txn.spilled) {
    txn.aborted.insert(subxid);  // its changes are on disk: passed over at replay
    return;
  }
  auto gone = std::remove_if(txn.memory.begin(), txn.memory.end(), [&](const HeldChange& c) {
    if (c.subxid != subxid) return false;
    bytes_ -= c.message.size();
    txn.memory_bytes -= c.message.size();
    return true;
  });
  txn.memory.erase(gone, txn.memory.end());
}

Result<HeldReplay> StreamedTransactions::Take(uint32_t xid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return HeldReplay();
  Open txn = std::move(it->second);
  open_.erase(it);
  bytes_ -= txn.memory_bytes;
  if (txn.spilled) SLUICE_RETURN_IF_ERROR(txn.spilled->Rewind());
  return HeldReplay(std::move(txn.memory), std::move(txn.spilled), std::move(txn.aborted));
}

uint64_t StreamedTransactions::spilled_bytes() const {
  uint64_t total = 0;
  for (const auto& [xid, txn] : open_) total += txn.spilled ? txn.spilled->bytes() : 0;
  return total;
}

size_t StreamedTransactions::spilled_transactions() const {
  return static_cast<size_t>(std::count_if(open_.begin(), open_.end(), [](const auto& entry) {
    return entry.second.spilled != nullptr;
  }));
}

}  // namespace sluice::postgres::replication_stream
