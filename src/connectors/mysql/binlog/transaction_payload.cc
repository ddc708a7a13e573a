#include "connectors/mysql/binlog/transaction_payload.h"

#include <zstd.h>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/event_header.h"

namespace sluice::mysql::binlog {
namespace {

enum PayloadField : uint64_t {
  kEndMark = 0,
  kPayloadSize = 1,
  kCompressionType = 2,
  kUncompressedSize = 3,
};

// The server's own limit on an event (max_allowed_packet); bounds the buffer we allocate.
constexpr uint64_t kMaxUncompressed = uint64_t{1} << 30;

}  // namespace

Result<TransactionPayload> ParseTransactionPayload(const Event& event) {
  ByteReader r(event.body, kEventHeaderSize);
  TransactionPayload out;
  uint64_t payload_size = 0;
  bool has_size = false;
  while (true) {
    uint64_t type = 0, length = 0;
    if (!r.Packed(type)) break;
    if (type == kEndMark) break;
    if (!r.Packed(length) || length > r.remaining()) {
      r.Fail();
      break;
    }
    std::string_view value;
    r.Bytes(length, value);
    ByteReader v(value);
    uint64_t n = 0;
    if (!v.Packed(n)) {
      r.Fail();
      break;
    }
    if (type == kPayloadSize) {
      payload_size = n;
      has_size = true;
    } else if (type == kCompressionType) {
      out.compression = n;
    } else if (type == kUncompressedSize) {
      out.uncompressed_size = n;
    }
  }
  if (!r.ok()) {
    return Err(Status::DataError("TRANSACTION_PAYLOAD header is truncated or malformed at byte {}",
                                 r.fail_offset()));
  }
  out.payload = r.rest();
  if (has_size && payload_size != out.payload.size()) {
    return Err(Status::DataError("TRANSACTION_PAYLOAD declares {} payload bytes but has {}",
                                 payload_size, out.payload.size()));
  }
  if (out.compression != TransactionPayload::kZstd &&
      out.compression != TransactionPayload::kNone) {
    return Err(Status::DataError("TRANSACTION_PAYLOAD compression type {} is not supported",
                                 out.compression));
  }
  return out;
}

Result<PayloadEvents> PayloadEvents::Open(const TransactionPayload& payload, std::string& buffer) {
  if (payload.compression == TransactionPayload::kNone) return PayloadEvents(payload.payload);
  if (payload.uncompressed_size > kMaxUncompressed) {
    return Err(Status::DataError("TRANSACTION_PAYLOAD declares {} uncompressed bytes",
                                 payload.uncompressed_size));
  }
  buffer.resize(payload.uncompressed_size);
  const size_t n = ZSTD_decompress(buffer.data(), buffer.size(), payload.payload.data(),
                                   payload.payload.size());
  if (ZSTD_isError(n)) {
    return Err(Status::DataError("TRANSACTION_PAYLOAD does not decompress: {}",
                                 ZSTD_getErrorName(n)));
  }
  if (n != payload.uncompressed_size) {
    return Err(
        Status::DataError("TRANSACTION_PAYLOAD decompresses to {} bytes, not the {} it "
                          "declares",
                          n, payload.uncompressed_size));
  }
  return PayloadEvents(buffer);
}

Result<std::optional<Event>> PayloadEvents::Next() {
  if (pos_ == bytes_.size()) return std::optional<Event>();
  const std::string_view rest = bytes_.substr(pos_);
  Result<EventHeader> header = ParseEventHeader(rest);
  if (!header || header->event_size > rest.size()) {
    return Err(
        Status::DataError("TRANSACTION_PAYLOAD: the event at byte {} of the payload is "
                          "truncated or malformed",
                          pos_));
  }
  const std::string_view bytes = rest.substr(0, header->event_size);
  pos_ += header->event_size;
  return std::optional<Event>(Event{*header, bytes, bytes.substr(kEventHeaderSize)});
}

}  // namespace sluice::mysql::binlog
