#include "engine/watermark_range.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/quantity_text.h"
#include "core/time_zone.h"
#include "core/value_text.h"

namespace sluice {

Result<LookBack> ParseLookBack(std::string_view text, const std::string& column,
                               const DataType& type) {
  LookBack look_back{std::string(text), 0};
  if (text.empty()) return look_back;
  if (IsTemporal(type.id)) {
    Result<int64_t> millis = ParseDurationMillis(text);
    if (!millis || *millis <= 0 || *millis > std::numeric_limits<int64_t>::max() / 1000) {
      return Err(
          Status::Invalid("look_back '{}': watermark column '{}' is of type {}, so look_back is a "
                          "duration: a count "
                          "and a unit (s, m, h, d), e.g. 10m or 1h30m",
                          text, column, TypeName(type)));
    }
    look_back.amount = *millis * 1000;  // microseconds, as the column's values
    return look_back;
  }
  if (IsNumeric(type.id)) {
    Result<int64_t> units = ParseInt(text);
    if (!units || *units <= 0) {
      return Err(
          Status::Invalid("look_back '{}': watermark column '{}' is of type {}, so look_back is a "
                          "count of its units "
                          "(a whole number above 0, e.g. 1000)",
                          text, column, TypeName(type)));
    }
    look_back.amount = *units;
    return look_back;
  }
  return Err(Status::Invalid(
      "look_back needs a numeric, date or timestamp watermark column; '{}' is of type {}", column,
      TypeName(type)));
}

Result<std::string> MoveBack(const DataType& type, const std::string& watermark,
                             const LookBack& look_back) {
  auto unreadable = [&] {
    return Status::Invalid("stored watermark '{}' is not a {}: cannot apply look_back {}",
                           watermark, TypeName(type), look_back.text);
  };
  std::string out;
  const int64_t back = look_back.amount;
  switch (type.id) {
    case TypeId::kDate: {
      Result<int32_t> days = ParseDate(watermark);
      if (!days) return Err(unreadable());
      // Whole days back, rounding the look-back up: the window covers at least what was asked.
      const int64_t back_days = (back + kMicrosPerDay - 1) / kMicrosPerDay;
      FormatDate(static_cast<int32_t>(*days - back_days), out);
      return out;
    }
    case TypeId::kTime: {
      Result<int64_t> micros = ParseTime(watermark);
      if (!micros) return Err(unreadable());
      FormatTime(*micros - back, out);
      return out;
    }
    case TypeId::kTimestamp: {
      Result<int64_t> micros = ParseTimestamp(watermark);
      if (!micros) return Err(unreadable());
      FormatTimestamp(*micros - back, out);
      return out;
    }
    case TypeId::kTimestampTz: {
      Result<int64_t> micros = ParseTimestampTz(watermark, TimeZone::Utc());
      if (!micros) return Err(unreadable());
      FormatTimestampTz(*micros - back, out);
      return out;
    }
    default:
      break;
  }
  if (IsSignedInteger(type.id)) {
    Result<int64_t> v = ParseInt(watermark);
    if (!v) return Err(unreadable());
    FormatInt(*v < std::numeric_limits<int64_t>::min() + back ? std::numeric_limits<int64_t>::min()
                                                              : *v - back,
              out);
    return out;
  }
  if (IsUnsignedInteger(type.id)) {
    Result<uint64_t> v = ParseUInt(watermark);
    if (!v) return Err(unreadable());
    const auto b = static_cast<uint64_t>(back);
    FormatUInt(*v < b ? 0 : *v - b, out);
    return out;
  }
  // Decimal and floating point: a whole number at or below the exact value less the units, so
  // the window holds at least what was asked whatever the double rounding.
  Result<double> v = ParseDouble(watermark);
  if (!v) return Err(unreadable());
  return fmt::format("{:.0f}", std::floor(*v) - static_cast<double>(back) - 1);
}

Result<std::optional<WatermarkRange>> PlanWatermarkRange(const IncrementalRule& rule,
                                                         const std::optional<std::string>& stored,
                                                         const std::optional<std::string>& high) {
  using Planned = std::optional<WatermarkRange>;
  if (!high) return Planned();  // no rows
  WatermarkRange range{rule.column, stored, *high};
  range.strictly_increasing = rule.strictly_increasing;
  range.include_high = rule.keyed_target;
  if (!stored) return range;  // the first run: everything up to the maximum
  const int order = CompareWatermarks(rule.type, *high, *stored);
  // Nothing past the stored watermark: an append target has read everything below it, and a
  // strictly increasing column has nothing new. A keyed target reads the maximum again (rows
  // may have arrived with that value since).
  const bool nothing_new = rule.strictly_increasing || !rule.keyed_target ? order <= 0 : order < 0;
  if (!rule.look_back.text.empty()) {
    // The window before the stored watermark is read again even when nothing is newer: that
    // is where late rows land.
    if (order < 0) return Planned();
    SLUICE_ASSIGN_OR_RETURN(range.low, MoveBack(rule.type, *stored, rule.look_back));
    return Planned(range);
  }
  if (nothing_new) return Planned();
  return Planned(range);
}

int CompareWatermarks(const DataType& type, const std::string& a, const std::string& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (IsSignedInteger(type.id)) {
    auto x = ParseInt(a);
    auto y = ParseInt(b);
    if (x && y) return sign(*x, *y);
  } else if (IsUnsignedInteger(type.id)) {
    auto x = ParseUInt(a);
    auto y = ParseUInt(b);
    if (x && y) return sign(*x, *y);
  } else if (IsFloating(type.id) || type.id == TypeId::kDecimal) {
    // Watermarks on decimal columns are compared as doubles: enough to order them, and they
    // are only compared to decide whether a run can skip reading.
    auto x = ParseDouble(a);
    auto y = ParseDouble(b);
    if (x && y) return sign(*x, *y);
  }
  // Canonical dates and timestamps order correctly as text; strings compare bytewise.
  return sign(a, b);
}

}  // namespace sluice
