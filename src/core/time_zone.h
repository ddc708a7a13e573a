// TimeZone: an IANA zone (from the system tz database) or a fixed offset.
//
// Used for the business date (bizdate is "yesterday" in the job's zone), for reading text
// timestamps without an offset, and (later) for MySQL DATETIME, which is wall-clock time.
// Cheap to copy; thread-safe to use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

class TimeZone {
 public:
  // "UTC", "Asia/Shanghai", "+08:00", "-0530". Unknown names are a NotFound error.
  static Result<TimeZone> Load(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  // Offset from UTC, in seconds, at the instant `unix_seconds`.
  int32_t OffsetAt(int64_t unix_seconds) const;
  // Converts local wall-clock time (micros since 1970-01-01 00:00 local) to an instant.
  // Skipped times (DST gaps) move forward; repeated ones take the earlier instant.
  int64_t LocalToUtcMicros(int64_t local_micros) const;
  // Converts an instant to local wall-clock micros.
  int64_t UtcToLocalMicros(int64_t utc_micros) const;

 private:
  struct Impl;
  std::string name_;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice
