#include "connectors/mysql/binlog/event_framer.h"

#include "connectors/mysql/binlog/checksum.h"

namespace sluice::mysql::binlog {
namespace {

constexpr size_t kFlagsOffset = 17;
constexpr uint8_t kBinlogInUse = 0x01;  // LOG_EVENT_BINLOG_IN_USE_F

// The server sets "binlog in use" in the FDE's flags while the file is open and clears it on
// close, without rewriting the checksum: the checksum is of the FDE with the flag clear.
uint32_t ChecksumOf(const EventHeader& header, std::string_view bytes) {
  if (header.type() != EventType::kFormatDescription || !(header.flags & kBinlogInUse)) {
    return Crc32(bytes);
  }
  const char flags = static_cast<char>(bytes[kFlagsOffset] & ~kBinlogInUse);
  uint32_t crc = Crc32(bytes.substr(0, kFlagsOffset));
  crc = Crc32(std::string_view(&flags, 1), crc);
  return Crc32(bytes.substr(kFlagsOffset + 1), crc);
}

}  // namespace

Result<Event> EventFramer::Frame(std::string_view bytes) {
  SLUICE_ASSIGN_OR_RETURN(const EventHeader header, ParseEventHeader(bytes));
  const char* name = EventTypeName(header.type_code);
  if (header.event_size != bytes.size()) {
    return Err(Status::DataError("{} event declares {} bytes but {} are there", name,
                                 header.event_size, bytes.size()));
  }
  if (header.type() == EventType::kFormatDescription) {
    SLUICE_ASSIGN_OR_RETURN(format_, ParseFormatDescription(bytes));
    seen_format_ = true;
  }
  Event event{header, bytes, bytes.substr(kEventHeaderSize)};
  if (format_.checksum == ChecksumAlg::kCrc32) {
    if (event.body.size() < kChecksumSize) {
      return Err(Status::DataError("{} event of {} bytes is too short for its checksum", name,
                                   bytes.size()));
    }
    event.body.remove_suffix(kChecksumSize);
    if (verify_) {
      const std::string_view stored = bytes.substr(bytes.size() - kChecksumSize);
      uint32_t expected = 0;
      for (size_t i = 0; i < kChecksumSize; ++i) {
        expected |= uint32_t{static_cast<uint8_t>(stored[i])} << (8 * i);
      }
      const uint32_t actual = ChecksumOf(header, bytes.substr(0, bytes.size() - kChecksumSize));
      if (actual != expected) {
        return Err(
            Status::DataError("{} event fails its CRC32 checksum (stored {:08x}, computed "
                              "{:08x}): the event is corrupt",
                              name, expected, actual));
      }
    }
  } else if (format_.checksum == ChecksumAlg::kOff &&
             header.type() == EventType::kFormatDescription) {
    // The FDE keeps room for a checksum even when checksums are off.
    event.body.remove_suffix(kChecksumSize);
  }
  return event;
}

}  // namespace sluice::mysql::binlog
