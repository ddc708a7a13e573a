#include "connectors/mysql/binlog/temporal_binary.h"

namespace sluice::mysql::binlog {
namespace {

constexpr int64_t kDateTimeIntOffset = int64_t{1} << 39;
constexpr int64_t kTimeIntOffset = int64_t{1} << 23;
constexpr int64_t kTimeOffset = int64_t{1} << 47;
constexpr int64_t kMicrosPerSecond = 1000000;

// Fractions of DATETIME2 and TIMESTAMP2 (never negative): 1-2 digits in a byte of 1/100 s,
// 3-4 in two bytes of 1/10000 s, 5-6 in three bytes of micros.
bool ReadFraction(ByteReader& r, uint8_t digits, uint32_t& micros) {
  uint64_t v = 0;
  micros = 0;
  if (digits > 6) return r.Fail();
  if (!r.Be(FractionBytes(digits), v)) return false;
  static constexpr uint32_t kScale[] = {1, 10000, 10000, 100, 100, 1, 1};
  micros = static_cast<uint32_t>(v * kScale[digits]);
  return micros < kMicrosPerSecond || r.Fail();
}

bool IsLeap(uint32_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t HmsMicros(int64_t hms, int64_t frac) {
  const int64_t h = (hms >> 12) & 0x3FF;
  const int64_t m = (hms >> 6) & 0x3F;
  const int64_t s = hms & 0x3F;
  return ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
}

}  // namespace

bool ReadDate(ByteReader& r, DateTimeParts& out) {
  uint64_t v = 0;
  if (!r.Le(3, v)) return false;
  out = DateTimeParts{};
  out.day = v & 31;
  out.month = (v >> 5) & 15;
  out.year = static_cast<uint32_t>(v >> 9);
  return true;
}

bool ReadDateTime2(ByteReader& r, uint8_t digits, DateTimeParts& out) {
  uint64_t v = 0;
  if (!r.Be(5, v)) return false;
  const int64_t packed = static_cast<int64_t>(v) - kDateTimeIntOffset;
  if (packed < 0) return r.Fail();  // DATETIME is never negative
  const int64_t ymd = packed >> 17;
  const int64_t ym = ymd >> 5;
  const int64_t hms = packed & 0x1FFFF;
  out.year = static_cast<uint32_t>(ym / 13);
  out.month = static_cast<uint32_t>(ym % 13);
  out.day = static_cast<uint32_t>(ymd & 31);
  out.hour = static_cast<uint32_t>(hms >> 12);
  out.minute = static_cast<uint32_t>((hms >> 6) & 63);
  out.second = static_cast<uint32_t>(hms & 63);
  return ReadFraction(r, digits, out.micros);
}

bool ReadDateTimeOld(ByteReader& r, DateTimeParts& out) {
  uint64_t v = 0;
  if (!r.Le(8, v)) return false;
  const uint64_t date = v / 1000000, time = v % 1000000;
  out = DateTimeParts{};
  out.year = static_cast<uint32_t>(date / 10000);
  out.month = static_cast<uint32_t>(date / 100 % 100);
  out.day = static_cast<uint32_t>(date % 100);
  out.hour = static_cast<uint32_t>(time / 10000);
  out.minute = static_cast<uint32_t>(time / 100 % 100);
  out.second = static_cast<uint32_t>(time % 100);
  return true;
}

bool ReadTime2(ByteReader& r, uint8_t digits, int64_t& micros) {
  uint64_t v = 0;
  int64_t packed = 0;  // MySQL's packed time: int part << 24 | fraction, negative when < 0
  switch (digits) {
    case 0:
    case 1:
    case 2: {
      if (!r.Be(3, v)) return false;
      int64_t intpart = static_cast<int64_t>(v) - kTimeIntOffset;
      int64_t frac = 0;
      if (digits > 0) {
        uint64_t f = 0;
        if (!r.Be(1, f)) return false;
        frac = static_cast<int64_t>(f);
        if (intpart < 0 && frac) {  // a negative time stores the fraction's complement
          intpart += 1;
          frac -= 0x100;
        }
      }
      packed = intpart * (int64_t{1} << 24) + frac * 10000;
      break;
    }
    case 3:
    case 4: {
      uint64_t f = 0;
      if (!r.Be(3, v) || !r.Be(2, f)) return false;
      int64_t intpart = static_cast<int64_t>(v) - kTimeIntOffset;
      int64_t frac = static_cast<int64_t>(f);
      if (intpart < 0 && frac) {
        intpart += 1;
        frac -= 0x10000;
      }
      packed = intpart * (int64_t{1} << 24) + frac * 100;
      break;
    }
    case 5:
    case 6:
      if (!r.Be(6, v)) return false;
      packed = static_cast<int64_t>(v) - kTimeOffset;
      break;
    default:
      return r.Fail();
  }
  const bool negative = packed < 0;
  const int64_t abs = negative ? -packed : packed;
  const int64_t frac = abs & 0xFFFFFF;
  if (frac >= kMicrosPerSecond) return r.Fail();
  const int64_t value = HmsMicros(abs >> 24, frac);
  micros = negative ? -value : value;
  return true;
}

bool ReadTimeOld(ByteReader& r, int64_t& micros) {
  uint64_t v = 0;
  if (!r.Le(3, v)) return false;
  int64_t hhmmss = static_cast<int64_t>(v);
  if (hhmmss & 0x800000) hhmmss -= 0x1000000;  // sign-extend the 24-bit value
  const bool negative = hhmmss < 0;
  const int64_t a = negative ? -hhmmss : hhmmss;
  const int64_t value = ((a / 10000 * 60 + a / 100 % 100) * 60 + a % 100) * kMicrosPerSecond;
  micros = negative ? -value : value;
  return true;
}

bool ReadTimestamp2(ByteReader& r, uint8_t digits, int64_t& seconds, int64_t& micros) {
  uint64_t v = 0;
  uint32_t frac = 0;
  if (!r.Be(4, v) || !ReadFraction(r, digits, frac)) return false;
  seconds = static_cast<int64_t>(v);
  micros = frac;
  return true;
}

bool ReadTimestampOld(ByteReader& r, int64_t& seconds) {
  uint64_t v = 0;
  if (!r.Le(4, v)) return false;
  seconds = static_cast<int64_t>(v);
  return true;
}

bool IsCalendarDate(const DateTimeParts& p) {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (p.year < 1 || p.year > 9999 || p.month < 1 || p.month > 12 || p.day < 1) return false;
  const uint32_t max = p.month == 2 && IsLeap(p.year) ? 29 : kDays[p.month - 1];
  return p.day <= max && p.hour < 24 && p.minute < 60 && p.second < 60;
}

DateTimeParts UnpackDateTime(int64_t packed) {
  const int64_t abs = packed < 0 ? -packed : packed;
  const int64_t ymdhms = abs >> 24;
  const int64_t ymd = ymdhms >> 17;
  const int64_t ym = ymd >> 5;
  const int64_t hms = ymdhms & 0x1FFFF;
  DateTimeParts p;
  p.year = static_cast<uint32_t>(ym / 13);
  p.month = static_cast<uint32_t>(ym % 13);
  p.day = static_cast<uint32_t>(ymd & 31);
  p.hour = static_cast<uint32_t>(hms >> 12);
  p.minute = static_cast<uint32_t>((hms >> 6) & 63);
  p.second = static_cast<uint32_t>(hms & 63);
  p.micros = static_cast<uint32_t>(abs & 0xFFFFFF);
  return p;
}

int64_t UnpackTimeMicros(int64_t packed) {
  const bool negative = packed < 0;
  const int64_t abs = negative ? -packed : packed;
  const int64_t value = HmsMicros(abs >> 24, abs & 0xFFFFFF);
  return negative ? -value : value;
}

}  // namespace sluice::mysql::binlog
