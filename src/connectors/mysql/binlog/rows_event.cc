#include "connectors/mysql/binlog/rows_event.h"

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/compressed_data.h"
#include "connectors/mysql/binlog/event_header.h"
#include "connectors/mysql/binlog/table_map.h"

namespace sluice::mysql::binlog {
namespace {

bool IsV2(EventType t) {
  return t == EventType::kWriteRowsV2 || t == EventType::kUpdateRowsV2 ||
         t == EventType::kDeleteRowsV2 || t == EventType::kPartialUpdateRows ||
         t == EventType::kWriteRowsCompressedV2 || t == EventType::kUpdateRowsCompressedV2 ||
         t == EventType::kDeleteRowsCompressedV2;
}

RowsKind KindOf(EventType t) {
  switch (t) {
    case EventType::kUpdateRowsV1:
    case EventType::kUpdateRowsV2:
    case EventType::kPartialUpdateRows:
    case EventType::kUpdateRowsCompressedV1:
    case EventType::kUpdateRowsCompressedV2:
      return RowsKind::kUpdate;
    case EventType::kDeleteRowsV1:
    case EventType::kDeleteRowsV2:
    case EventType::kDeleteRowsCompressedV1:
    case EventType::kDeleteRowsCompressedV2:
      return RowsKind::kDelete;
    default:
      return RowsKind::kWrite;
  }
}

}  // namespace

Result<RowsEvent> ParseRowsEvent(const Event& event, const FormatDescription& format,
                                 std::string& inflated) {
  const EventType type = event.type();
  const char* name = EventTypeName(type);
  if (IsUnsupportedRowsEvent(type)) {
    return Err(Status::DataError("{} events (MySQL 5.1 before GA) are not supported", name));
  }
  if (!IsRowsEvent(type)) return Err(Status::Internal("{} is not a rows event", name));
  ByteReader r(event.body, kEventHeaderSize);
  RowsEvent out;
  out.type = type;
  out.kind = KindOf(type);
  const uint8_t post = format.PostHeaderLength(type, IsV2(type) ? 10 : 8);
  const size_t id_size = TableIdSize(format, type);
  r.Le(id_size, out.table_id);
  r.U(2, out.flags);
  if (IsV2(type)) {
    // The extra-data length counts its own two bytes.
    uint16_t extra_length = 0;
    r.U(2, extra_length);
    if (r.ok() && extra_length < 2) r.Fail();
    r.Bytes(extra_length >= 2 ? extra_length - 2 : 0, out.extra);
  } else if (post > id_size + 2) {
    r.Skip(post - id_size - 2);
  }
  r.Packed(out.column_count);
  if (r.ok() && out.column_count > r.remaining() * 8) r.Fail();
  const size_t bitmap = (out.column_count + 7) / 8;
  r.Bytes(bitmap, out.present);
  if (out.kind == RowsKind::kUpdate) r.Bytes(bitmap, out.present_after);
  if (!r.ok()) {
    return Err(Status::DataError("{} event is truncated or malformed at byte {} of {}", name,
                                 r.fail_offset(), event.bytes.size()));
  }
  out.rows_offset = r.offset();
  out.rows = r.rest();
  if (IsCompressedRowsEvent(type)) {
    Result<std::string_view> rows = InflateMariaCompressed(out.rows, inflated);
    if (!rows) {
      return Err(Status::DataError("{} event: row images at byte {}: {}", name, out.rows_offset,
                                   rows.error().message()));
    }
    out.rows = *rows;
  }
  return out;
}

}  // namespace sluice::mysql::binlog
