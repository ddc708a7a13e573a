// The streaming replication protocol's CopyData payloads (START_REPLICATION ... LOGICAL).
//
// In COPY BOTH mode the server sends XLogData ('w', wrapping one pgoutput message) and primary
// keepalives ('k'); the client sends standby status updates ('r') saying how far it has written,
// flushed and applied. These are pure functions over bytes: the transport (libpq's
// PQgetCopyData / PQputCopyData) is a separate layer, so the same code decodes a live stream,
// a capture and a fuzz input.
//
// Restart contract (why "flushed" matters): the server may discard WAL and advance the slot up
// to the flushed LSN we report, so the caller must report only positions whose changes the
// target has durably committed. Reporting too little only causes replay after a restart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "connectors/postgres/replication/lsn.h"
#include "core/status.h"

namespace sluice::postgres::replication {

// PostgreSQL timestamps count microseconds from 2000-01-01 00:00 UTC; sluice's from 1970.
// Saturates rather than overflowing for the ±infinity sentinels.
int64_t PgEpochToUnixMicros(int64_t pg_micros);
int64_t UnixMicrosToPgEpoch(int64_t unix_micros);

// 'w': WAL data. `payload` is one pgoutput message, viewing the input bytes.
struct XLogData {
  Lsn wal_start;             // where this message's WAL starts
  Lsn wal_end;               // the server's current end of WAL
  int64_t send_time_us = 0;  // server clock when sent, Unix microseconds
  std::string_view payload;
};

// 'k': the server's heartbeat; when reply_requested, answer with a status update promptly or
// the server ends the connection after wal_sender_timeout.
struct PrimaryKeepalive {
  Lsn wal_end;
  int64_t send_time_us = 0;  // Unix microseconds
  bool reply_requested = false;
};

using ReplicationFrame = std::variant<XLogData, PrimaryKeepalive>;

// Decodes one CopyData payload from the server. Unknown kinds and malformed payloads are
// DataErrors naming the message and offset.
Result<ReplicationFrame> DecodeReplicationFrame(std::string_view bytes);

// 'r': what the client reports. Positions are "last byte + 1" of what was handled.
struct StandbyStatus {
  Lsn written;
  Lsn flushed;
  Lsn applied;
  int64_t client_time_us = 0;    // Unix microseconds
  bool reply_requested = false;  // ask the server for a keepalive back (to measure lag)
};

// The 34-byte CopyData payload of a standby status update.
std::string BuildStandbyStatusUpdate(const StandbyStatus& status);

}  // namespace sluice::postgres::replication
