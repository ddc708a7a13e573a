// BinlogStream's XA transactions (binlog_stream.h). MariaDB writes a two-phase transaction's
// rows to the binlog at XA PREPARE, in an event group of its own (a GTID flagged "prepared
// XA", XA START, table maps and rows, XA END, an XA_PREPARE event), and its outcome later, in
// another group: XA COMMIT or XA ROLLBACK with the same xid. Applying the rows at the prepare
// applied rolled-back transactions (seen: a row updated and one inserted by an XA ROLLBACK
// reached the target, and the run exited 0). So the group's events are held, as their bytes,
// until the outcome: replayed through Handle() right after the XA COMMIT, dropped at the
// rollback. Between a prepare and its outcome the committed position stays before the
// prepare, so a restart reads the prepared rows again (ReachBoundary). (XA COMMIT ... ONE
// PHASE is written as an ordinary transaction.)
#include <fmt/format.h>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"
#include "connectors/mysql/binlog_stream/binlog_stream.h"

namespace sluice::mysql::binlog_stream {
namespace {

// Whether `sql` starts with `word` (ASCII case-insensitive) and a space or its end; the rest.
std::optional<std::string_view> AfterWord(std::string_view sql, std::string_view word) {
  if (sql.size() < word.size() || Lower(sql.substr(0, word.size())) != Lower(word)) {
    return std::nullopt;
  }
  std::string_view rest = sql.substr(word.size());
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == ';')) rest.remove_suffix(1);
  return rest;
}

// An xid as the server writes it in XA statements: X'<gtrid hex>',X'<bqual hex>',<format id>,
// upper case (the server's hex digits are upper case; the X may be either).
std::string XidKey(std::string_view text) {
  std::string key(text);
  for (char& c : key) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return key;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace

void BinlogStream::BeginXaGroup() {
  xa_collecting_ = true;
  xa_group_.clear();
}

bool BinlogStream::HoldXaEvent(binlog::EventType type, std::string_view bytes) {
  if (!xa_collecting_) return false;
  if (type != binlog::EventType::kTableMap && !binlog::IsRowsEvent(type) &&
      !binlog::IsUnsupportedRowsEvent(type)) {
    return false;
  }
  xa_group_.emplace_back(bytes);
  return true;
}

// XA_PREPARE_LOG_EVENT: one_phase (1 byte), then the xid: format id (4), gtrid length (4),
// bqual length (4), gtrid and bqual.
Status BinlogStream::HandleXaPrepare(const binlog::Event& e) {
  binlog::ByteReader r(e.body);
  uint64_t one_phase = 0, format_id = 0, gtrid_length = 0, bqual_length = 0;
  std::string_view gtrid, bqual;
  if (!r.Le(1, one_phase) || !r.Le(4, format_id) || !r.Le(4, gtrid_length) ||
      !r.Le(4, bqual_length) || gtrid_length > 64 || bqual_length > 64 ||
      !r.Bytes(gtrid_length, gtrid) || !r.Bytes(bqual_length, bqual)) {
    return Status::DataError("XA_PREPARE event at {}:{} is truncated or malformed", file_,
                             e.header.log_pos);
  }
  xa_collecting_ = false;
  in_txn_ = false;
  txn_rows_out_ = false;
  const std::string key =
      fmt::format("X'{}',X'{}',{}", Hex(gtrid), Hex(bqual), static_cast<int32_t>(format_id));
  if (one_phase != 0) {
    // Committed as it was prepared: its rows apply now.
    xa_replay_.assign(std::make_move_iterator(xa_group_.begin()),
                      std::make_move_iterator(xa_group_.end()));
    xa_group_.clear();
    if (!xa_replay_.empty()) {
      in_txn_ = true;
      xa_commit_end_ = BinlogPosition{file_, e.header.log_pos};
    }
    return Status::OK();
  }
  xa_prepared_[key] = std::move(xa_group_);
  xa_group_.clear();
  return Status::OK();
}

Result<bool> BinlogStream::HandleXaStatement(std::string_view sql, const binlog::Event& e) {
  if (AfterWord(sql, "XA START") || AfterWord(sql, "XA END")) return true;
  const std::optional<std::string_view> committed = AfterWord(sql, "XA COMMIT");
  const std::optional<std::string_view> rolled_back = AfterWord(sql, "XA ROLLBACK");
  if (!committed && !rolled_back) return false;
  in_txn_ = false;  // the outcome is a group of its own
  txn_rows_out_ = false;
  const std::string key = XidKey(committed ? *committed : *rolled_back);
  auto it = xa_prepared_.find(key);
  if (rolled_back) {
    if (it != xa_prepared_.end()) xa_prepared_.erase(it);  // its rows never happened
    return true;
  }
  if (it == xa_prepared_.end()) {
    if (skip_before_seconds_ >= 0) return true;  // before the startup time
    return Err(Status::Invalid(
        "XA transaction {} commits at {}:{}, but it was prepared before the position this run "
        "started reading from ({}), so its rows are not in what the run read: they may be "
        "lost to the target. Re-snapshot (startup: initial) at a time when no XA transaction "
        "is left prepared (XA RECOVER lists them)",
        key, file_, e.header.log_pos, committed_.ToString()));
  }
  xa_replay_.assign(std::make_move_iterator(it->second.begin()),
                    std::make_move_iterator(it->second.end()));
  xa_prepared_.erase(it);
  if (!xa_replay_.empty()) {
    in_txn_ = true;  // until its rows are replayed (ReplayXa)
    xa_commit_end_ = BinlogPosition{file_, e.header.log_pos};
  }
  return true;
}

Status BinlogStream::ReplayXa(Batch& batch) {
  if (xa_commit_end_.file.empty()) return Status::OK();
  while (!xa_replay_.empty() && !batch_ended_) {
    const std::string event = std::move(xa_replay_.front());
    xa_replay_.pop_front();
    SLUICE_RETURN_IF_ERROR(Handle(event, batch));
  }
  if (!xa_replay_.empty() || !pending_event_.empty()) return Status::OK();
  // Every held row is in: the XA COMMIT's end is a transaction boundary.
  in_txn_ = false;
  txn_rows_out_ = false;
  const BinlogPosition end = xa_commit_end_;
  xa_commit_end_ = BinlogPosition{};
  ReachBoundary(end);
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_stream
