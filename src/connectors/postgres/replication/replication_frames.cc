#include "connectors/postgres/replication/replication_frames.h"

#include <limits>

#include "connectors/postgres/pg_wire.h"
#include "connectors/postgres/replication/byte_reader.h"

namespace sluice::postgres::replication {
namespace {

Result<ReplicationFrame> DecodeXLogData(ByteReader& r) {
  XLogData d;
  SLUICE_ASSIGN_OR_RETURN(d.wal_start.value, r.U64("WAL start"));
  SLUICE_ASSIGN_OR_RETURN(d.wal_end.value, r.U64("WAL end"));
  SLUICE_ASSIGN_OR_RETURN(const int64_t t, r.I64("send time"));
  d.send_time_us = PgEpochToUnixMicros(t);
  d.payload = r.Rest();
  return d;
}

Result<ReplicationFrame> DecodeKeepalive(ByteReader& r) {
  PrimaryKeepalive k;
  SLUICE_ASSIGN_OR_RETURN(k.wal_end.value, r.U64("WAL end"));
  SLUICE_ASSIGN_OR_RETURN(const int64_t t, r.I64("send time"));
  k.send_time_us = PgEpochToUnixMicros(t);
  SLUICE_ASSIGN_OR_RETURN(const uint8_t reply, r.U8("reply flag"));
  if (reply > 1) return Err(r.ErrorAt(r.offset() - 1, "reply flag is {}, expected 0 or 1", reply));
  k.reply_requested = reply == 1;
  SLUICE_RETURN_IF_ERROR(r.ExpectEnd());
  return k;
}

}  // namespace

int64_t PgEpochToUnixMicros(int64_t pg_micros) {
  int64_t out = 0;
  if (__builtin_add_overflow(pg_micros, kPgEpochMicros, &out)) {
    return std::numeric_limits<int64_t>::max();
  }
  return out;
}

int64_t UnixMicrosToPgEpoch(int64_t unix_micros) {
  int64_t out = 0;
  if (__builtin_sub_overflow(unix_micros, kPgEpochMicros, &out)) {
    return std::numeric_limits<int64_t>::min();
  }
  return out;
}

Result<ReplicationFrame> DecodeReplicationFrame(std::string_view bytes) {
  ByteReader r(bytes, "replication message");
  SLUICE_ASSIGN_OR_RETURN(const uint8_t kind, r.U8("message kind"));
  switch (kind) {
    case 'w':
      r.set_what("XLogData");
      return DecodeXLogData(r);
    case 'k':
      r.set_what("primary keepalive");
      return DecodeKeepalive(r);
    default:
      return Err(Status::DataError("replication message at offset 0: unknown kind 0x{:02x}", kind));
  }
}

std::string BuildStandbyStatusUpdate(const StandbyStatus& status) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  PutU64(out, status.written.value);
  PutU64(out, status.flushed.value);
  PutU64(out, status.applied.value);
  PutI64(out, UnixMicrosToPgEpoch(status.client_time_us));
  out.push_back(status.reply_requested ? 1 : 0);
  return out;
}

}  // namespace sluice::postgres::replication
