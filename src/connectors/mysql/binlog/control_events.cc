#include "connectors/mysql/binlog/control_events.h"

#include <fmt/format.h>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/compressed_data.h"
#include "connectors/mysql/binlog/event_header.h"

namespace sluice::mysql::binlog {
namespace {

ByteReader BodyReader(const Event& event) {
  return ByteReader(event.body, kEventHeaderSize);
}

Status Truncated(const Event& event, const ByteReader& r) {
  return Status::DataError("{} event is truncated or malformed at byte {} of {}",
                           EventTypeName(event.header.type_code), r.fail_offset(),
                           event.bytes.size());
}

}  // namespace

Result<RotateEvent> ParseRotate(const Event& event, const FormatDescription& format) {
  ByteReader r = BodyReader(event);
  RotateEvent out;
  const uint8_t post = format.PostHeaderLength(EventType::kRotate, 8);
  if (post >= 8) {
    r.Le(8, out.position);
    r.Skip(post - 8);
  }
  if (!r.ok()) return Err(Truncated(event, r));
  out.next_file = r.rest();
  return out;
}

Result<QueryEvent> ParseQuery(const Event& event, const FormatDescription& format,
                              std::string& inflated) {
  ByteReader r = BodyReader(event);
  QueryEvent out;
  uint8_t schema_length = 0;
  uint16_t status_length = 0;
  const uint8_t post = format.PostHeaderLength(event.type(), 13);
  if (post < 13) return Err(Status::DataError("QUERY post-header of {} bytes is too short", post));
  r.U(4, out.thread_id);
  r.U(4, out.exec_time);
  r.U(1, schema_length);
  r.U(2, out.error_code);
  r.U(2, status_length);
  r.Skip(post - 13);
  r.Bytes(status_length, out.status_vars);
  r.Bytes(schema_length, out.schema);
  r.Skip(1);  // the schema's terminating zero
  if (!r.ok()) return Err(Truncated(event, r));
  out.sql = r.rest();
  if (event.type() == EventType::kQueryCompressed) {
    Result<std::string_view> sql = InflateMariaCompressed(out.sql, inflated);
    if (!sql) {
      return Err(Status::DataError("QUERY_COMPRESSED event: statement at byte {}: {}", r.offset(),
                                   sql.error().message()));
    }
    out.sql = *sql;
  }
  return out;
}

Result<XidEvent> ParseXid(const Event& event) {
  ByteReader r = BodyReader(event);
  XidEvent out;
  if (!r.Le(8, out.xid)) return Err(Truncated(event, r));
  return out;
}

std::string MariaGtidEvent::ToString() const {
  return fmt::format("{}-{}-{}", domain_id, server_id, sequence);
}

Result<MariaGtidEvent> ParseMariaGtid(const Event& event) {
  ByteReader r = BodyReader(event);
  MariaGtidEvent out;
  out.server_id = event.header.server_id;
  r.Le(8, out.sequence);
  r.U(4, out.domain_id);
  r.U(1, out.flags);
  if (out.flags & MariaGtidEvent::kGroupCommitId) r.Le(8, out.commit_id);
  if (!r.ok()) return Err(Truncated(event, r));
  return out;
}

Result<MariaGtidListEvent> ParseMariaGtidList(const Event& event) {
  ByteReader r = BodyReader(event);
  MariaGtidListEvent out;
  uint32_t count_and_flags = 0;
  if (!r.U(4, count_and_flags)) return Err(Truncated(event, r));
  // The low 28 bits count the GTIDs, the high 4 are flags.
  const uint32_t count = count_and_flags & 0x0FFFFFFF;
  out.flags = static_cast<uint8_t>(count_and_flags >> 28);
  if (count > r.remaining() / 16) {
    return Err(Status::DataError("MARIADB_GTID_LIST event claims {} GTIDs in {} bytes", count,
                                 r.remaining()));
  }
  out.gtids.resize(count);
  for (MariaGtid& g : out.gtids) {
    r.U(4, g.domain_id);
    r.U(4, g.server_id);
    r.Le(8, g.sequence);
  }
  if (!r.ok()) return Err(Truncated(event, r));
  return out;
}

std::string MysqlGtidEvent::ToString() const {
  std::string out;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    fmt::format_to(std::back_inserter(out), "{:02x}", uuid[i]);
  }
  fmt::format_to(std::back_inserter(out), ":{}", gno);
  return out;
}

Result<MysqlGtidEvent> ParseMysqlGtid(const Event& event) {
  ByteReader r = BodyReader(event);
  MysqlGtidEvent out;
  std::string_view uuid;
  r.U(1, out.flags);
  r.Bytes(16, uuid);
  r.U(8, out.gno);
  if (!r.ok()) return Err(Truncated(event, r));
  for (size_t i = 0; i < 16; ++i) out.uuid[i] = static_cast<uint8_t>(uuid[i]);
  return out;
}

Result<AnnotateRowsEvent> ParseAnnotateRows(const Event& event) {
  AnnotateRowsEvent out;
  out.sql = event.body;
  if (event.type() == EventType::kRowsQuery) {
    // MySQL's ROWS_QUERY starts with a one-byte length that only holds the low 8 bits; the
    // text runs to the end of the event.
    ByteReader r = BodyReader(event);
    if (!r.Skip(1)) return Err(Truncated(event, r));
    out.sql = r.rest();
  }
  return out;
}

Result<HeartbeatEvent> ParseHeartbeat(const Event& event) {
  HeartbeatEvent out;
  out.log_file = event.body;
  out.log_pos = event.header.log_pos;
  return out;
}

}  // namespace sluice::mysql::binlog
