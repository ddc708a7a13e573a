#include "connectors/mysql/binlog/binlog_file_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "connectors/mysql/binlog/event_header.h"

namespace sluice::mysql::binlog {
namespace {

// The server refuses events over max_allowed_packet (at most 1 GiB); a larger size is corrupt.
constexpr uint64_t kMaxEventSize = uint64_t{1} << 30;

}  // namespace

Result<std::unique_ptr<BinlogFileReader>> BinlogFileReader::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    const int err = errno;
    Status st(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
              fmt::format("binlog {}: cannot open: {}", path, std::strerror(err)));
    return Err(st);
  }
  struct stat st {};
  if (fstat(fileno(file), &st) != 0) {
    const int err = errno;
    std::fclose(file);
    return Err(Status::IoError("binlog {}: cannot stat: {}", path, std::strerror(err)));
  }
  std::unique_ptr<BinlogFileReader> reader(
      new BinlogFileReader(path, file, static_cast<uint64_t>(st.st_size)));
  char magic[4] = {};
  const size_t got = std::fread(magic, 1, sizeof magic, file);
  if (got != sizeof magic || std::string_view(magic, sizeof magic) != kBinlogMagic) {
    return Err(
        Status::DataError("binlog {}: not a binlog file (the first 4 bytes are not "
                          "\\xfebin)",
                          path));
  }
  return reader;
}

BinlogFileReader::~BinlogFileReader() {
  if (file_) std::fclose(file_);
}

Status BinlogFileReader::Locate(const Status& error, std::string_view event_type) const {
  if (event_type.empty()) {
    return error.WithContext(fmt::format("binlog {}: at byte offset {}", path_, event_offset_));
  }
  return error.WithContext(
      fmt::format("binlog {}: at byte offset {} ({} event)", path_, event_offset_, event_type));
}

Status BinlogFileReader::SeekTo(uint64_t offset) {
  if (!framer_.seen_format()) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<Event> first, Next());
    if (!first) return Status::DataError("binlog {}: the file holds no event", path_);
  }
  if (offset == next_offset_) return Status::OK();
  // The FORMAT_DESCRIPTION is the first event: anything before its end is not an event start.
  if (offset < format_end_) {
    return Status::Invalid("binlog {}: byte offset {} is inside the FORMAT_DESCRIPTION event",
                           path_, offset);
  }
  if (offset > size_) {
    return Status::Invalid("binlog {}: byte offset {} is past the end of the file ({} bytes)",
                           path_, offset, size_);
  }
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0) {
    return Status::IoError("binlog {}: cannot seek to byte offset {}: {}", path_, offset,
                           std::strerror(errno));
  }
  next_offset_ = offset;
  return Status::OK();
}

Result<std::optional<Event>> BinlogFileReader::Next() {
  event_offset_ = next_offset_;
  if (event_offset_ == size_) return std::optional<Event>();
  const uint64_t left = size_ - event_offset_;
  if (left < kEventHeaderSize) {
    return Err(Locate(
        Status::DataError("the file ends {} bytes into an event header (truncated)", left), ""));
  }
  buffer_.resize(kEventHeaderSize);
  if (std::fread(buffer_.data(), 1, kEventHeaderSize, file_) != kEventHeaderSize) {
    return Err(Locate(Status::IoError("read failed: {}", std::strerror(errno)), ""));
  }
  Result<EventHeader> parsed = ParseEventHeader(buffer_);
  if (!parsed) return Err(Locate(parsed.error(), ""));
  const EventHeader header = *parsed;
  const char* type = EventTypeName(header.type_code);
  if (header.event_size > left || header.event_size > kMaxEventSize) {
    return Err(Locate(Status::DataError("the event declares {} bytes but the file has {} left "
                                        "(truncated or corrupt)",
                                        header.event_size, left),
                      type));
  }
  buffer_.resize(header.event_size);
  const size_t body = header.event_size - kEventHeaderSize;
  if (std::fread(buffer_.data() + kEventHeaderSize, 1, body, file_) != body) {
    return Err(Locate(Status::IoError("read failed: {}", std::strerror(errno)), type));
  }
  next_offset_ = event_offset_ + header.event_size;
  if (event_offset_ == kBinlogMagic.size() && header.type() != EventType::kFormatDescription) {
    return Err(Locate(Status::DataError("the first event is not a FORMAT_DESCRIPTION (binlog "
                                        "format before v4, MySQL 5.0, is not supported)"),
                      type));
  }
  if (event_offset_ == kBinlogMagic.size()) format_end_ = next_offset_;
  Result<Event> event = framer_.Frame(buffer_);
  if (!event) return Err(Locate(event.error(), type));
  return std::optional<Event>(*event);
}

}  // namespace sluice::mysql::binlog
