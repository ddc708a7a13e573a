#include "connectors/postgres/replication/pgoutput_decoder.h"

#include "connectors/postgres/replication/byte_reader.h"
#include "connectors/postgres/replication/replication_frames.h"

namespace sluice::postgres::replication {
namespace {

const char* KindName(uint8_t kind) {
  switch (kind) {
    case 'B':
      return "pgoutput Begin";
    case 'C':
      return "pgoutput Commit";
    case 'O':
      return "pgoutput Origin";
    case 'R':
      return "pgoutput Relation";
    case 'Y':
      return "pgoutput Type";
    case 'I':
      return "pgoutput Insert";
    case 'U':
      return "pgoutput Update";
    case 'D':
      return "pgoutput Delete";
    case 'T':
      return "pgoutput Truncate";
    case 'M':
      return "pgoutput Message";
    case 'S':
      return "pgoutput Stream Start";
    case 'E':
      return "pgoutput Stream Stop";
    case 'c':
      return "pgoutput Stream Commit";
    case 'A':
      return "pgoutput Stream Abort";
    default:
      return nullptr;
  }
}

Result<Lsn> ReadLsn(ByteReader& r, const char* field) {
  SLUICE_ASSIGN_OR_RETURN(const uint64_t v, r.U64(field));
  return Lsn{v};
}

Result<int64_t> ReadTime(ByteReader& r, const char* field) {
  SLUICE_ASSIGN_OR_RETURN(const int64_t v, r.I64(field));
  return PgEpochToUnixMicros(v);
}

Result<bool> ReadFlag(ByteReader& r, const char* field) {
  SLUICE_ASSIGN_OR_RETURN(const uint8_t v, r.U8(field));
  if (v > 1) return Err(r.ErrorAt(r.offset() - 1, "{} is {}, expected 0 or 1", field, v));
  return v == 1;
}

// The xid that changes carry inside a streamed transaction's segment.
Result<uint32_t> ReadStreamXid(ByteReader& r, bool in_stream) {
  if (!in_stream) return 0u;
  SLUICE_ASSIGN_OR_RETURN(const uint32_t xid, r.U32("xid"));
  if (xid == 0) return Err(r.Error("streamed change with xid 0"));
  return xid;
}

Result<TupleData> ReadTuple(ByteReader& r) {
  SLUICE_ASSIGN_OR_RETURN(const int16_t ncols, r.I16("column count"));
  if (ncols < 0) return Err(r.Error("negative column count {}", ncols));
  // Each column takes at least its kind byte: a count beyond the bytes left is corrupt, and
  // checking first keeps a forged count from reserving memory for nothing.
  if (static_cast<size_t>(ncols) > r.remaining()) {
    return Err(r.Error("{} columns but {} bytes left", ncols, r.remaining()));
  }
  TupleData tuple(static_cast<size_t>(ncols));
  for (TupleValue& v : tuple) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t kind, r.U8("column kind"));
    switch (kind) {
      case 'n':
      case 'u':
        v.kind = static_cast<TupleValueKind>(kind);
        break;
      case 't':
      case 'b': {
        v.kind = static_cast<TupleValueKind>(kind);
        SLUICE_ASSIGN_OR_RETURN(const int32_t len, r.I32("value length"));
        if (len < 0) return Err(r.Error("negative value length {}", len));
        SLUICE_ASSIGN_OR_RETURN(v.bytes, r.Bytes(static_cast<size_t>(len), "value"));
        break;
      }
      default:
        return Err(r.ErrorAt(r.offset() - 1, "unknown column kind 0x{:02x}", kind));
    }
  }
  return tuple;
}

