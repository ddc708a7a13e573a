#include "connectors/mysql/binlog/row_image_decoder.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/decimal_binary.h"
#include "connectors/mysql/binlog/json_binary.h"
#include "connectors/mysql/binlog/json_diff.h"
#include "connectors/mysql/binlog/temporal_binary.h"
#include "connectors/mysql/mysql_decoder.h"
#include "core/value_text.h"

namespace sluice::mysql::binlog {
namespace {

bool Bit(std::string_view bitmap, size_t i) {
  return (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
}

size_t CountBits(std::string_view bitmap, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) count += Bit(bitmap, i);
  return count;
}

}  // namespace

Result<RowImageDecoder> RowImageDecoder::Make(const TableMap& map,
                                              const std::vector<ColumnDef>& columns,
                                              const RowDecodeOptions& options) {
  if (columns.size() != map.columns.size()) {
    return Err(Status::Invalid("table {}: the binlog has {} columns, the table definition {}",
                               map.QualifiedName(), map.columns.size(), columns.size()));
  }
  RowImageDecoder d;
  d.table_id_ = map.table_id;
  d.table_name_ = map.QualifiedName();
  d.options_ = options;
  d.plans_.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    Result<ColumnPlan> plan = PlanColumn(map.columns[i], columns[i], options);
    if (!plan) return Err(plan.error().WithContext("table " + d.table_name_));
    d.plans_.push_back(std::move(*plan));
    d.slots_.push_back(i);
  }
  d.width_ = columns.size();
  return d;
}

void RowImageDecoder::MapColumns(std::vector<size_t> slots, size_t width) {
  std::vector<bool> filled(width, false);
  for (size_t slot : slots) filled[slot] = true;
  unmapped_.clear();
  for (size_t j = 0; j < width; ++j) {
    if (!filled[j]) unmapped_.push_back(j);
  }
  unmapped_cells_.assign(unmapped_.size(), Column());
  slots_ = std::move(slots);
  width_ = width;
}

void RowImageDecoder::FillUnmapped(size_t column, Column cell) {
  for (size_t k = 0; k < unmapped_.size(); ++k) {
    if (unmapped_[k] == column) unmapped_cells_[k] = std::move(cell);
  }
}

bool RowImageDecoder::AppendText(const ColumnPlan& p, std::string_view bytes, Column& out,
                                 std::string& why) const {
  switch (p.codec) {
    case TextCodec::kRaw:
      if (p.pad_binary && bytes.size() < p.length) {
        std::string& data = out.MutableData();
        data.append(bytes);
        data.append(p.length - bytes.size(), '\0');
        out.CommitVar();
      } else if (p.kind == ValueKind::kString && p.target != TypeId::kBytes) {
        // CHAR: the server strips trailing spaces on read; a binlog written by an older
        // server or a multi-byte charset may keep them.
        while (!bytes.empty() && bytes.back() == ' ') bytes.remove_suffix(1);
        out.AppendBytes(bytes);
      } else {
        out.AppendBytes(bytes);
      }
      return true;
    case TextCodec::kLatin1:
      if (p.kind == ValueKind::kString) {
        while (!bytes.empty() && bytes.back() == ' ') bytes.remove_suffix(1);
      }
      AppendLatin1AsUtf8(bytes, out.MutableData());
      out.CommitVar();
      return true;
    case TextCodec::kCharset: {
      std::string& data = out.MutableData();
      const size_t start = data.size();
      if (!p.decoder->AppendUtf8(bytes, data, why)) return false;
      if (p.kind == ValueKind::kString) {
        // CHAR's padding, stripped as UTF-8 (a UTF-16 space is two bytes).
        while (data.size() > start && data.back() == ' ') data.pop_back();
      }
      out.CommitVar();
      return true;
    }
    case TextCodec::kFixedBinary:
      if (!AppendFixedBinaryText(p.fixed_text, bytes, out.MutableData(), why)) return false;
      out.CommitVar();
      return true;
    case TextCodec::kUtf8Checked:
      if (!CheckUnnamedCharsetText(bytes, why)) return false;
      AppendCheckedText(p, bytes, out);
      return true;
    case TextCodec::kAscii:
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (static_cast<unsigned char>(bytes[i]) >= 0x80) {
          why = fmt::format("byte 0x{:02X} at offset {} is not ASCII, the column's character set",
                            static_cast<unsigned char>(bytes[i]), i);
          return false;
        }
      }
      AppendCheckedText(p, bytes, out);
      return true;
  }
  return false;
}

void RowImageDecoder::AppendCheckedText(const ColumnPlan& p, std::string_view bytes, Column& out) {
  if (p.kind == ValueKind::kString) {  // CHAR: without its padding, as SELECT returns it
    while (!bytes.empty() && bytes.back() == ' ') bytes.remove_suffix(1);
  }
  out.AppendBytes(bytes);
}

bool RowImageDecoder::AppendDateTime(const ColumnPlan& p, ByteReader& r, Column& out,
                                     std::string& why) const {
  DateTimeParts parts;
  int64_t micros = 0;
  switch (p.kind) {
    case ValueKind::kDate:
    case ValueKind::kDateTimeOld:
    case ValueKind::kDateTime2: {
      const bool ok = p.kind == ValueKind::kDate        ? ReadDate(r, parts)
                      : p.kind == ValueKind::kDateTime2 ? ReadDateTime2(r, p.scale, parts)
                                                        : ReadDateTimeOld(r, parts);
      if (!ok) return false;
      if (!IsCalendarDate(parts)) {
        if (options_.zero_date_as_null) {
          out.AppendNull();
          return true;
        }
        why = fmt::format(
            "'{:04}-{:02}-{:02}' is not a calendar date (read such values as NULL with "
            "zero_date: null)",
            parts.year, parts.month, parts.day);
        return false;
      }
      const int64_t days = DaysFromCivil(parts.year, parts.month, parts.day);
      if (p.kind == ValueKind::kDate) {
        out.AppendInt(days);
        return true;
      }
      micros = days * kMicrosPerDay +
               ((parts.hour * int64_t{60} + parts.minute) * 60 + parts.second) * kMicrosPerSecond +
               parts.micros;
      if (p.target == TypeId::kTimestampTz)
        micros = options_.datetime_zone->LocalToUtcMicros(micros);
      out.AppendInt(micros);
      return true;
    }
    case ValueKind::kTimestampOld:
    case ValueKind::kTimestamp2: {
      int64_t seconds = 0, frac = 0;
      const bool ok = p.kind == ValueKind::kTimestamp2 ? ReadTimestamp2(r, p.scale, seconds, frac)
                                                       : ReadTimestampOld(r, seconds);
      if (!ok) return false;
      if (seconds == 0 && frac == 0) {
        if (options_.zero_date_as_null) {
          out.AppendNull();
          return true;
        }
        why =
            "'0000-00-00 00:00:00' is not a calendar date (read such values as NULL with "
            "zero_date: null)";
        return false;
      }
      out.AppendInt(seconds * kMicrosPerSecond + frac);
      return true;
    }
    default:
      return false;
  }
}

bool RowImageDecoder::DecodeValue(const ColumnPlan& p, ByteReader& r, Column& out,
                                  std::string& why) const {
  uint64_t v = 0;
  std::string_view bytes;
  switch (p.kind) {
    case ValueKind::kInt: {
      if (!r.Le(p.width, v)) return false;
      if (p.target == TypeId::kBool) {
        if (v > 1) {
          why = fmt::format("{} is not a boolean", static_cast<int8_t>(v));
          return false;
        }
        out.AppendBool(v == 1);
      } else if (p.is_unsigned || p.width == 8) {
        out.AppendInt(static_cast<int64_t>(v));  // 64-bit two's complement either way
      } else {
        const int shift = 64 - 8 * p.width;
        out.AppendInt(static_cast<int64_t>(v << shift) >> shift);
      }
      return true;
    }
    case ValueKind::kFloat: {
      if (!r.Le(4, v)) return false;
      out.AppendDouble(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(v))));
      return true;
    }
    case ValueKind::kDouble:
      if (!r.Le(8, v)) return false;
      out.AppendDouble(std::bit_cast<double>(v));
      return true;
    case ValueKind::kDecimal:
      if (!r.Bytes(DecimalBinarySize(p.precision, p.scale), bytes)) return false;
      if (!AppendDecimalText(bytes, p.precision, p.scale, out.MutableData())) {
        why = fmt::format("invalid DECIMAL({},{}) bytes", p.precision, p.scale);
        return false;
      }
      out.CommitVar();
      return true;
    case ValueKind::kYear:
      if (!r.Le(1, v)) return false;
      out.AppendInt(v == 0 ? 0 : 1900 + static_cast<int64_t>(v));
      return true;
    case ValueKind::kDate:
    case ValueKind::kDateTimeOld:
    case ValueKind::kDateTime2:
    case ValueKind::kTimestampOld:
    case ValueKind::kTimestamp2:
      return AppendDateTime(p, r, out, why);
    case ValueKind::kTimeOld:
    case ValueKind::kTime2: {
      int64_t micros = 0;
      if (!(p.kind == ValueKind::kTime2 ? ReadTime2(r, p.scale, micros) : ReadTimeOld(r, micros))) {
        return false;
      }
      out.AppendInt(micros);
      return true;
    }
    case ValueKind::kBit:
      if (!r.Be((p.length + 7) / 8, v)) return false;
      out.AppendUInt(v);
      return true;
    case ValueKind::kEnum:
      if (!r.Le(p.width, v)) return false;
      if (IsInteger(p.target)) {
        out.AppendUInt(v);
      } else if (v == 0) {
        out.AppendBytes("");  // the server's error value for an invalid ENUM
      } else if (v <= p.members.size()) {
        out.AppendBytes(p.members[v - 1]);
      } else {
        why = fmt::format("ENUM index {} but the column has {} members", v, p.members.size());
        return false;
      }
      return true;
    case ValueKind::kSet: {
      if (!r.Le(p.width, v)) return false;
      if (IsInteger(p.target)) {
        out.AppendUInt(v);
        return true;
      }
      if (p.members.size() < 64 && (v >> p.members.size()) != 0) {
        why = fmt::format("SET bits 0x{:x} but the column has {} members", v, p.members.size());
        return false;
      }
      std::string& data = out.MutableData();
      bool first = true;
      for (size_t i = 0; i < p.members.size(); ++i) {
        if (!((v >> i) & 1)) continue;
        if (!first) data += ',';
        data += p.members[i];
        first = false;
      }
      out.CommitVar();
      return true;
    }
    case ValueKind::kString:
    case ValueKind::kVarString:
    case ValueKind::kBlob:
      if (!r.Le(p.width, v) || !r.Bytes(v, bytes)) return false;
      return AppendText(p, bytes, out, why);
    case ValueKind::kJsonBinary: {
      if (!r.Le(p.width, v) || !r.Bytes(v, bytes)) return false;
      std::string& data = out.MutableData();
      const size_t before = data.size();
      if (!AppendJsonText(bytes, data, why)) {
        data.resize(before);
        why = "invalid binary JSON: " + why;
        return false;
      }
      out.CommitVar();
      return true;
    }
  }
  return false;
}

