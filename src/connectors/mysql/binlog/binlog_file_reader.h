// BinlogFileReader: the events of a binlog (or relay log) file on disk, in order, with their
// byte offsets.
//
// Open checks the magic "\xfebin"; Next reads one event at a time through a reused buffer
// (memory stays at the largest event), frames it (event_framer.h: size, checksum, the current
// FORMAT_DESCRIPTION) and returns it, or nothing at the clean end of the file. Every length
// read from the file is checked against the file's size before anything is allocated or read,
// so a corrupt or truncated file is an error naming the file, the byte offset and the event
// type, never a crash. A file still being written ends in a partial event, reported the same
// way; a reader that follows a live file would wait and retry instead (not built yet).
// Single-threaded; the Event returned by Next borrows the reader's buffer until the next call.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "connectors/mysql/binlog/event_framer.h"
#include "core/status.h"

namespace sluice::mysql::binlog {

inline constexpr std::string_view kBinlogMagic{
    "\xfe"
    "bin",
    4};

class BinlogFileReader {
 public:
  static Result<std::unique_ptr<BinlogFileReader>> Open(const std::string& path);
  ~BinlogFileReader();
  BinlogFileReader(const BinlogFileReader&) = delete;
  BinlogFileReader& operator=(const BinlogFileReader&) = delete;

  // The next event, or std::nullopt at the end of the file.
  Result<std::optional<Event>> Next();
  // Continues at `offset` (an event's start, such as a committed position): the file's
  // FORMAT_DESCRIPTION is read first when it was not (it governs how every later event is
  // framed), then Next reads the event at `offset`. An offset past the end of the file, or
  // before the end of the FORMAT_DESCRIPTION, is an error naming the file.
  Status SeekTo(uint64_t offset);

  // The byte offset of the event Next returned last (where it starts in the file).
  uint64_t event_offset() const { return event_offset_; }
  // The offset just after it: where the next event starts.
  uint64_t next_offset() const { return next_offset_; }
  const std::string& path() const { return path_; }
  const EventFramer& framer() const { return framer_; }
  EventFramer& mutable_framer() { return framer_; }
  // Turns an error about the current event into one naming this file and offset.
  Status Locate(const Status& error, std::string_view event_type) const;

 private:
  BinlogFileReader(std::string path, std::FILE* file, uint64_t size)
      : path_(std::move(path)), file_(file), size_(size) {}

  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
  uint64_t event_offset_ = 0;
  uint64_t next_offset_ = kBinlogMagic.size();
  uint64_t format_end_ = 0;  // where the FORMAT_DESCRIPTION (the first event) ends
  std::string buffer_;
  EventFramer framer_;
};

}  // namespace sluice::mysql::binlog
