#include "core/time_zone.h"

#include <string>

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

namespace sluice {

// Fixed offsets (UTC included) never consult the tz database: the conversions are one
// addition, which matters because sources convert every DATETIME value of a column.
struct TimeZone::Impl {
  bool fixed = true;
  int32_t offset_seconds = 0;  // when fixed
  absl::TimeZone zone;         // when not fixed
};

namespace {

constexpr int64_t kMicros = 1'000'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool TwoDigits(std::string_view s, size_t pos, int& out) {
  if (pos + 2 > s.size()) return false;
  char a = s[pos];
  char b = s[pos + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return false;
  out = (a - '0') * 10 + (b - '0');
  return true;
}

// "+08:00", "-0530", "+08" -> seconds east of UTC; false if `name` is not such an offset.
bool ParseFixedOffset(std::string_view name, int32_t& seconds) {
  if (name.size() < 3 || (name[0] != '+' && name[0] != '-')) return false;
  int hours = 0;
  int minutes = 0;
  if (!TwoDigits(name, 1, hours)) return false;
  if (name.size() == 6 && name[3] == ':') {
    if (!TwoDigits(name, 4, minutes)) return false;
  } else if (name.size() == 5) {
    if (!TwoDigits(name, 3, minutes)) return false;
  } else if (name.size() != 3) {
    return false;
  }
  if (hours > 18 || minutes > 59) return false;
  seconds = (hours * 3600 + minutes * 60) * (name[0] == '-' ? -1 : 1);
  return true;
}

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view name) {
  auto impl = std::make_shared<Impl>();
  if (name == "UTC" || name == "utc" || name == "Z" || name == "GMT") {
    // fixed, offset 0
  } else if (int32_t offset = 0; ParseFixedOffset(name, offset)) {
    impl->offset_seconds = offset;
  } else {
    if (name.empty() || !absl::LoadTimeZone(std::string(name), &impl->zone)) {
      return Err(Status::NotFound(
          "unknown time zone '{}' (expected an IANA name such as Asia/Shanghai, UTC, or an "
          "offset such as +08:00)",
          name));
    }
    impl->fixed = false;
  }
  TimeZone tz;
  tz.name_ = std::string(name);
  tz.impl_ = std::move(impl);
  return tz;
}

TimeZone TimeZone::Utc() {
  static const std::shared_ptr<const Impl> kUtc = std::make_shared<Impl>();
  TimeZone tz;
  tz.name_ = "UTC";
  tz.impl_ = kUtc;
  return tz;
}

int32_t TimeZone::OffsetAt(int64_t unix_seconds) const {
  if (!impl_ || impl_->fixed) return impl_ ? impl_->offset_seconds : 0;
  return impl_->zone.At(absl::FromUnixSeconds(unix_seconds)).offset;
}

int64_t TimeZone::LocalToUtcMicros(int64_t local_micros) const {
  if (!impl_ || impl_->fixed) {
    return local_micros - static_cast<int64_t>(impl_ ? impl_->offset_seconds : 0) * kMicros;
  }
  int64_t secs = FloorDiv(local_micros, kMicros);
  int64_t sub = local_micros - secs * kMicros;
  absl::CivilSecond civil = absl::CivilSecond(1970, 1, 1, 0, 0, 0) + secs;
  // For a skipped time `pre` uses the offset before the gap, which lands after the gap (02:30
  // in a spring-forward becomes 03:30); for a repeated time `pre` is the earlier instant.
  absl::Time t = impl_->zone.At(civil).pre;
  return absl::ToUnixSeconds(t) * kMicros + sub;
}

int64_t TimeZone::UtcToLocalMicros(int64_t utc_micros) const {
  int64_t secs = FloorDiv(utc_micros, kMicros);
  return utc_micros + static_cast<int64_t>(OffsetAt(secs)) * kMicros;
}

}  // namespace sluice
