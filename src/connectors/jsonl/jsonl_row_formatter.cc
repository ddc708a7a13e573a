#include "connectors/jsonl/jsonl_row_formatter.h"

#include <cmath>

#include "core/value_text.h"

namespace sluice {

JsonlRowFormatter::JsonlRowFormatter(const JsonlWriteFormat& format, const Schema& schema)
    : format_(format) {
  for (size_t i = 0; i < schema.size(); ++i) {
    std::string prefix(1, i == 0 ? '{' : ',');
    AppendJsonString(schema.fields[i].name, prefix);
    prefix.push_back(':');
    prefixes_.push_back(std::move(prefix));
  }
}

namespace {

void AppendJsonNumber(double v, bool is_float32, std::string& out) {
  if (std::isnan(v)) {
    out.append("\"NaN\"");
  } else if (std::isinf(v)) {
    out.append(v < 0 ? "\"-Infinity\"" : "\"Infinity\"");
  } else if (v == 0 && std::signbit(v)) {
    out.append("-0.0");  // "-0" would read back as the integer 0, losing the sign
  } else if (is_float32) {
    FormatFloat(static_cast<float>(v), out);
  } else {
    FormatDouble(v, out);
  }
}

// Canonical text that is not a JSON number, as a string; it never needs escaping.
template <typename F>
void AppendQuoted(std::string& out, F format) {
  out.push_back('"');
  format();
  out.push_back('"');
}

}  // namespace

void JsonlRowFormatter::AppendValue(const Column& col, size_t row, std::string& out) const {
  if (col.IsUnchanged(row)) {
    // A value the change did not send (core/column.h): Debezium's placeholder for it, which
    // consumers of such events already recognize.
    out.append("\"__debezium_unavailable_value\"");
    return;
  }
  if (col.IsNull(row)) {
    out.append("null");
    return;
  }
  switch (col.id()) {
    case TypeId::kNull:
      out.append("null");
      return;
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      FormatValue(col, row, out);
      return;
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      AppendJsonNumber(col.GetDouble(row), col.id() == TypeId::kFloat32, out);
      return;
    case TypeId::kDecimal:
      if (format_.decimal_as_number) {
        out.append(col.GetView(row));
      } else {
        AppendQuoted(out, [&] { out.append(col.GetView(row)); });
      }
      return;
    case TypeId::kString:
      AppendJsonString(col.GetView(row), out);
      return;
    case TypeId::kBytes:
      AppendQuoted(out, [&] { EncodeBytes(col.GetView(row), format_.bytes, out); });
      return;
    case TypeId::kJson: {
      const std::string_view text = col.GetView(row);
      out.append(text.empty() ? std::string_view("null") : text);
      return;
    }
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kUuid:
      AppendQuoted(out, [&] { FormatValue(col, row, out); });
      return;
  }
}

void JsonlRowFormatter::AppendRow(const Batch& batch, size_t row, std::string& out) const {
  const size_t ncols = batch.columns.size();
  if (ncols == 0) out.push_back('{');
  for (size_t c = 0; c < ncols; ++c) {
    out.append(prefixes_[c]);
    AppendValue(batch.columns[c], row, out);
  }
  out.push_back('}');
}

void JsonlRowFormatter::AppendRows(const Batch& batch, std::string& out) {
  const size_t rows = batch.num_rows();
  for (size_t r = 0; r < rows; ++r) {
    AppendRow(batch, r, out);
    out.push_back('\n');
  }
}

}  // namespace sluice
