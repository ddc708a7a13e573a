#include "connectors/csv/csv_split_reader.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/value_text.h"

namespace sluice {

CsvSplitReader::CsvSplitReader(std::shared_ptr<const CsvReadPlan> plan, std::string file)
    : plan_(std::move(plan)),
      file_(std::move(file)),
      parser_(plan_->format.delimiter, plan_->format.quote) {}

Result<std::vector<std::string>> CsvSplitReader::ReadFirstRecord(const std::string& file,
                                                                 const CsvFormat& format) {
  ReadBuffer buffer;
  SLUICE_RETURN_IF_ERROR(buffer.Open(file));
  CsvRecordParser parser(format.delimiter, format.quote);
  while (true) {
    if (buffer.view().empty() && buffer.eof()) return std::vector<std::string>{};
    const auto r = buffer.view().empty() ? CsvRecordParser::Result::kNeedMore
                                         : parser.Parse(buffer.view(), buffer.eof());
    if (r == CsvRecordParser::Result::kNeedMore) {
      SLUICE_RETURN_IF_ERROR(buffer.Fill());
      continue;
    }
    if (r == CsvRecordParser::Result::kMalformed) {
      return Err(Status::DataError("{}:1: {}", file, parser.error()));
    }
    std::vector<std::string> out;
    for (const CsvField& f : parser.fields()) {
      out.emplace_back();
      AppendUnescaped(f, format.quote, out.back());
    }
    return out;
  }
}

Status CsvSplitReader::Start() {
  started_ = true;
  SLUICE_RETURN_IF_ERROR(buffer_.Open(file_, plan_->read_chunk_bytes));
  for (const Field& f : plan_->output.fields) {
    decode_.push_back(f.type.id == TypeId::kString || f.type.id == TypeId::kJson ? Decode::kText
                      : f.type.id == TypeId::kBytes                              ? Decode::kBytes
                                                                                 : Decode::kParse);
  }
  header_pending_ = plan_->format.header;
  if (!header_pending_) {
    field_of_column_ = plan_->selected;
    expected_fields_ = plan_->file_schema.size();
  }
  return Status::OK();
}

Status CsvSplitReader::MapHeader(const std::vector<CsvField>& header) {
  Schema names;
  for (const CsvField& f : header) {
    scratch_.clear();
    AppendUnescaped(f, plan_->format.quote, scratch_);
    names.fields.push_back(Field{scratch_, DataType::Of(TypeId::kString), true});
  }
  for (const Field& column : plan_->output.fields) {
    std::optional<size_t> index = names.IndexOf(column.name);
    if (!index) {
      return Status::NotFound("column '{}' is not in the header of {} (columns: {})", column.name,
                              file_, fmt::join(names.Names(), ", "));
    }
    field_of_column_.push_back(*index);
  }
  expected_fields_ = header.size();
  return Status::OK();
}

std::string_view CsvSplitReader::FieldText(const CsvField& field) {
  if (!field.has_escapes) return field.raw;
  scratch_.clear();
  AppendUnescaped(field, plan_->format.quote, scratch_);
  return scratch_;
}

Status CsvSplitReader::AppendRecord(Batch& batch, int64_t line) {
  const std::vector<CsvField>& fields = parser_.fields();
  const std::string& null_marker = plan_->format.null_marker;
  const size_t ncols = batch.columns.size();
  for (size_t j = 0; j < ncols; ++j) {
    const CsvField& f = fields[field_of_column_[j]];
    Column& col = batch.columns[j];
    if (!f.quoted && f.raw == null_marker) {
      col.AppendNull();
      continue;
    }
    Status st;
    switch (decode_[j]) {
      case Decode::kText:
        AppendUnescaped(f, plan_->format.quote, col.MutableData());
        col.CommitVar();
        continue;
      case Decode::kBytes: {
        std::string& data = col.MutableData();
        const size_t mark = data.size();
        st = DecodeBytes(FieldText(f), plan_->format.bytes, data);
        if (st.ok()) {
          col.CommitVar();
          continue;
        }
        data.resize(mark);
        break;
      }
      case Decode::kParse: {
        std::string_view text = FieldText(f);
        if (text.empty()) {  // no text form of a number or date is empty: read it as NULL
          col.AppendNull();
          continue;
        }
        st = ParseAndAppend(text, col, plan_->zone);
        if (st.ok()) continue;
        break;
      }
    }
    for (size_t k = j; k < ncols; ++k) batch.columns[k].AppendNull();
    return Status::DataError("{}:{}: column '{}': {}", file_, line, plan_->output.fields[j].name,
                             st.message());
  }
  return Status::OK();
}

Result<bool> CsvSplitReader::Next(Batch& batch, RejectSink& rejects) {
  if (!started_) SLUICE_RETURN_IF_ERROR(Start());
  keep_.clear();
  bool any_rejected = false;
  bool more = true;
  size_t rows = 0;
  while (!plan_->limits.Full(rows, batch)) {
    const std::string_view data = buffer_.view();
    if (data.empty() && buffer_.eof()) {
      more = false;
      break;
    }
    const auto r =
        data.empty() ? CsvRecordParser::Result::kNeedMore : parser_.Parse(data, buffer_.eof());
    if (r == CsvRecordParser::Result::kNeedMore) {
      SLUICE_RETURN_IF_ERROR(buffer_.Fill());
      continue;
    }
    const int64_t line = line_;
    line_ += parser_.lines();
    const std::string_view raw = data.substr(0, parser_.record_size());
    const std::vector<CsvField>& fields = parser_.fields();
    if (r == CsvRecordParser::Result::kMalformed) {
      SLUICE_RETURN_IF_ERROR(
          rejecter_.Reject(rejects, raw, fmt::format("{}:{}: {}", file_, line, parser_.error())));
    } else if (header_pending_) {
      header_pending_ = false;
      SLUICE_RETURN_IF_ERROR(MapHeader(fields));
    } else if (fields.size() == 1 && expected_fields_ != 1 && !fields[0].quoted &&
               fields[0].raw.empty()) {
      // A blank line. (In a one-column file it is a NULL, as the sink writes it.)
    } else if (fields.size() != expected_fields_) {
      SLUICE_RETURN_IF_ERROR(
          rejecter_.Reject(rejects, raw,
                           fmt::format("{}:{}: expected {} fields, found {}", file_, line,
                                       expected_fields_, fields.size())));
    } else {
      Status st = AppendRecord(batch, line);
      keep_.push_back(st.ok() ? 1 : 0);
      ++rows;
      if (!st.ok()) {
        any_rejected = true;
        SLUICE_RETURN_IF_ERROR(rejecter_.Reject(rejects, raw, st.message()));
      }
    }
    buffer_.Consume(parser_.consumed());
  }
  if (any_rejected) batch.Filter(keep_);
  if (batch.columns.empty()) {  // no column selected: still report how many rows there were
    batch.row_count_without_columns +=
        static_cast<size_t>(std::count(keep_.begin(), keep_.end(), 1));
  }
  return more;
}

}  // namespace sluice