// A column an image leaves out (a session with binlog_row_image=MINIMAL or NOBLOB); kept out
// of DecodeImage's loop, which full images run through.
[[gnu::noinline, gnu::cold]] bool RowImageDecoder::AppendAbsent(ImageRole role, size_t i,
                                                                std::string_view before_present,
                                                                Column& out,
                                                                std::string& why) const {
  if (role == ImageRole::kAfter) {
    // The update did not write the column: it holds what the before image says, or, when that
    // left it out too, what the target has (never NULL).
    if (i / 8 < before_present.size() && Bit(before_present, i)) {
      out.AppendCopyOf(out.size() - 1);
    } else {
      out.AppendUnchanged();
    }
    return true;
  }
  if (role == ImageRole::kInsert) {
    // The row got a value (its default) that no event carries: writing NULL would be a silent
    // corruption.
    why =
        "the row image leaves the column out (the writing session had "
        "binlog_row_image=MINIMAL or NOBLOB), so the value it was inserted with is not in "
        "the binlog: set binlog_row_image=FULL for every session (SET GLOBAL, and in the "
        "server's configuration), then re-snapshot (startup: initial)";
    return false;
  }
  out.AppendNull();  // a before image: its row is found by key, as with a key-only image
  return true;
}

bool RowImageDecoder::DecodeImage(ByteReader& r, ImageRole role, std::string_view present,
                                  size_t present_count, std::string_view before_present,
                                  Batch& batch, size_t& failed, std::string& why,
                                  const std::vector<uint8_t>* partial) const {
  std::string_view nulls;
  if (!r.Bytes((present_count + 7) / 8, nulls)) {
    failed = plans_.size();
    return false;
  }
  size_t j = 0;  // index among present columns: the null bitmap covers only those
  for (size_t k = 0; k < unmapped_.size(); ++k) {
    Column& out = batch.columns[unmapped_[k]];
    if (unmapped_cells_[k].size() == 0) {
      out.AppendNull();
    } else {
      out.AppendFrom(unmapped_cells_[k], 0);
    }
  }
  for (size_t i = 0; i < plans_.size(); ++i) {
    Column& out = batch.columns[slots_[i]];
    if (i / 8 >= present.size() || !Bit(present, i)) [[unlikely]] {
      if (!AppendAbsent(role, i, before_present, out, why)) {
        failed = i;
        return false;
      }
      continue;
    }
    if (Bit(nulls, j++)) {
      out.AppendNull();
      continue;
    }
    const bool ok = partial && (*partial)[i] ? DecodeJsonDiff(plans_[i], r, out, why)
                                             : DecodeValue(plans_[i], r, out, why);
    if (!ok) {
      failed = i;
      return false;
    }
  }
  return true;
}

