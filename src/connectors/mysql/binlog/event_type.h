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
  kQueryCompressed = 165,
  kWriteRowsCompressedV0 = 166,
  kUpdateRowsCompressedV0 = 167,
  kDeleteRowsCompressedV0 = 168,
  kWriteRowsCompressedV1 = 169,
  kUpdateRowsCompressedV1 = 170,
  kDeleteRowsCompressedV1 = 171,
};

// "WRITE_ROWS_V1", or "type 99" for a code this decoder does not know.
const char* EventTypeName(EventType type);
const char* EventTypeName(uint8_t code);

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
      return false;
  }
}

// Row events this decoder recognises but cannot decode (compressed, partial, pre-GA).
// MySQL's compressed transactions are decoded by transaction_payload.h.
constexpr bool IsUnsupportedRowsEvent(EventType t) {
  const auto c = static_cast<uint8_t>(t);
  return (c >= 20 && c <= 22) || (c >= 166 && c <= 171);
}

}  // namespace sluice::mysql::binlog
