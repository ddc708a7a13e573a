#include "connectors/postgres/pg_copy_decoder.h"

#include <bit>
#include <cstring>

#include "connectors/postgres/pg_numeric.h"
#include "connectors/postgres/pg_wire.h"

namespace sluice::postgres {
namespace {

constexpr char kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};

enum class FieldResult { kOk, kSpecial, kMalformed };

bool FixedLen(int32_t len, int32_t want) {
  return len == want;
}

FieldResult DecodeField(Wire wire, const char* p, int32_t len, Column& column, std::string& reason,
                        bool keep_special) {
  switch (wire) {
    case Wire::kBool:
      if (!FixedLen(len, 1)) return FieldResult::kMalformed;
      column.AppendBool(*p != 0);
      return FieldResult::kOk;
    case Wire::kInt2:
      if (!FixedLen(len, 2)) return FieldResult::kMalformed;
      column.AppendInt(ReadI16(p));
      return FieldResult::kOk;
    case Wire::kInt4:
      if (!FixedLen(len, 4)) return FieldResult::kMalformed;
      column.AppendInt(ReadI32(p));
      return FieldResult::kOk;
    case Wire::kInt8:
    case Wire::kTime:
      if (!FixedLen(len, 8)) return FieldResult::kMalformed;
      column.AppendInt(ReadI64(p));
      return FieldResult::kOk;
    case Wire::kOid:
      if (!FixedLen(len, 4)) return FieldResult::kMalformed;
      column.AppendUInt(ReadU32(p));
      return FieldResult::kOk;
    case Wire::kFloat4:
      if (!FixedLen(len, 4)) return FieldResult::kMalformed;
      column.AppendDouble(static_cast<double>(std::bit_cast<float>(ReadU32(p))));
      return FieldResult::kOk;
    case Wire::kFloat8:
      if (!FixedLen(len, 8)) return FieldResult::kMalformed;
      column.AppendInt(ReadI64(p));  // the double's bits, unchanged
      return FieldResult::kOk;
    case Wire::kNumeric: {
      std::string& data = column.MutableData();
      const size_t before = data.size();
      NumericKind kind = DecodeNumeric(p, static_cast<size_t>(len), data);
      if (kind == NumericKind::kFinite) {
        column.CommitVar();
        return FieldResult::kOk;
      }
      data.resize(before);
      if (kind != NumericKind::kInvalid && keep_special) {
        data += kind == NumericKind::kNaN        ? "NaN"
                : kind == NumericKind::kInfinity ? "Infinity"
                                                 : "-Infinity";
        column.CommitVar();
        return FieldResult::kOk;
      }
      if (kind == NumericKind::kInvalid) return FieldResult::kMalformed;
      reason = kind == NumericKind::kNaN        ? "numeric NaN"
               : kind == NumericKind::kInfinity ? "numeric Infinity"
                                                : "numeric -Infinity";
      return FieldResult::kSpecial;
    }
    case Wire::kText:
    case Wire::kBytea:
      column.AppendBytes(std::string_view(p, static_cast<size_t>(len)));
      return FieldResult::kOk;
    case Wire::kJsonb:
      if (len < 1 || *p != 1) return FieldResult::kMalformed;
      column.AppendBytes(std::string_view(p + 1, static_cast<size_t>(len - 1)));
      return FieldResult::kOk;
    case Wire::kDate: {
      if (!FixedLen(len, 4)) return FieldResult::kMalformed;
      int32_t days = ReadI32(p);
      if (days == kDateInfinity || days == kDateMinusInfinity) {
        if (keep_special) {
          column.AppendInt(days);
          return FieldResult::kOk;
        }
        reason = days == kDateInfinity ? "date infinity" : "date -infinity";
        return FieldResult::kSpecial;
      }
      column.AppendInt(int64_t{days} + kPgEpochDays);
      return FieldResult::kOk;
    }
    case Wire::kTimestamp:
    case Wire::kTimestampTz: {
      if (!FixedLen(len, 8)) return FieldResult::kMalformed;
      int64_t micros = ReadI64(p);
      int64_t unix_micros = 0;
      if (micros == kTimestampInfinity || micros == kTimestampMinusInfinity) {
        if (keep_special) {
          column.AppendInt(micros);
          return FieldResult::kOk;
        }
        reason = micros == kTimestampInfinity ? "timestamp infinity" : "timestamp -infinity";
        return FieldResult::kSpecial;
      }
      if (__builtin_add_overflow(micros, kPgEpochMicros, &unix_micros)) {
        reason = "timestamp beyond the year 294000";
        return FieldResult::kSpecial;
      }
      column.AppendInt(unix_micros);
      return FieldResult::kOk;
    }
    case Wire::kUuid:
      if (!FixedLen(len, 16)) return FieldResult::kMalformed;
      FormatUuidBytes(p, column.MutableData());
      column.CommitVar();
      return FieldResult::kOk;
  }
  return FieldResult::kMalformed;
}

}  // namespace

void FormatUuidBytes(const char* p, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  char* o = buf;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
    const auto b = static_cast<unsigned char>(p[i]);
    *o++ = kHex[b >> 4];
    *o++ = kHex[b & 15];
  }
  out.append(buf, sizeof(buf));
}

Status CopyDecoder::SkipHeader(const char*& p, const char* end) {
  if (end - p < 19 || std::memcmp(p, kSignature, sizeof(kSignature)) != 0) {
    return Status::Internal("postgres: COPY data does not start with the binary signature");
  }
  p += 11;
  const uint32_t flags = ReadU32(p);
  if (flags & 0x10000) return Status::Internal("postgres: COPY data has OIDs");
  const uint32_t extension = ReadU32(p + 4);
  p += 8;
  if (static_cast<uint32_t>(end - p) < extension) {
    return Status::Internal("postgres: truncated COPY header");
  }
  p += extension;
  header_done_ = true;
  return Status::OK();
}

Result<CopyDecoder::RowResult> CopyDecoder::Decode(const char* data, size_t len, Batch& batch) {
  const char* p = data;
  const char* end = data + len;
  if (!header_done_) SLUICE_RETURN_IF_ERROR(SkipHeader(p, end));
  auto malformed = [&](const char* what) {
    return Status::Internal("postgres: malformed COPY binary data ({})", what);
  };
  if (end - p < 2) return Err(malformed("short tuple"));
  const int16_t fields = ReadI16(p);
  p += 2;
  if (fields == -1) return RowResult::kEnd;
  const size_t ncols = wires_.size();
  if (static_cast<size_t>(fields) != ncols) return Err(malformed("unexpected field count"));
  RowResult result = RowResult::kRow;
  for (size_t c = 0; c < ncols; ++c) {
    if (end - p < 4) return Err(malformed("short field"));
    const int32_t flen = ReadI32(p);
    p += 4;
    Column& column = batch.columns[c];
    if (flen < 0) {
      column.AppendNull();
      continue;
    }
    if (end - p < flen) return Err(malformed("field longer than its message"));
    std::string why;
    FieldResult r = DecodeField(wires_[c], p, flen, column, why, special_ == SpecialValues::kKeep);
    p += flen;
    if (r == FieldResult::kMalformed) return Err(malformed("bad value"));
    if (r == FieldResult::kSpecial) {
      column.AppendNull();
      if (special_ == SpecialValues::kNull) {
        if (substituted_++ == 0) {
          substituted_column_ = c;
          substituted_reason_ = std::move(why);
        }
      } else if (result == RowResult::kRow) {
        result = RowResult::kBadValue;
        bad_column_ = c;
        reason_ = std::move(why);
      }
    }
  }
  if (p != end) return Err(malformed("trailing bytes after a tuple"));
  return result;
}

bool CopyDecoder::DecodeValue(Wire wire, const char* p, int32_t len, Column& column,
                              std::string& reason) {
  FieldResult r = DecodeField(wire, p, len, column, reason, /*keep_special=*/false);
  if (r == FieldResult::kMalformed) reason = "malformed binary value";
  return r == FieldResult::kOk;
}

}  // namespace sluice::postgres