bool RowImageDecoder::ReadPartialHeader(ByteReader& r, std::string_view present,
                                        std::vector<uint8_t>& partial) const {
  // The after image of a PARTIAL_UPDATE_ROWS starts with value options; with partial JSON
  // updates on, a bitmap of the image's JSON columns says which hold diffs against the before
  // image instead of the whole document.
  constexpr uint64_t kPartialJsonUpdates = 1;
  uint64_t options = 0;
  partial.assign(plans_.size(), 0);
  if (!r.Packed(options)) return false;
  if (!(options & kPartialJsonUpdates)) return true;
  size_t json_columns = 0;
  for (size_t i = 0; i < plans_.size(); ++i) {
    json_columns +=
        i / 8 < present.size() && Bit(present, i) && plans_[i].kind == ValueKind::kJsonBinary;
  }
  std::string_view bits;
  if (!r.Bytes((json_columns + 7) / 8, bits)) return false;
  for (size_t i = 0, j = 0; i < plans_.size(); ++i) {
    if (i / 8 < present.size() && Bit(present, i) && plans_[i].kind == ValueKind::kJsonBinary) {
      partial[i] = Bit(bits, j++);
    }
  }
  return true;
}

bool RowImageDecoder::DecodeJsonDiff(const ColumnPlan& p, ByteReader& r, Column& out,
                                     std::string& why) const {
  uint64_t length = 0;
  std::string_view diffs;
  if (!r.Le(p.width, length) || !r.Bytes(length, diffs)) return false;
  // The before image was appended just before this after image: the column's last value.
  if (out.size() == 0 || out.IsNull(out.size() - 1)) {
    why = "a partial JSON update without the document in the before image";
    return false;
  }
  const std::string before(out.GetView(out.size() - 1));  // a copy: `out` grows below
  std::string& data = out.MutableData();
  const size_t start = data.size();
  if (!ApplyJsonDiffs(before, diffs, data, why)) {
    data.resize(start);
    return false;
  }
  out.CommitVar();
  return true;
}

Status RowImageDecoder::Decode(const RowsEvent& event, Batch& batch) const {
  const char* name = EventTypeName(event.type);
  if (event.table_id != table_id_) {
    return Status::Internal("{} event for table id {} given to the decoder of table id {} ({})",
                            name, event.table_id, table_id_, table_name_);
  }
  if (event.column_count != plans_.size()) {
    return Status::DataError("{} event for {} has {} columns, its TABLE_MAP {}", name, table_name_,
                             event.column_count, plans_.size());
  }
  if (batch.columns.size() != width_) {
    return Status::Internal("batch for {} has {} columns, the table {}", table_name_,
                            batch.columns.size(), width_);
  }
  const size_t count = static_cast<size_t>(event.column_count);
  const size_t present = CountBits(event.present, count);
  const bool update = event.kind == RowsKind::kUpdate;
  const size_t present_after = update ? CountBits(event.present_after, count) : 0;
  // An image of no columns takes no bytes: the rows would never end. Servers never write one.
  if (present == 0 || (update && present_after == 0)) {
    return Status::DataError("{} event for {} marks no columns present", name, table_name_);
  }
  const RowKind first_kind = event.kind == RowsKind::kWrite    ? RowKind::kInsert
                             : event.kind == RowsKind::kDelete ? RowKind::kDelete
                                                               : RowKind::kUpdateBefore;
  // Existing rows of a batch-mode batch are inserts; make their kinds explicit.
  if (batch.row_kinds.empty()) batch.row_kinds.assign(batch.num_rows(), RowKind::kInsert);
  ByteReader r(event.rows, event.rows_offset);
  std::string why;
  std::vector<uint8_t> partial;  // PARTIAL_UPDATE_ROWS: the after image's columns with diffs
  size_t failed = 0;
  for (size_t row = 1; !r.empty(); ++row) {
    const size_t row_start = r.offset();
    const ImageRole role = event.kind == RowsKind::kWrite ? ImageRole::kInsert : ImageRole::kBefore;
    bool ok = DecodeImage(r, role, event.present, present, {}, batch, failed, why);
    if (ok) batch.row_kinds.push_back(first_kind);
    if (ok && update && event.type == EventType::kPartialUpdateRows) {
      failed = plans_.size();
      ok = ReadPartialHeader(r, event.present_after, partial);
    }
    if (ok && update) {
      ok = DecodeImage(r, ImageRole::kAfter, event.present_after, present_after, event.present,
                       batch, failed, why, partial.empty() ? nullptr : &partial);
      if (ok) batch.row_kinds.push_back(RowKind::kUpdateAfter);
    }
    if (!ok) {
      const std::string column = failed < plans_.size()
                                     ? fmt::format("column {} ({})", plans_[failed].name,
                                                   FieldTypeName(plans_[failed].field))
                                     : std::string("row header");
      const size_t at = r.ok() ? row_start : r.fail_offset();
      return Status::DataError("{} event for {}: row {}, {}: {} (at byte {} of the event)", name,
                               table_name_, row, column,
                               why.empty() ? "the value runs past the end of the event" : why, at);
    }
  }
  return Status::OK();
}

}  // namespace sluice::mysql::binlog
