// Binlog event type codes (the byte at offset 4 of every v4 event), MySQL's and MariaDB's.
// MariaDB numbers its own events from 160 up, so one enum holds both.
#pragma once

#include <cstdint>

namespace sluice::mysql::binlog {

enum class EventType : uint8_t {
  kUnknown = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kTableMap = 19,
  kWriteRowsV0 = 20,  // pre-GA (5.1.15) rows events: refused
  kUpdateRowsV0 = 21,
  kDeleteRowsV0 = 22,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kMysqlGtid = 33,
  kMysqlAnonymousGtid = 34,
  kMysqlPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,   // MySQL 8 UPDATE_ROWS v2 with JSON diffs (diffs refused)
  kTransactionPayload = 40,  // MySQL 8 compressed transactions (transaction_payload.h)
  kHeartbeatV2 = 41,
  kMysqlGtidTagged = 42,
  kAnnotateRows = 160,
  kBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kStartEncryption = 164,
  kQueryCompressed = 165,  // MariaDB log_bin_compress (compressed_data.h)
  // MariaDB log_bin_compress row events: 166-168 laid out as v1 (8-byte post-header), 169-171
  // as v2 (10 bytes, with extra data), as MariaDB's FORMAT_DESCRIPTION declares them.
  kWriteRowsCompressedV1 = 166,
  kUpdateRowsCompressedV1 = 167,
  kDeleteRowsCompressedV1 = 168,
  kWriteRowsCompressedV2 = 169,
  kUpdateRowsCompressedV2 = 170,
  kDeleteRowsCompressedV2 = 171,
};

// "WRITE_ROWS_V1", or "type 99" for a code this decoder does not know.
const char* EventTypeName(EventType type);
const char* EventTypeName(uint8_t code);

// MariaDB's log_bin_compress row events: row images zlib-compressed (compressed_data.h).
constexpr bool IsCompressedRowsEvent(EventType t) {
  const auto c = static_cast<uint8_t>(t);
  return c >= 166 && c <= 171;
}

constexpr bool IsRowsEvent(EventType t) {
  switch (t) {
    case EventType::kWriteRowsV1:
    case EventType::kUpdateRowsV1:
    case EventType::kDeleteRowsV1:
    case EventType::kWriteRowsV2:
    case EventType::kUpdateRowsV2:
    case EventType::kDeleteRowsV2:
    case EventType::kPartialUpdateRows:
      return true;
    default:
      return IsCompressedRowsEvent(t);
  }
}

// Row events this decoder recognises but cannot decode (MySQL 5.1's pre-GA ones).
// MySQL's compressed transactions are decoded by transaction_payload.h.
constexpr bool IsUnsupportedRowsEvent(EventType t) {
  const auto c = static_cast<uint8_t>(t);
  return c >= 20 && c <= 22;
}

}  // namespace sluice::mysql::binlog
