#include "connectors/mysql/binlog/event_header.h"

#include "connectors/mysql/binlog/byte_reader.h"

namespace sluice::mysql::binlog {

Result<EventHeader> ParseEventHeader(std::string_view bytes) {
  if (bytes.size() < kEventHeaderSize) {
    return Err(Status::DataError("truncated event header: {} of {} bytes", bytes.size(),
                                 kEventHeaderSize));
  }
  ByteReader r(bytes);
  EventHeader h;
  r.U(4, h.timestamp);
  r.U(1, h.type_code);
  r.U(4, h.server_id);
  r.U(4, h.event_size);
  r.U(4, h.log_pos);
  r.U(2, h.flags);
  if (h.event_size < kEventHeaderSize) {
    return Err(Status::DataError("{} event declares size {}, less than its header",
                                 EventTypeName(h.type_code), h.event_size));
  }
  return h;
}

}  // namespace sluice::mysql::binlog
