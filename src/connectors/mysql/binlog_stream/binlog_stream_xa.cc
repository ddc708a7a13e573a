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
#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <fmt/format.h>
#include <mariadb_rpl.h>
#include <spdlog/spdlog.h>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/rows_event.h"
#include "connectors/mysql/binlog/table_map.h"
#include "connectors/mysql/binlog_stream/ascii_case.h"

namespace sluice::mysql::binlog_stream {
namespace {

constexpr size_t kXaLookbackFiles = 8;  // older binlog files read for an XA PREPARE

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

namespace {

// An XA_PREPARE event's xid, as XidKey() writes it, and whether it was one phase.
struct XaPrepare {
  std::string key;
  bool one_phase = false;
};

// XA_PREPARE_LOG_EVENT: one_phase (1 byte), then the xid: format id (4), gtrid length (4),
// bqual length (4), gtrid and bqual.
Result<XaPrepare> ParseXaPrepare(const binlog::Event& e, const std::string& file) {
  binlog::ByteReader r(e.body);
  uint64_t one_phase = 0, format_id = 0, gtrid_length = 0, bqual_length = 0;
  std::string_view gtrid, bqual;
  if (!r.Le(1, one_phase) || !r.Le(4, format_id) || !r.Le(4, gtrid_length) ||
      !r.Le(4, bqual_length) || gtrid_length > 64 || bqual_length > 64 ||
      !r.Bytes(gtrid_length, gtrid) || !r.Bytes(bqual_length, bqual)) {
    return Err(Status::DataError("XA_PREPARE event at {}:{} is truncated or malformed", file,
                                 e.header.log_pos));
  }
  return XaPrepare{
      fmt::format("X'{}',X'{}',{}", Hex(gtrid), Hex(bqual), static_cast<int32_t>(format_id)),
      one_phase != 0};
}

}  // namespace

Status BinlogStream::HandleXaPrepare(const binlog::Event& e) {
  SLUICE_ASSIGN_OR_RETURN(XaPrepare prepare, ParseXaPrepare(e, file_));
  xa_collecting_ = false;
  in_txn_ = false;
  txn_rows_out_ = false;
  const std::string& key = prepare.key;
  if (prepare.one_phase) {
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
    // Prepared before where the stream began: Next() reads its rows there
    // (LearnXaPreparedBefore). Until then no boundary: the commit is not through.
    unknown_xa_ = UnknownXa{key, BinlogPosition{file_, e.header.log_pos}};
    in_txn_ = true;
    return true;
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

Result<bool> BinlogStream::ReadXaPrepareBefore(const BinlogPosition& end, const std::string& key,
                                               std::vector<std::string>& events, bool& ours) {
  SLUICE_RETURN_IF_ERROR(OpenReplication(BinlogPosition{end.file, 4}));
  bool found = false;
  bool collecting = false;
  bool group_ours = false;
  std::vector<std::string> group;
  while (true) {
    Result<const st_mariadb_rpl_event*> fetched = FetchEvent();
    if (!fetched) {
      return Err(fetched.error().WithContext(
          fmt::format("reading {} up to {}", end.file, end.ToString())));
    }
    SLUICE_ASSIGN_OR_RETURN(std::string_view bytes, ReplicaEventBytes(**fetched));
    SLUICE_ASSIGN_OR_RETURN(binlog::Event e, framer_.Frame(bytes));
    const binlog::EventType type = e.type();
    if (type == binlog::EventType::kHeartbeat || type == binlog::EventType::kHeartbeatV2) continue;
    // The file ends as ReadTableMapsBefore says.
    if (type == binlog::EventType::kStop) return found;
    if (type == binlog::EventType::kRotate) {
      SLUICE_ASSIGN_OR_RETURN(binlog::RotateEvent r, binlog::ParseRotate(e, framer_.format()));
      if (e.header.log_pos != 0 || r.next_file != end.file) return found;
      continue;
    }
    if (e.header.log_pos == 0) continue;
    if (e.header.log_pos > end.offset) return found;
    if (type == binlog::EventType::kMariaGtid) {
      SLUICE_ASSIGN_OR_RETURN(binlog::MariaGtidEvent g, binlog::ParseMariaGtid(e));
      collecting = (g.flags & binlog::MariaGtidEvent::kPreparedXa) != 0;
      group_ours = false;
      group.clear();
    } else if (collecting && (type == binlog::EventType::kTableMap || binlog::IsRowsEvent(type) ||
                              binlog::IsUnsupportedRowsEvent(type))) {
      if (type == binlog::EventType::kTableMap) {
        // Parsed here, with this file's format: whether the group writes this stream's tables.
        SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(e, framer_.format()));
        group_ours = group_ours || TableOf(map).has_value();
      }
      group.emplace_back(bytes);
    } else if (type == binlog::EventType::kXaPrepare) {
      SLUICE_ASSIGN_OR_RETURN(XaPrepare prepare, ParseXaPrepare(e, end.file));
      // The last prepare of the xid before `end` (an xid may be prepared, rolled back and
      // prepared again).
      if (collecting && !prepare.one_phase && prepare.key == key) {
        events = std::move(group);
        ours = group_ours;
        found = true;
      }
      collecting = false;
      group.clear();
    }
    if (e.header.log_pos == end.offset) return found;
  }
}

Status BinlogStream::LearnXaPreparedBefore() {
  const UnknownXa xa = std::move(*unknown_xa_);
  unknown_xa_.reset();
  std::vector<std::string> events;
  bool ours = false;
  Result<bool> found = false;
  if (!stream_from_.file.empty() && stream_from_.offset > 4) {
    found = ReadXaPrepareBefore(stream_from_, xa.key, events, ours);
  }
  // Prepared in an older file: those before the start's, newest first, a few at most.
  const std::vector<std::string> older = FilesBeforeStart();
  for (size_t k = 0; found && !*found && k < older.size() && k < kXaLookbackFiles; ++k) {
    found = ReadXaPrepareBefore(BinlogPosition{older[k], UINT64_MAX}, xa.key, events, ours);
  }
  SLUICE_RETURN_IF_ERROR(OpenReplication(xa.commit_end));
  if (!found || !*found) {
    return Status::Invalid(
        "XA transaction {} commits at {}, but it was prepared before the position this run "
        "started reading from ({}), and its XA PREPARE is not in that binlog file nor the {} "
        "before it{}: its rows may be lost to the target. Re-snapshot (startup: initial) at a "
        "time when no XA transaction is left prepared (XA RECOVER lists them)",
        xa.key, xa.commit_end.ToString(), stream_from_.ToString(), kXaLookbackFiles,
        found ? "" : fmt::format(" (reading them failed: {})", found.error().message()));
  }
  // Rows of other tables only: nothing of it is this stream's.
  if (!ours) {
    in_txn_ = false;
    ReachBoundary(xa.commit_end);
    return Status::OK();
  }
  // Prepared before the start, committed after it: in neither the snapshot (a consistent
  // snapshot does not see a prepared transaction) nor what the stream read, so applied now.
  spdlog::info(
      "XA transaction {} committed at {} was prepared before this run's start ({}): its rows, "
      "read from there, are applied at its commit",
      xa.key, xa.commit_end.ToString(), stream_from_.ToString());
  xa_replay_.assign(std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
  xa_commit_end_ = xa.commit_end;
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_stream