Result<BeginMessage> ReadBegin(ByteReader& r) {
  BeginMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.final_lsn, ReadLsn(r, "final LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.commit_time_us, ReadTime(r, "commit time"));
  SLUICE_ASSIGN_OR_RETURN(m.xid, r.U32("xid"));
  return m;
}

Result<CommitMessage> ReadCommit(ByteReader& r) {
  CommitMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.flags, r.U8("flags"));
  SLUICE_ASSIGN_OR_RETURN(m.commit_lsn, ReadLsn(r, "commit LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.end_lsn, ReadLsn(r, "end LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.commit_time_us, ReadTime(r, "commit time"));
  return m;
}

Result<OriginMessage> ReadOrigin(ByteReader& r) {
  OriginMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.commit_lsn, ReadLsn(r, "origin commit LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.name, r.CString("origin name"));
  return m;
}

Result<RelationMessage> ReadRelation(ByteReader& r, bool in_stream) {
  RelationMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.oid, r.U32("relation oid"));
  SLUICE_ASSIGN_OR_RETURN(m.namespace_name, r.CString("namespace"));
  SLUICE_ASSIGN_OR_RETURN(m.name, r.CString("relation name"));
  SLUICE_ASSIGN_OR_RETURN(const uint8_t ident, r.U8("replica identity"));
  if (ident != 'd' && ident != 'n' && ident != 'f' && ident != 'i') {
    return Err(r.ErrorAt(r.offset() - 1, "unknown replica identity 0x{:02x}", ident));
  }
  m.replica_identity = static_cast<ReplicaIdentity>(ident);
  SLUICE_ASSIGN_OR_RETURN(const int16_t ncols, r.I16("column count"));
  if (ncols < 0) return Err(r.Error("negative column count {}", ncols));
  // A column takes at least 10 bytes (flags, empty name, type oid, typmod).
  if (static_cast<size_t>(ncols) * 10 > r.remaining()) {
    return Err(r.Error("{} columns but {} bytes left", ncols, r.remaining()));
  }
  m.columns.resize(static_cast<size_t>(ncols));
  for (RelationColumn& c : m.columns) {
    SLUICE_ASSIGN_OR_RETURN(const uint8_t flags, r.U8("column flags"));
    if (flags > 1) {
      return Err(r.ErrorAt(r.offset() - 1, "unknown column flags 0x{:02x}", flags));
    }
    c.key = flags == 1;
    SLUICE_ASSIGN_OR_RETURN(c.name, r.CString("column name"));
    SLUICE_ASSIGN_OR_RETURN(c.type_oid, r.U32("column type oid"));
    SLUICE_ASSIGN_OR_RETURN(c.typmod, r.I32("column typmod"));
  }
  return m;
}

Result<TypeMessage> ReadType(ByteReader& r, bool in_stream) {
  TypeMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.oid, r.U32("type oid"));
  SLUICE_ASSIGN_OR_RETURN(m.namespace_name, r.CString("namespace"));
  SLUICE_ASSIGN_OR_RETURN(m.name, r.CString("type name"));
  return m;
}

// The 'N' (new tuple) marker and the tuple after it.
Result<TupleData> ReadNewTuple(ByteReader& r) {
  SLUICE_ASSIGN_OR_RETURN(const uint8_t marker, r.U8("tuple marker"));
  if (marker != 'N') {
    return Err(r.ErrorAt(r.offset() - 1, "expected new tuple 'N', got 0x{:02x}", marker));
  }
  return ReadTuple(r);
}

Result<InsertMessage> ReadInsert(ByteReader& r, bool in_stream) {
  InsertMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.relation_oid, r.U32("relation oid"));
  SLUICE_ASSIGN_OR_RETURN(m.new_tuple, ReadNewTuple(r));
  return m;
}

Result<UpdateMessage> ReadUpdate(ByteReader& r, bool in_stream) {
  UpdateMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.relation_oid, r.U32("relation oid"));
  SLUICE_ASSIGN_OR_RETURN(const uint8_t marker, r.U8("tuple marker"));
  if (marker == 'K' || marker == 'O') {
    m.old_kind = static_cast<OldTupleKind>(marker);
    SLUICE_ASSIGN_OR_RETURN(m.old_tuple, ReadTuple(r));
    SLUICE_ASSIGN_OR_RETURN(m.new_tuple, ReadNewTuple(r));
  } else if (marker == 'N') {
    SLUICE_ASSIGN_OR_RETURN(m.new_tuple, ReadTuple(r));
  } else {
    return Err(
        r.ErrorAt(r.offset() - 1, "expected tuple marker 'K', 'O' or 'N', got 0x{:02x}", marker));
  }
  return m;
}

Result<DeleteMessage> ReadDelete(ByteReader& r, bool in_stream) {
  DeleteMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.relation_oid, r.U32("relation oid"));
  SLUICE_ASSIGN_OR_RETURN(const uint8_t marker, r.U8("tuple marker"));
  if (marker != 'K' && marker != 'O') {
    return Err(r.ErrorAt(r.offset() - 1, "expected tuple marker 'K' or 'O', got 0x{:02x}", marker));
  }
  m.old_kind = static_cast<OldTupleKind>(marker);
  SLUICE_ASSIGN_OR_RETURN(m.old_tuple, ReadTuple(r));
  return m;
}

Result<TruncateMessage> ReadTruncate(ByteReader& r, bool in_stream) {
  TruncateMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(const int32_t nrels, r.I32("relation count"));
  SLUICE_ASSIGN_OR_RETURN(m.options, r.U8("options"));
  if (m.options > 3) {
    return Err(r.ErrorAt(r.offset() - 1, "unknown truncate options 0x{:02x}", m.options));
  }
  if (nrels < 0 || static_cast<size_t>(nrels) * 4 != r.remaining()) {
    return Err(r.Error("{} relations but {} bytes left", nrels, r.remaining()));
  }
  m.relation_oids.resize(static_cast<size_t>(nrels));
  for (uint32_t& oid : m.relation_oids) {
    SLUICE_ASSIGN_OR_RETURN(oid, r.U32("relation oid"));
  }
  return m;
}

