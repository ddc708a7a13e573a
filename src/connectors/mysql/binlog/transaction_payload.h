// MySQL 8's TRANSACTION_PAYLOAD event (binlog_transaction_compression=ON): a whole
// transaction's events, compressed with zstd (or not compressed), in one event.
//
// The header is a list of fields (type, length, value; all packed integers) ended by type 0:
// payload size, compression type (0 zstd, 255 none), uncompressed size. The payload holds
// ordinary events, each with its common header and without a checksum (the enclosing event's
// checksum covers them).
//
// zstd is loaded at run time (dlopen of libzstd.so.1, present wherever MySQL or MariaDB
// tools are): the connectors library does not link zstd, and the build files are not this
// folder's. Without it, a compressed payload is refused with an error that says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/mysql/binlog/event_framer.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

struct TransactionPayload {
  static constexpr uint64_t kZstd = 0;
  static constexpr uint64_t kNone = 255;

  uint64_t compression = kNone;
  uint64_t uncompressed_size = 0;
  std::string_view payload;
};

Result<TransactionPayload> ParseTransactionPayload(const Event& event);

// The events of a payload, decompressed into `buffer` (reused between payloads).
class PayloadEvents {
 public:
  static Result<PayloadEvents> Open(const TransactionPayload& payload, std::string& buffer);
  // The next inner event, or nothing at the end. Errors name the offset within the payload.
  Result<std::optional<Event>> Next();

 private:
  explicit PayloadEvents(std::string_view bytes) : bytes_(bytes) {}
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace sluice::mysql::binlog
