#include "connectors/mysql/mysql_literal.h"

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_encoder.h"
#include "core/value_text.h"

namespace sluice::mysql {
namespace {

std::string HexLiteral(std::string_view bytes) {
  std::string out = "X'";
  AppendHex(bytes, out);
  return out + "'";
}

}  // namespace

bool IsSplittable(ReadKind kind) {
  switch (kind) {
    case ReadKind::kInt:
    case ReadKind::kUInt:
    case ReadKind::kYear:
    case ReadKind::kDecimal:
    case ReadKind::kString:
    case ReadKind::kLatin1:
    case ReadKind::kAscii:
    case ReadKind::kBytes:
    case ReadKind::kDate:
    case ReadKind::kDateTime:
    case ReadKind::kDateTimeTz:
    case ReadKind::kTimestampTz:
    case ReadKind::kTime:
      return true;
    default:
      return false;
  }
}

std::optional<std::string> LiteralFromServerText(ReadKind kind, std::string_view text) {
  switch (kind) {
    case ReadKind::kInt:
    case ReadKind::kUInt:
    case ReadKind::kYear:
    case ReadKind::kDecimal:
      return std::string(text);
    case ReadKind::kBytes:
      return HexLiteral(text);
    case ReadKind::kString:
    case ReadKind::kLatin1:
    case ReadKind::kAscii:
    case ReadKind::kDate:
    case ReadKind::kDateTime:
    case ReadKind::kDateTimeTz:
    case ReadKind::kTimestampTz:
    case ReadKind::kTime:
      return QuoteString(text);
    default:
      return std::nullopt;
  }
}

Result<std::string> LiteralFromCanonical(ReadKind kind, const DataType& type,
                                         std::string_view canonical, const TimeZone& zone) {
  std::string out;
  switch (kind) {
    case ReadKind::kInt:
    case ReadKind::kYear: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseInt(canonical));
      FormatInt(v, out);
      return out;
    }
    case ReadKind::kUInt:
    case ReadKind::kBit: {
      SLUICE_ASSIGN_OR_RETURN(uint64_t v, ParseUInt(canonical));
      FormatUInt(v, out);
      return out;
    }
    case ReadKind::kBool: {
      SLUICE_ASSIGN_OR_RETURN(bool v, ParseBool(canonical));
      return std::string(v ? "1" : "0");
    }
    case ReadKind::kFloat:
    case ReadKind::kDouble: {
      SLUICE_ASSIGN_OR_RETURN(double v, ParseDouble(canonical));
      FormatDouble(v, out);
      return out;
    }
    case ReadKind::kDecimal:
      return CanonicalDecimal(canonical, 0, 0);
    case ReadKind::kDate: {
      SLUICE_ASSIGN_OR_RETURN(int32_t v, ParseDate(canonical));
      FormatDate(v, out);
      return QuoteString(out);
    }
    case ReadKind::kTime: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTime(canonical));
      FormatTime(v, out);
      return QuoteString(out);
    }
    case ReadKind::kDateTime: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(canonical));
      FormatTimestamp(v, out);
      return QuoteString(out);
    }
    case ReadKind::kDateTimeTz:
    case ReadKind::kTimestampTz: {
      SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseTimestampTz(canonical, TimeZone::Utc()));
      // TIMESTAMP compares in the session's zone (UTC); DATETIME in its own wall clock.
      FormatTimestamp(kind == ReadKind::kDateTimeTz ? zone.UtcToLocalMicros(v) : v, out);
      return QuoteString(out);
    }
    case ReadKind::kBytes:
      return HexLiteral(canonical);
    case ReadKind::kUuid: {
      SLUICE_ASSIGN_OR_RETURN(std::string v, CanonicalUuid(canonical));
      return QuoteString(v);
    }
    case ReadKind::kString:
    case ReadKind::kLatin1:
    case ReadKind::kAscii:
    case ReadKind::kJson:
      return QuoteString(canonical);
  }
  return Err(Status::Internal("mysql: no literal for a {} value", TypeName(type)));
}

}  // namespace sluice::mysql
