#include "connectors/mysql/binlog/column_plan.h"

#include <fmt/format.h>

#include "connectors/mysql/mysql_decoder.h"
#include "core/utf8.h"

namespace sluice::mysql::binlog {
namespace {

// The column's character set: the caller's (the catalog's), else the TABLE_MAP's collation.
std::string_view CharsetOf(const TableMapColumn& c, const ColumnDef& def) {
  return def.charset.empty() ? CharsetOfCollation(c.collation) : std::string_view(def.charset);
}

// How text in `charset` becomes UTF-8: by hand (latin1, ascii), or by a CharsetDecoder.
Status ChooseCodec(std::string_view charset, const ColumnDef& def, ColumnPlan& p) {
  if (charset.empty()) {
    p.codec = TextCodec::kUtf8Checked;
  } else if (charset == "latin1") {
    p.codec = TextCodec::kLatin1;
  } else if (charset == "ascii") {
    p.codec = TextCodec::kAscii;
  } else if (charset != "binary" && !IsUtf8Charset(charset)) {
    SLUICE_ASSIGN_OR_RETURN(p.decoder, CharsetDecoder::For(charset, def.name));
    p.codec = TextCodec::kCharset;
  }
  return Status::OK();
}

// An ENUM/SET member of the TABLE_MAP as UTF-8, by the codec ChooseCodec chose.
bool AppendMemberUtf8(const ColumnPlan& p, std::string_view member, std::string& out,
                      std::string& why) {
  switch (p.codec) {
    case TextCodec::kLatin1:
      AppendLatin1AsUtf8(member, out);
      return true;
    case TextCodec::kCharset:
      return p.decoder->AppendUtf8(member, out, why);
    case TextCodec::kUtf8Checked:
      if (!CheckUnnamedCharsetText(member, why)) return false;
      out.append(member);
      return true;
    case TextCodec::kAscii:
    case TextCodec::kRaw:
    case TextCodec::kFixedBinary:
      out.append(member);
      return true;
  }
  return false;
}

bool IsTextTarget(TypeId t) {
  return t == TypeId::kString || t == TypeId::kJson;
}

std::string Mismatch(const TableMapColumn& c, const ColumnDef& def) {
  return fmt::format("column {}: binlog type {} cannot be read as {}", def.name,
                     FieldTypeName(c.real_type), TypeName(def.type));
}

}  // namespace

bool CheckUnnamedCharsetText(std::string_view bytes, std::string& why) {
  const size_t bad = InvalidUtf8At(bytes);
  if (bad == std::string_view::npos) return true;
  why = fmt::format(
      "byte 0x{:02X} at offset {} is not UTF-8, and the binlog names no character set for the "
      "column (binlog_row_metadata=MINIMAL): read these files with a catalog (a live source), "
      "or set the server's binlog_row_metadata=FULL",
      static_cast<unsigned char>(bytes[bad]), bad);
  return false;
}

Result<ColumnPlan> PlanColumn(const TableMapColumn& c, const ColumnDef& def,
                              const RowDecodeOptions& options) {
  ColumnPlan p;
  p.field = c.real_type;
  p.target = def.type.id;
  p.name = def.name;
  p.precision = c.precision;
  p.scale = c.scale;
  p.length = c.length;
  const TypeId t = def.type.id;
  bool ok = false;
  auto integer = [&](uint8_t width) -> Status {
    p.kind = ValueKind::kInt;
    p.width = width;
    p.is_unsigned = IsUnsignedInteger(t);
    ok = IsInteger(t) || (width == 1 && t == TypeId::kBool);
    // An unsigned column read as a wider signed type (the catalog's, after an ALTER that
    // widened it, such as SMALLINT UNSIGNED -> INT, read from rows written before): every
    // value fits, read as unsigned.
    const int def_bytes = IsSignedInteger(t) ? IntegerBytes(t) : 0;
    if (ok && c.is_unsigned == 1 && !p.is_unsigned && def_bytes > width) {
      p.is_unsigned = true;
      return Status::OK();
    }
    if (ok && c.is_unsigned >= 0 && (c.is_unsigned == 1) != p.is_unsigned && t != TypeId::kBool) {
      return Status::Invalid("column {}: the binlog says {} but the table definition says {}",
                             def.name, c.is_unsigned ? "unsigned" : "signed", TypeName(def.type));
    }
    return Status::OK();
  };
  switch (c.real_type) {
    case FieldType::kTiny:
      SLUICE_RETURN_IF_ERROR(integer(1));
      break;
    case FieldType::kShort:
      SLUICE_RETURN_IF_ERROR(integer(2));
      break;
    case FieldType::kInt24:
      SLUICE_RETURN_IF_ERROR(integer(3));
      break;
    case FieldType::kLong:
      SLUICE_RETURN_IF_ERROR(integer(4));
      break;
    case FieldType::kLongLong:
      SLUICE_RETURN_IF_ERROR(integer(8));
      break;
    case FieldType::kFloat:
      p.kind = ValueKind::kFloat;
      ok = IsFloating(t);
      break;
    case FieldType::kDouble:
      p.kind = ValueKind::kDouble;
      ok = t == TypeId::kFloat64;
      break;
    case FieldType::kNewDecimal:
      p.kind = ValueKind::kDecimal;
      ok = t == TypeId::kDecimal && c.precision > 0 && c.scale <= c.precision;
      break;
    case FieldType::kYear:
      p.kind = ValueKind::kYear;
      ok = IsInteger(t);
      break;
    case FieldType::kDate:
    case FieldType::kNewDate:
      p.kind = ValueKind::kDate;
      ok = t == TypeId::kDate;
      break;
    case FieldType::kTime:
    case FieldType::kTime2:
      p.kind = c.real_type == FieldType::kTime ? ValueKind::kTimeOld : ValueKind::kTime2;
      ok = t == TypeId::kTime && c.scale <= 6;
      break;
    case FieldType::kDateTime:
    case FieldType::kDateTime2:
      p.kind =
          c.real_type == FieldType::kDateTime ? ValueKind::kDateTimeOld : ValueKind::kDateTime2;
      ok = (t == TypeId::kTimestamp || (t == TypeId::kTimestampTz && options.datetime_zone)) &&
           c.scale <= 6;
      break;
    case FieldType::kTimestamp:
    case FieldType::kTimestamp2:
      p.kind =
          c.real_type == FieldType::kTimestamp ? ValueKind::kTimestampOld : ValueKind::kTimestamp2;
      ok = (t == TypeId::kTimestampTz || t == TypeId::kTimestamp) && c.scale <= 6;
      break;
    case FieldType::kBit:
      p.kind = ValueKind::kBit;
      ok = IsInteger(t) && c.length <= 64;
      break;
    case FieldType::kEnum:
    case FieldType::kSet:
      p.kind = c.real_type == FieldType::kEnum ? ValueKind::kEnum : ValueKind::kSet;
      p.width = static_cast<uint8_t>(c.length);
      p.members = def.members.empty() ? c.values : def.members;
      if (def.members.empty()) {
        // The TABLE_MAP's members are in the column's character set (the caller's are text).
        SLUICE_RETURN_IF_ERROR(ChooseCodec(CharsetOf(c, def), def, p));
        for (std::string& m : p.members) {
          std::string utf8;
          std::string why;
          if (!AppendMemberUtf8(p, m, utf8, why)) {
            return Err(Status::DataError("column {}: member {}", def.name, why));
          }
          m = std::move(utf8);
        }
        p.codec = TextCodec::kRaw;
        p.decoder.reset();
      }
      ok = (p.kind == ValueKind::kEnum ? (p.width == 1 || p.width == 2)
                                       : (p.width >= 1 && p.width <= 8)) &&
           (IsInteger(t) || t == TypeId::kString);
      if (ok && t == TypeId::kString && p.members.empty()) {
        return Err(Status::Invalid(
            "column {}: {} members are unknown (give them in the column definition, or set the "
            "server's binlog_row_metadata=FULL)",
            def.name, FieldTypeName(c.real_type)));
      }
      break;
    case FieldType::kString:
    case FieldType::kVarchar:
    case FieldType::kVarString:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
    case FieldType::kGeometry: {
      const bool blob = c.real_type != FieldType::kString && c.real_type != FieldType::kVarchar &&
                        c.real_type != FieldType::kVarString;
      p.kind =
          blob ? ValueKind::kBlob
               : (c.real_type == FieldType::kString ? ValueKind::kString : ValueKind::kVarString);
      p.width = blob ? static_cast<uint8_t>(c.length) : (c.length > 255 ? 2 : 1);
      if (blob && (p.width < 1 || p.width > 4)) {
        return Err(Status::DataError("column {}: BLOB length of {} bytes", def.name, p.width));
      }
      const std::string_view charset = CharsetOf(c, def);
      const bool binary = charset == "binary";
      if (def.fixed_text != FixedBinaryText::kNone) {
        p.codec = TextCodec::kFixedBinary;
        p.fixed_text = def.fixed_text;
        ok = c.real_type == FieldType::kString && c.length == FixedBinarySize(def.fixed_text) &&
             (def.fixed_text == FixedBinaryText::kUuid ? t == TypeId::kUuid : t == TypeId::kString);
        break;
      }
      if (t == TypeId::kBytes) {
        p.codec = TextCodec::kRaw;  // bytes are taken as stored
      } else {
        SLUICE_RETURN_IF_ERROR(ChooseCodec(charset, def, p));
      }
      p.pad_binary = binary && p.kind == ValueKind::kString && t == TypeId::kBytes;
      ok = t == TypeId::kBytes || (IsTextTarget(t) && c.real_type != FieldType::kGeometry);
      break;
    }
    case FieldType::kJson:
      p.kind = ValueKind::kJsonBinary;
      p.width = static_cast<uint8_t>(c.length);
      ok = IsTextTarget(t) && p.width >= 1 && p.width <= 4;
      break;
    default:
      return Err(Status::Invalid("column {}: binlog type {} is not supported", def.name,
                                 FieldTypeName(c.real_type)));
  }
  if (!ok) return Err(Status::Invalid("{}", Mismatch(c, def)));
  return p;
}

}  // namespace sluice::mysql::binlog