Result<LogicalMessage> ReadMessage(ByteReader& r, bool in_stream) {
  LogicalMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, ReadStreamXid(r, in_stream));
  SLUICE_ASSIGN_OR_RETURN(m.transactional, ReadFlag(r, "transactional flag"));
  SLUICE_ASSIGN_OR_RETURN(m.lsn, ReadLsn(r, "message LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.prefix, r.CString("prefix"));
  SLUICE_ASSIGN_OR_RETURN(const int32_t len, r.I32("content length"));
  if (len < 0) return Err(r.Error("negative content length {}", len));
  SLUICE_ASSIGN_OR_RETURN(m.content, r.Bytes(static_cast<size_t>(len), "content"));
  return m;
}

Result<StreamStartMessage> ReadStreamStart(ByteReader& r) {
  StreamStartMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, r.U32("xid"));
  SLUICE_ASSIGN_OR_RETURN(m.first_segment, ReadFlag(r, "first segment flag"));
  return m;
}

Result<StreamCommitMessage> ReadStreamCommit(ByteReader& r) {
  StreamCommitMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, r.U32("xid"));
  SLUICE_ASSIGN_OR_RETURN(m.flags, r.U8("flags"));
  SLUICE_ASSIGN_OR_RETURN(m.commit_lsn, ReadLsn(r, "commit LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.end_lsn, ReadLsn(r, "end LSN"));
  SLUICE_ASSIGN_OR_RETURN(m.commit_time_us, ReadTime(r, "commit time"));
  return m;
}

Result<StreamAbortMessage> ReadStreamAbort(ByteReader& r) {
  StreamAbortMessage m;
  SLUICE_ASSIGN_OR_RETURN(m.xid, r.U32("xid"));
  SLUICE_ASSIGN_OR_RETURN(m.subxid, r.U32("subtransaction xid"));
  return m;
}

// Turns the Result of one reader into the variant, then insists the message was consumed.
template <typename T>
Result<PgOutputMessage> Finish(ByteReader& r, Result<T> decoded) {
  if (!decoded) return Err(std::move(decoded.error()));
  SLUICE_RETURN_IF_ERROR(r.ExpectEnd());
  return PgOutputMessage(std::move(*decoded));
}

Result<PgOutputMessage> DecodeBody(uint8_t kind, ByteReader& r, bool in_stream) {
  switch (kind) {
    case 'B':
      return Finish(r, ReadBegin(r));
    case 'C':
      return Finish(r, ReadCommit(r));
    case 'O':
      return Finish(r, ReadOrigin(r));
    case 'R':
      return Finish(r, ReadRelation(r, in_stream));
    case 'Y':
      return Finish(r, ReadType(r, in_stream));
    case 'I':
      return Finish(r, ReadInsert(r, in_stream));
    case 'U':
      return Finish(r, ReadUpdate(r, in_stream));
    case 'D':
      return Finish(r, ReadDelete(r, in_stream));
    case 'T':
      return Finish(r, ReadTruncate(r, in_stream));
    case 'M':
      return Finish(r, ReadMessage(r, in_stream));
    case 'S':
      return Finish(r, ReadStreamStart(r));
    case 'E':
      return Finish(r, Result<StreamStopMessage>(StreamStopMessage{}));
    case 'c':
      return Finish(r, ReadStreamCommit(r));
    case 'A':
      return Finish(r, ReadStreamAbort(r));
    default:
      return Err(r.Error("unexpected message kind"));
  }
}

}  // namespace

Result<PgOutputMessage> DecodePgOutputMessage(std::string_view bytes, bool in_stream) {
  ByteReader r(bytes, "pgoutput message");
  SLUICE_ASSIGN_OR_RETURN(const uint8_t kind, r.U8("message kind"));
  const char* name = KindName(kind);
  if (name == nullptr) {
    const bool two_phase = kind == 'b' || kind == 'P' || kind == 'K' || kind == 'r' || kind == 'p';
    return Err(Status::DataError(
        "pgoutput message at offset 0: unknown message kind 0x{:02x}{}", kind,
        two_phase ? " (a two-phase commit message of protocol version 3, which is not supported)"
                  : ""));
  }
  r.set_what(name);
  return DecodeBody(kind, r, in_stream);
}

Result<PgOutputMessage> PgOutputDecoder::Decode(std::string_view bytes) {
  SLUICE_ASSIGN_OR_RETURN(PgOutputMessage m, DecodePgOutputMessage(bytes, in_stream_));
  if (std::holds_alternative<StreamStartMessage>(m)) {
    if (in_stream_) {
      return Err(
          Status::DataError("pgoutput Stream Start at offset 0: a stream segment is already open"));
    }
    in_stream_ = true;
  } else if (std::holds_alternative<StreamStopMessage>(m)) {
    if (!in_stream_) {
      return Err(Status::DataError("pgoutput Stream Stop at offset 0: no stream segment is open"));
    }
    in_stream_ = false;
  }
  return m;
}

const char* MessageName(const PgOutputMessage& message) {
  static constexpr const char* kNames[] = {
      "Begin",        "Commit",      "Origin",        "Relation",    "Type",
      "Insert",       "Update",      "Delete",        "Truncate",    "Message",
      "Stream Start", "Stream Stop", "Stream Commit", "Stream Abort"};
  static_assert(std::size(kNames) == std::variant_size_v<PgOutputMessage>);
  return kNames[message.index()];
}

}  // namespace sluice::postgres::replication
