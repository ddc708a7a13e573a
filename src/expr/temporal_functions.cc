// Date and time functions: now, current_date, bizdate, date_format, to_date, to_timestamp,
// year .. second.
//
// Instants (timestamptz) are shown and split in the job's time zone (ExprContext.zone);
// timestamps are wall-clock values and used as they are.
#include <fmt/format.h>

#include "core/value_text.h"
#include "expr/functions.h"
#include "expr/row_function.h"

namespace sluice::expr {

namespace {

constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
constexpr const char* kDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// A moment split into calendar fields.
struct Civil {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int32_t days = 0;  // since 1970-01-01
  int64_t micros_of_day = 0;
};

// Wall-clock micros of a non-NULL date/timestamp/timestamptz value.
int64_t LocalMicros(const Column& c, size_t row, const ExprContext& ctx) {
  int64_t v = c.GetInt(row);
  switch (c.id()) {
    case TypeId::kDate:
      return v * kMicrosPerDay;
    case TypeId::kTimestampTz:
      return ctx.zone.UtcToLocalMicros(v);
    default:
      return v;
  }
}

Civil Split(int64_t local_micros) {
  Civil c;
  c.days = static_cast<int32_t>(FloorDiv(local_micros, kMicrosPerDay));
  c.micros_of_day = local_micros - static_cast<int64_t>(c.days) * kMicrosPerDay;
  CivilFromDays(c.days, c.year, c.month, c.day);
  return c;
}

// Appends v (>= 0 in practice; years before 1 keep a sign) with at least `width` digits.
void Pad(std::string& out, int64_t v, int width) {
  char buf[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (n < width) buf[n++] = '0';
  if (v < 0) out.push_back('-');
  while (n > 0) out.push_back(buf[--n]);
}

// MySQL DATE_FORMAT directives; an unknown %x prints x, as MySQL does.
void FormatCivil(const Civil& c, std::string_view pattern, std::string& out) {
  const int64_t secs = c.micros_of_day / kMicrosPerSecond;
  const int64_t hour = secs / 3600;
  const int64_t minute = secs / 60 % 60;
  const int64_t second = secs % 60;
  const int64_t hour12 = hour % 12 == 0 ? 12 : hour % 12;
  const int weekday = static_cast<int>(((c.days + 4) % 7 + 7) % 7);  // 1970-01-01: Thursday
  for (size_t i = 0; i < pattern.size(); ++i) {
    char ch = pattern[i];
    if (ch != '%' || i + 1 == pattern.size()) {
      out.push_back(ch);
      continue;
    }
    char d = pattern[++i];
    switch (d) {
      case 'Y':
        Pad(out, c.year, 4);
        break;
      case 'y':
        Pad(out, c.year % 100, 2);
        break;
      case 'm':
        Pad(out, c.month, 2);
        break;
      case 'c':
        Pad(out, c.month, 1);
        break;
      case 'd':
        Pad(out, c.day, 2);
        break;
      case 'e':
        Pad(out, c.day, 1);
        break;
      case 'H':
        Pad(out, hour, 2);
        break;
      case 'k':
        Pad(out, hour, 1);
        break;
      case 'h':
      case 'I':
        Pad(out, hour12, 2);
        break;
      case 'l':
        Pad(out, hour12, 1);
        break;
      case 'i':
        Pad(out, minute, 2);
        break;
      case 's':
      case 'S':
        Pad(out, second, 2);
        break;
      case 'f':
        Pad(out, c.micros_of_day % kMicrosPerSecond, 6);
        break;
      case 'p':
        out.append(hour < 12 ? "AM" : "PM");
        break;
      case 'M':
        out.append(kMonthNames[c.month - 1]);
        break;
      case 'b':
        out.append(std::string_view(kMonthNames[c.month - 1]).substr(0, 3));
        break;
      case 'W':
        out.append(kDayNames[weekday]);
        break;
      case 'a':
        out.append(std::string_view(kDayNames[weekday]).substr(0, 3));
        break;
      case 'w':
        Pad(out, weekday, 1);
        break;
      case 'j':
        Pad(out, c.days - DaysFromCivil(c.year, 1, 1) + 1, 3);
        break;
      case 'T':
        Pad(out, hour, 2), out.push_back(':'), Pad(out, minute, 2), out.push_back(':');
        Pad(out, second, 2);
        break;
      default:
        out.push_back(d);
        break;
    }
  }
}

// Reads 1..max_digits digits at text[pos].
bool ReadNumber(std::string_view text, size_t& pos, int max_digits, int64_t& out) {
  out = 0;
  int n = 0;
  while (pos < text.size() && n < max_digits && text[pos] >= '0' && text[pos] <= '9') {
    out = out * 10 + (text[pos++] - '0');
    ++n;
  }
  return n > 0;
}

// Parses `text` against a DATE_FORMAT-style pattern into wall-clock micros. Supports %Y %y %m
// %c %d %e %H %k %i %s %S %f %%; every other pattern character must match itself.
bool ParseWithPattern(std::string_view text, std::string_view pattern, int64_t& local_micros) {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  size_t pos = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char ch = pattern[i];
    if (ch == '%' && i + 1 < pattern.size()) {
      char d = pattern[++i];
      bool ok = true;
      switch (d) {
        case 'Y':
          ok = ReadNumber(text, pos, 4, year);
          break;
        case 'y':
          ok = ReadNumber(text, pos, 2, year);
          year += year < 70 ? 2000 : 1900;  // MySQL's two-digit year rule
          break;
        case 'm':
        case 'c':
          ok = ReadNumber(text, pos, 2, month);
          break;
        case 'd':
        case 'e':
          ok = ReadNumber(text, pos, 2, day);
          break;
        case 'H':
        case 'k':
          ok = ReadNumber(text, pos, 2, hour);
          break;
        case 'i':
          ok = ReadNumber(text, pos, 2, minute);
          break;
        case 's':
        case 'S':
          ok = ReadNumber(text, pos, 2, second);
          break;
        case 'f': {
          size_t start = pos;
          ok = ReadNumber(text, pos, 6, micros);
          for (size_t k = pos - start; k < 6; ++k) micros *= 10;
          break;
        }
        default:
          ok = pos < text.size() && text[pos++] == d;
          break;
      }
      if (!ok) return false;
    } else if (pos >= text.size() || text[pos++] != ch) {
      return false;
    }
  }
  if (pos != text.size()) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  int32_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t y = 0;
  unsigned m = 0, dd = 0;
  CivilFromDays(days, y, m, dd);
  if (dd != day) return false;  // 2024-02-30 and friends
  local_micros =
      days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + micros;
  return true;
}

Result<NodePtr> ExpectPointInTime(Binder& b, NodePtr node, std::string_view what) {
  TypeId id = node->type().id;
  if (id == TypeId::kNull)
    return MakeNullConstant(DataType::Of(TypeId::kTimestamp), node->offset());
  if (id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz) return node;
  return Err(b.ErrorAt(node->offset(), fmt::format("{} expects a date or timestamp, got {}", what,
                                                   TypeName(node->type()))));
}

Result<NodePtr> BindNow(Binder& b, std::vector<NodePtr>, size_t offset) {
  Column c(DataType::Of(TypeId::kTimestampTz));
  c.AppendInt(b.context()->now_micros);
  return std::make_shared<ConstantNode>(std::move(c), offset);
}

Result<NodePtr> BindCurrentDate(Binder& b, std::vector<NodePtr>, size_t offset) {
  Column c(DataType::Of(TypeId::kDate));
  c.AppendInt(FloorDiv(b.context()->zone.UtcToLocalMicros(b.context()->now_micros), kMicrosPerDay));
  return std::make_shared<ConstantNode>(std::move(c), offset);
}

Result<NodePtr> BindBizdate(Binder& b, std::vector<NodePtr>, size_t offset) {
  Column c(DataType::Of(TypeId::kString));
  c.AppendBytes(b.context()->bizdate);
  return std::make_shared<ConstantNode>(std::move(c), offset);
}

Result<NodePtr> BindDateFormat(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args[0], ExpectPointInTime(b, std::move(args[0]), "date_format()"));
  SLUICE_ASSIGN_OR_RETURN(args[1], b.ExpectText(std::move(args[1]), "date_format()"));
  const ExprContext* ctx = b.context();
  return MakeRowFunction(DataType::Of(TypeId::kString), offset, std::move(args),
                         [ctx](const Args& a, size_t i, Column& out, RowErrors&) {
                           Civil c = Split(LocalMicros(*a[0], i, *ctx));
                           FormatCivil(c, a[1]->GetView(i), out.MutableData());
                           out.CommitVar();
                         });
}

template <TypeId kResult>
Result<NodePtr> BindToTemporal(Binder& b, std::vector<NodePtr> args, size_t offset) {
  const char* name = kResult == TypeId::kDate ? "to_date()" : "to_timestamp()";
  for (NodePtr& a : args) {
    SLUICE_ASSIGN_OR_RETURN(a, b.ExpectText(std::move(a), name));
  }
  return MakeRowFunction(
      DataType::Of(kResult), offset, std::move(args),
      [name](const Args& a, size_t i, Column& out, RowErrors& errors) {
        std::string_view text = a[0]->GetView(i);
        int64_t local = 0;
        if (a.size() == 1) {
          Result<int64_t> v = ParseTimestamp(text);  // also takes a bare date
          if (!v.has_value()) {
            errors.push_back(RowError{i, fmt::format("{}: {}", name, v.error().message())});
            out.AppendNull();
            return;
          }
          local = *v;
        } else if (!ParseWithPattern(text, a[1]->GetView(i), local)) {
          errors.push_back(RowError{i, fmt::format("{}: '{}' does not match '{}' or is not a "
                                                   "valid date",
                                                   name, text, a[1]->GetView(i))});
          out.AppendNull();
          return;
        }
        out.AppendInt(kResult == TypeId::kDate ? FloorDiv(local, kMicrosPerDay) : local);
      });
}

enum class Field { kYear, kMonth, kDay, kHour, kMinute, kSecond };

template <Field kField>
Result<NodePtr> BindField(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args[0], ExpectPointInTime(b, std::move(args[0]), "date part"));
  const ExprContext* ctx = b.context();
  return MakeRowFunction(DataType::Of(TypeId::kInt64), offset, std::move(args),
                         [ctx](const Args& a, size_t i, Column& out, RowErrors&) {
                           Civil c = Split(LocalMicros(*a[0], i, *ctx));
                           int64_t secs = c.micros_of_day / kMicrosPerSecond;
                           switch (kField) {
                             case Field::kYear:
                               out.AppendInt(c.year);
                               break;
                             case Field::kMonth:
                               out.AppendInt(c.month);
                               break;
                             case Field::kDay:
                               out.AppendInt(c.day);
                               break;
                             case Field::kHour:
                               out.AppendInt(secs / 3600);
                               break;
                             case Field::kMinute:
                               out.AppendInt(secs / 60 % 60);
                               break;
                             case Field::kSecond:
                               out.AppendInt(secs % 60);
                               break;
                           }
                         });
}

}  // namespace

void AddTemporalFunctions(std::vector<FunctionDef>& table) {
  table.push_back({"now", 0, 0, &BindNow});
  table.push_back({"current_date", 0, 0, &BindCurrentDate});
  table.push_back({"bizdate", 0, 0, &BindBizdate});
  table.push_back({"date_format", 2, 2, &BindDateFormat});
  table.push_back({"to_date", 1, 2, &BindToTemporal<TypeId::kDate>});
  table.push_back({"to_timestamp", 1, 2, &BindToTemporal<TypeId::kTimestamp>});
  table.push_back({"year", 1, 1, &BindField<Field::kYear>});
  table.push_back({"month", 1, 1, &BindField<Field::kMonth>});
  table.push_back({"day", 1, 1, &BindField<Field::kDay>});
  table.push_back({"hour", 1, 1, &BindField<Field::kHour>});
  table.push_back({"minute", 1, 1, &BindField<Field::kMinute>});
  table.push_back({"second", 1, 1, &BindField<Field::kSecond>});
}

}  // namespace sluice::expr
