// The messages of PostgreSQL's pgoutput plugin, protocol versions 1 and 2, as plain structs.
//
// Byte fields (names, values, message content) are string_views into the decoded input: a
// decoded message lives no longer than the buffer it came from (one CopyData message). Copy
// what must outlive it (RelationCache copies Relation and Type messages).
//
// xid fields: in a streamed (in-progress) transaction, Relation, Type, Insert, Update, Delete,
// Truncate and Message carry the xid of the (sub)transaction they belong to; outside a stream
// they carry none and `xid` is 0 (InvalidTransactionId).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "connectors/postgres/replication/lsn.h"

namespace sluice::postgres::replication {

// One column of a TupleData.
enum class TupleValueKind : char {
  kNull = 'n',
  // A TOASTed value that did not change: the server did not send it, and the target must keep
  // what it has. Not NULL.
  kUnchanged = 'u',
  kText = 't',    // the type's output function text
  kBinary = 'b',  // the type's send function bytes (only with the `binary` option)
};

struct TupleValue {
  TupleValueKind kind = TupleValueKind::kNull;
  std::string_view bytes;  // kText and kBinary only
};

// One allocation per tuple (the vector), none per value.
using TupleData = std::vector<TupleValue>;

struct BeginMessage {
  Lsn final_lsn;               // the commit record's LSN
  int64_t commit_time_us = 0;  // Unix microseconds
  uint32_t xid = 0;
};

struct CommitMessage {
  uint8_t flags = 0;  // unused, 0
  Lsn commit_lsn;
  Lsn end_lsn;  // the position to confirm once this transaction is durable in the target
  int64_t commit_time_us = 0;
};

struct OriginMessage {
  Lsn commit_lsn;  // the commit's LSN on the origin server
  std::string_view name;
};

struct RelationColumn {
  bool key = false;  // flags bit 1: part of the replica identity (the key)
  std::string_view name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

// Replica identity setting (pg_class.relreplident): which old values Update/Delete carry.
enum class ReplicaIdentity : char {
  kDefault = 'd',  // the primary key
  kNothing = 'n',
  kFull = 'f',   // every column
  kIndex = 'i',  // the columns of a chosen unique index
};

struct RelationMessage {
  uint32_t xid = 0;
  uint32_t oid = 0;
  std::string_view namespace_name;  // empty means pg_catalog
  std::string_view name;
  ReplicaIdentity replica_identity = ReplicaIdentity::kDefault;
  std::vector<RelationColumn> columns;
};

// Sent before the first Relation that uses a non-built-in type (enum, domain, composite, ...).
// For a domain, `oid` is the domain's but the namespace and name are its base type's (pgoutput
// resolves the base type), so a domain over integer arrives as ("", "int4").
struct TypeMessage {
  uint32_t xid = 0;
  uint32_t oid = 0;
  std::string_view namespace_name;
  std::string_view name;
};

struct InsertMessage {
  uint32_t xid = 0;
  uint32_t relation_oid = 0;
  TupleData new_tuple;
};

// Which old values an Update or Delete carries.
enum class OldTupleKind : char {
  kNone = 0,   // Update only: the key did not change and identity is not FULL
  kKey = 'K',  // the replica identity columns; the others are NULL
  kOld = 'O',  // the whole old row (REPLICA IDENTITY FULL)
};

struct UpdateMessage {
  uint32_t xid = 0;
  uint32_t relation_oid = 0;
  OldTupleKind old_kind = OldTupleKind::kNone;
  TupleData old_tuple;  // empty when old_kind is kNone
  TupleData new_tuple;
};

struct DeleteMessage {
  uint32_t xid = 0;
  uint32_t relation_oid = 0;
  OldTupleKind old_kind = OldTupleKind::kKey;  // kKey or kOld
  TupleData old_tuple;
};

struct TruncateMessage {
  static constexpr uint8_t kCascade = 1;
  static constexpr uint8_t kRestartIdentity = 2;

  uint32_t xid = 0;
  uint8_t options = 0;
  std::vector<uint32_t> relation_oids;
};

// pg_logical_emit_message. Non-transactional messages arrive outside any transaction, at once.
struct LogicalMessage {
  uint32_t xid = 0;
  bool transactional = false;
  Lsn lsn;
  std::string_view prefix;
  std::string_view content;
};

// A streamed transaction arrives in segments: Stream Start, changes (with xid), Stream Stop;
// later exactly one Stream Commit or Stream Abort for it. Segments of several transactions
// may interleave; nothing of a streamed transaction may be applied before its Stream Commit.
struct StreamStartMessage {
  uint32_t xid = 0;
  bool first_segment = false;
};

struct StreamStopMessage {};

struct StreamCommitMessage {
  uint32_t xid = 0;
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  int64_t commit_time_us = 0;
};

// Aborts the whole transaction when subxid == xid, else only that subtransaction's changes.
struct StreamAbortMessage {
  uint32_t xid = 0;
  uint32_t subxid = 0;
};

using PgOutputMessage =
    std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage,
                 InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage,
                 StreamStartMessage, StreamStopMessage, StreamCommitMessage, StreamAbortMessage>;

// "Insert", "Stream Commit", ...: for errors, logs and tests.
const char* MessageName(const PgOutputMessage& message);

}  // namespace sluice::postgres::replication
