#include "connectors/csv/csv_sink.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "connectors/file_common/text_codec.h"
#include "core/value_text.h"

namespace sluice {

// --- formatting ----------------------------------------------------------------------------

namespace {

// Every character the canonical text of a type can contain.
std::string_view Alphabet(TypeId id, BytesEncoding bytes) {
  switch (id) {
    case TypeId::kBool:
      return "truefals";
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      return "0123456789-";
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return "0123456789-+.einfa";
    case TypeId::kDecimal:
      return "0123456789-.";
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "0123456789-:. TZ";
    case TypeId::kUuid:
      return "0123456789abcdef-";
    case TypeId::kBytes:
      return bytes == BytesEncoding::kHex
                 ? "0123456789abcdef"
                 : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    default:
      return {};  // strings and JSON: anything
  }
}

}  // namespace

CsvRowFormatter::CsvRowFormatter(const CsvFormat& format, const Schema& schema)
    : format_(format), schema_(schema) {
  special_[static_cast<unsigned char>(format.delimiter)] = true;
  special_[static_cast<unsigned char>(format.quote)] = true;
  special_['\n'] = true;
  special_['\r'] = true;
  for (const Field& f : schema.fields) {
    const TypeId id = f.type.id;
    Kind kind = Kind::kOther;
    if (IsSignedInteger(id)) kind = Kind::kInt;
    if (IsUnsignedInteger(id)) kind = Kind::kUInt;
    if (id == TypeId::kFloat32) kind = Kind::kFloat32;
    if (id == TypeId::kFloat64) kind = Kind::kFloat64;
    if (id == TypeId::kBool) kind = Kind::kBool;
    if (id == TypeId::kString || id == TypeId::kJson) kind = Kind::kText;
    if (id == TypeId::kBytes) kind = Kind::kBytes;
    kinds_.push_back(kind);
    const std::string_view alphabet = Alphabet(id, format.bytes);
    const auto in_alphabet = [&](char c) { return alphabet.find(c) != std::string_view::npos; };
    bool direct = !alphabet.empty() && !in_alphabet(format.delimiter) && !in_alphabet(format.quote);
    if (!format.null_marker.empty()) {
      bool marker_possible = true;
      for (char c : format.null_marker) marker_possible &= in_alphabet(c);
      direct &= !marker_possible;
    }
    direct_.push_back(direct ? 1 : 0);
  }
}

char* CsvRowFormatter::WriteText(std::string_view v, char* p) const {
  bool quote = v == format_.null_marker || (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  for (size_t i = 0; i < v.size() && !quote; ++i)
    quote = special_[static_cast<unsigned char>(v[i])];
  if (!quote) {
    std::memcpy(p, v.data(), v.size());
    return p + v.size();
  }
  const char q = format_.quote;
  *p++ = q;
  while (!v.empty()) {
    const void* hit = std::memchr(v.data(), q, v.size());
    const size_t n =
        hit ? static_cast<size_t>(static_cast<const char*>(hit) - v.data()) + 1 : v.size();
    std::memcpy(p, v.data(), n);
    p += n;
    if (hit) *p++ = q;  // a quote inside is doubled
    v.remove_prefix(n);
  }
  *p++ = q;
  return p;
}

void CsvRowFormatter::AppendText(std::string_view v, std::string& out) const {
  const size_t old = out.size();
  out.resize_and_overwrite(old + v.size() * 2 + 2, [&](char* buf, size_t) {
    return static_cast<size_t>(WriteText(v, buf + old) - buf);
  });
}

void CsvRowFormatter::AppendHeader(std::string& out) {
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (i > 0) out.push_back(format_.delimiter);
    AppendText(schema_.fields[i].name, out);
  }
  out.push_back('\n');
}

namespace {

template <typename F>
char* WriteFloating(F v, char* p) {
  if (std::isnan(v)) return std::copy_n("nan", 3, p);
  if (std::isinf(v)) return v < 0 ? std::copy_n("-inf", 4, p) : std::copy_n("inf", 3, p);
  return std::to_chars(p, p + 32, v).ptr;  // shortest text that reads back to the same bits
}

}  // namespace

char* CsvRowFormatter::WriteValue(const Column& col, size_t row, size_t index, char* p) {
  if (!direct_[index] && kinds_[index] != Kind::kText) {
    scratch_.clear();
    if (kinds_[index] == Kind::kBytes) {
      EncodeBytes(col.GetView(row), format_.bytes, scratch_);
    } else {
      FormatValue(col, row, scratch_);
    }
    return WriteText(scratch_, p);
  }
  switch (kinds_[index]) {
    case Kind::kInt:
      return std::to_chars(p, p + 24, col.GetInt(row)).ptr;
    case Kind::kUInt:
      return std::to_chars(p, p + 24, col.GetUInt(row)).ptr;
    case Kind::kFloat64:
      return WriteFloating(col.GetDouble(row), p);
    case Kind::kFloat32:
      return WriteFloating(static_cast<float>(col.GetDouble(row)), p);
    case Kind::kBool:
      return col.GetBool(row) ? std::copy_n("true", 4, p) : std::copy_n("false", 5, p);
    case Kind::kText:
      return WriteText(col.GetView(row), p);
    case Kind::kBytes: {
      const std::string_view raw = col.GetView(row);
      if (raw.empty()) {  // "" so that empty bytes differ from NULL
        *p++ = format_.quote;
        *p++ = format_.quote;
        return p;
      }
      scratch_.clear();
      EncodeBytes(raw, format_.bytes, scratch_);
      return std::copy(scratch_.begin(), scratch_.end(), p);
    }
    case Kind::kOther:
      scratch_.clear();
      FormatValue(col, row, scratch_);
      return std::copy(scratch_.begin(), scratch_.end(), p);
  }
  return p;
}

void CsvRowFormatter::AppendRows(const Batch& batch, std::string& out) {
  const size_t rows = batch.num_rows();
  const size_t ncols = batch.columns.size();
  if (rows == 0) return;
  const std::string& null_marker = format_.null_marker;
  // One growth per batch with room for the longest text any value can take (a var value at
  // most doubles when quoted, quadruples when hex-encoded and quoted); values are then written
  // through a raw pointer, which keeps string bookkeeping out of the per-value path.
  size_t bound = rows * (ncols + 1) * (1 + null_marker.size());
  for (const Column& col : batch.columns) {
    bound += col.is_var() ? col.data().size() * 4 + rows * 8 : rows * kMaxFixedText;
  }
  const size_t old = out.size();
  out.resize_and_overwrite(old + bound, [&](char* buf, size_t) {
    char* p = buf + old;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < ncols; ++c) {
        if (c > 0) *p++ = format_.delimiter;
        const Column& col = batch.columns[c];
        if (col.IsNull(r)) {
          p = std::copy(null_marker.begin(), null_marker.end(), p);
        } else {
          p = WriteValue(col, r, c, p);
        }
      }
      *p++ = '\n';
    }
    return static_cast<size_t>(p - buf);
  });
}

// --- sink ------------------------------------------------------------------------------------

Result<std::unique_ptr<Sink>> CsvSink::Make(const Options& options,
                                            const ConnectorContext& /*context*/) {
  SLUICE_ASSIGN_OR_RETURN(CsvFormat format, CsvFormat::FromOptions(options));
  const std::string path = options.GetString("path");
  if (path.empty()) return Err(options.ErrorAt("path", "a path is required"));
  return std::unique_ptr<Sink>(new CsvSink(path, format));
}

void CsvSink::StartFile(FileTarget& target) {
  if (format_.header && target.starts_empty()) {
    CsvRowFormatter(format_, schema_).AppendHeader(target.buffer());
  }
}

Result<std::unique_ptr<SinkWriter>> CsvSink::OpenWriter() {
  if (!target_) return Err(Status::Internal("csv sink: OpenWriter before Prepare"));
  return std::unique_ptr<SinkWriter>(std::make_unique<FormattedFileWriter<CsvRowFormatter>>(
      target_.get(), CsvRowFormatter(format_, schema_)));
}

}  // namespace sluice
