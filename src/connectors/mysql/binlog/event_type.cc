#include "connectors/mysql/binlog/event_type.h"

namespace sluice::mysql::binlog {

const char* EventTypeName(uint8_t code) {
  switch (static_cast<EventType>(code)) {
    case EventType::kUnknown:
      return "UNKNOWN";
    case EventType::kStartV3:
      return "START_V3";
    case EventType::kQuery:
      return "QUERY";
    case EventType::kStop:
      return "STOP";
    case EventType::kRotate:
      return "ROTATE";
    case EventType::kIntvar:
      return "INTVAR";
    case EventType::kRand:
      return "RAND";
    case EventType::kUserVar:
      return "USER_VAR";
    case EventType::kFormatDescription:
      return "FORMAT_DESCRIPTION";
    case EventType::kXid:
      return "XID";
    case EventType::kTableMap:
      return "TABLE_MAP";
    case EventType::kWriteRowsV0:
      return "WRITE_ROWS_V0";
    case EventType::kUpdateRowsV0:
      return "UPDATE_ROWS_V0";
    case EventType::kDeleteRowsV0:
      return "DELETE_ROWS_V0";
    case EventType::kWriteRowsV1:
      return "WRITE_ROWS_V1";
    case EventType::kUpdateRowsV1:
      return "UPDATE_ROWS_V1";
    case EventType::kDeleteRowsV1:
      return "DELETE_ROWS_V1";
    case EventType::kIncident:
      return "INCIDENT";
    case EventType::kHeartbeat:
      return "HEARTBEAT";
    case EventType::kIgnorable:
      return "IGNORABLE";
    case EventType::kRowsQuery:
      return "ROWS_QUERY";
    case EventType::kWriteRowsV2:
      return "WRITE_ROWS_V2";
    case EventType::kUpdateRowsV2:
      return "UPDATE_ROWS_V2";
    case EventType::kDeleteRowsV2:
      return "DELETE_ROWS_V2";
    case EventType::kMysqlGtid:
      return "GTID";
    case EventType::kMysqlAnonymousGtid:
      return "ANONYMOUS_GTID";
    case EventType::kMysqlPreviousGtids:
      return "PREVIOUS_GTIDS";
    case EventType::kTransactionContext:
      return "TRANSACTION_CONTEXT";
    case EventType::kViewChange:
      return "VIEW_CHANGE";
    case EventType::kXaPrepare:
      return "XA_PREPARE";
    case EventType::kPartialUpdateRows:
      return "PARTIAL_UPDATE_ROWS";
    case EventType::kTransactionPayload:
      return "TRANSACTION_PAYLOAD";
    case EventType::kHeartbeatV2:
      return "HEARTBEAT_V2";
    case EventType::kMysqlGtidTagged:
      return "GTID_TAGGED";
    case EventType::kAnnotateRows:
      return "ANNOTATE_ROWS";
    case EventType::kBinlogCheckpoint:
      return "BINLOG_CHECKPOINT";
    case EventType::kMariaGtid:
      return "MARIADB_GTID";
    case EventType::kMariaGtidList:
      return "MARIADB_GTID_LIST";
    case EventType::kStartEncryption:
      return "START_ENCRYPTION";
    case EventType::kQueryCompressed:
      return "QUERY_COMPRESSED";
    case EventType::kWriteRowsCompressedV1:
      return "WRITE_ROWS_COMPRESSED_V1";
    case EventType::kUpdateRowsCompressedV1:
      return "UPDATE_ROWS_COMPRESSED_V1";
    case EventType::kDeleteRowsCompressedV1:
      return "DELETE_ROWS_COMPRESSED_V1";
    case EventType::kWriteRowsCompressedV2:
      return "WRITE_ROWS_COMPRESSED_V2";
    case EventType::kUpdateRowsCompressedV2:
      return "UPDATE_ROWS_COMPRESSED_V2";
    case EventType::kDeleteRowsCompressedV2:
      return "DELETE_ROWS_COMPRESSED_V2";
  }
  return "UNKNOWN_TYPE";
}

const char* EventTypeName(EventType type) {
  return EventTypeName(static_cast<uint8_t>(type));
}

}  // namespace sluice::mysql::binlog
