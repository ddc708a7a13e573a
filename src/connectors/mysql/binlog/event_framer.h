// EventFramer: turns the raw bytes of one event into a framed Event, checking its size and
// checksum, and tracks the FORMAT_DESCRIPTION that governs the events after it.
//
// The same framer serves a binlog file (binlog_file_reader.h) and, later, a replication
// stream: the transport hands it each event's bytes in order. Stateful (the current FDE), so
// one framer per stream, used by one thread. An Event borrows the bytes it was framed from.
#pragma once

#include <string_view>

#include "connectors/mysql/binlog/event_header.h"
#include "connectors/mysql/binlog/format_description.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

struct Event {
  EventHeader header;
  std::string_view bytes;  // the whole event: header, body, checksum
  std::string_view body;   // after the common header, without the checksum
  EventType type() const { return header.type(); }
};

class EventFramer {
 public:
  EventFramer() : format_(FormatDescription::Default()) {}

  // Frames `bytes`, which must be exactly one event. A FORMAT_DESCRIPTION event replaces the
  // current format (and checksum algorithm) before its own checksum is checked. Errors name
  // the event type and what is wrong; the caller adds where the event is.
  Result<Event> Frame(std::string_view bytes);

  const FormatDescription& format() const { return format_; }
  bool seen_format() const { return seen_format_; }
  // Skips checksum verification (the checksum bytes are still removed).
  void set_verify_checksums(bool verify) { verify_ = verify; }
  // A replication stream starts with a fake ROTATE before any FDE; it is checksummed when the
  // primary's @@binlog_checksum is CRC32, which the transport knows (it asks, as replicas do).
  void set_checksum(ChecksumAlg alg) { format_.checksum = alg; }

 private:
  FormatDescription format_;
  bool seen_format_ = false;
  bool verify_ = true;
};

}  // namespace sluice::mysql::binlog
