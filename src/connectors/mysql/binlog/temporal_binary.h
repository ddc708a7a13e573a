// The binary forms of DATE, TIME, DATETIME and TIMESTAMP in row images.
//
// MySQL 5.6.4 and MariaDB 10.1 write TIME2, DATETIME2 and TIMESTAMP2: big-endian, with 0-3
// bytes of fraction ((digits+1)/2 bytes). DATETIME2 packs year*13+month, day, hour, minute,
// second into 40 bits offset by 2^39; TIME2 packs hour, minute, second into 24 bits offset by
// 2^23, and a negative time borrows from the fraction (stored as its complement), so the bytes
// sort like the values. TIMESTAMP2 is epoch seconds. The older forms (TIME, DATETIME,
// TIMESTAMP without the 2) are decimal-packed little-endian integers without fractions.
#pragma once

#include <cstdint>

#include "connectors/mysql/binlog/byte_reader.h"

namespace sluice::mysql::binlog {

// A calendar value as stored; month or day may be 0 (zero dates, '2024-00-10').
struct DateTimeParts {
  uint32_t year = 0;
  uint32_t month = 0;
  uint32_t day = 0;
  uint32_t hour = 0;
  uint32_t minute = 0;
  uint32_t second = 0;
  uint32_t micros = 0;
};

// Bytes of the fraction of a TIME2/DATETIME2/TIMESTAMP2 with `digits` fractional digits.
constexpr size_t FractionBytes(uint8_t digits) {
  return (digits + 1) / 2;
}

// Each reads one value at the reader's position; false when the bytes run out or `digits` is
// over 6 (the reader is then failed).
bool ReadDate(ByteReader& r, DateTimeParts& out);                       // 3 bytes
bool ReadDateTime2(ByteReader& r, uint8_t digits, DateTimeParts& out);  // 5 + fraction
bool ReadDateTimeOld(ByteReader& r, DateTimeParts& out);                // 8 bytes
bool ReadTime2(ByteReader& r, uint8_t digits, int64_t& micros);         // 3 + fraction
bool ReadTimeOld(ByteReader& r, int64_t& micros);                       // 3 bytes
// Seconds since the epoch plus micros; 0 seconds and 0 micros is the zero timestamp.
bool ReadTimestamp2(ByteReader& r, uint8_t digits, int64_t& seconds, int64_t& micros);
bool ReadTimestampOld(ByteReader& r, int64_t& seconds);  // 4 bytes

// Whether the parts are a real calendar date (year 1..9999, month 1..12, day in month).
bool IsCalendarDate(const DateTimeParts& p);

// The packed 64-bit form MySQL's binary JSON uses for DATE/DATETIME/TIMESTAMP/TIME:
// ((year*13+month)<<5 | day) << 17 | hour<<12 | minute<<6 | second, shifted by 24, plus micros.
DateTimeParts UnpackDateTime(int64_t packed);
int64_t UnpackTimeMicros(int64_t packed);

}  // namespace sluice::mysql::binlog
