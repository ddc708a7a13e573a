#include "connectors/jsonl/jsonl_source.h"

#include <algorithm>

#include <fmt/format.h>

#include "connectors/file_common/file_list.h"
#include "connectors/file_common/file_options.h"
#include "connectors/file_common/line_reader.h"
#include "connectors/jsonl/json_row_decoder.h"
#include "connectors/jsonl/json_schema_inference.h"

namespace sluice {

namespace {

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

class JsonlSplitReader : public SplitReader {
 public:
  JsonlSplitReader(std::shared_ptr<const JsonlReadPlan> plan, std::string file)
      : plan_(std::move(plan)),
        file_(std::move(file)),
        decoder_(plan_->output, plan_->bytes, plan_->zone) {}

  Result<bool> Next(Batch& batch, RejectSink& rejects) override {
    if (!opened_) {
      SLUICE_RETURN_IF_ERROR(lines_.Open(file_));
      opened_ = true;
    }
    keep_.clear();
    bool any_rejected = false;
    size_t rows = 0;
    bool more = true;
    while (!plan_->limits.Full(rows, batch)) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string_view> line, lines_.Next());
      if (!line) {
        more = false;
        break;
      }
      if (IsBlank(*line)) continue;
      bool appended = false;
      Status st = decoder_.Decode(*line, batch, appended);
      if (appended) {
        keep_.push_back(st.ok() ? 1 : 0);
        ++rows;
      }
      if (!st.ok()) {
        any_rejected |= appended;
        SLUICE_RETURN_IF_ERROR(rejecter_.Reject(
            rejects, *line, fmt::format("{}:{}: {}", file_, lines_.line_number(), st.message())));
      }
    }
    if (any_rejected) batch.Filter(keep_);
    if (batch.columns.empty()) {
      batch.row_count_without_columns +=
          static_cast<size_t>(std::count(keep_.begin(), keep_.end(), 1));
    }
    return more;
  }

 private:
  std::shared_ptr<const JsonlReadPlan> plan_;
  std::string file_;
  LineReader lines_;
  JsonRowDecoder decoder_;
  RawRecordRejecter rejecter_;
  bool opened_ = false;
  std::vector<uint8_t> keep_;
};

}  // namespace

Result<std::unique_ptr<Source>> JsonlSource::Make(const Options& options,
                                                  const ConnectorContext& context) {
  auto plan = std::make_shared<JsonlReadPlan>();
  plan->zone = context.zone;
  auto bytes = ParseBytesEncoding(options.GetString("bytes_encoding", "base64"));
  if (!bytes) return Err(options.ErrorAt("bytes_encoding", bytes.error().message()));
  plan->bytes = *bytes;
  SLUICE_ASSIGN_OR_RETURN(Schema declared, SchemaOption(options, "schema"));
  SLUICE_ASSIGN_OR_RETURN(int64_t infer_rows, options.GetInt("infer_rows", 1000));
  if (infer_rows < 1) return Err(options.ErrorAt("infer_rows", "must be at least 1"));
  const std::string path = options.GetString("path");
  if (path.empty()) return Err(options.ErrorAt("path", "a path is required"));
  return std::unique_ptr<Source>(
      new JsonlSource(path, std::move(declared), infer_rows, std::move(plan)));
}

Result<Schema> JsonlSource::InferSchema() const {
  JsonSchemaInference inference;
  int64_t sampled = 0;
  for (const std::string& file : files_) {
    LineReader lines;
    SLUICE_RETURN_IF_ERROR(lines.Open(file));
    while (sampled < infer_rows_) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string_view> line, lines.Next());
      if (!line) break;
      if (IsBlank(*line)) continue;
      inference.Add(*line);
      ++sampled;
    }
    if (sampled >= infer_rows_) break;
  }
  Schema schema = inference.Result();
  if (schema.fields.empty()) {
    return Err(Status::Invalid(
        "cannot infer columns from {}: no JSON object with keys in the first {} lines; give "
        "the columns with the `schema` option",
        path_, infer_rows_));
  }
  return schema;
}

Status JsonlSource::Open(const ReadRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckFileReadRequest("jsonl", request));
  SLUICE_ASSIGN_OR_RETURN(files_, ListInputFiles(path_));
  Schema all = declared_;
  if (all.fields.empty()) {
    SLUICE_ASSIGN_OR_RETURN(all, InferSchema());
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<size_t> selected, SelectColumns(all, request.columns, path_));
  plan_->output.fields.clear();
  for (size_t index : selected) plan_->output.fields.push_back(all.fields[index]);
  plan_->limits = request.limits();
  return Status::OK();
}

Result<std::optional<std::string>> JsonlSource::MaxValue(const std::string& column) {
  return Err(
      Status::Invalid("jsonl source does not support incremental reads (column '{}')", column));
}

Result<std::vector<Split>> JsonlSource::PlanSplits() {
  std::vector<Split> splits;
  for (size_t i = 0; i < files_.size(); ++i) {
    splits.push_back(Split{static_cast<int>(i), files_[i], files_[i], std::nullopt});
  }
  return splits;
}

Result<std::unique_ptr<SplitReader>> JsonlSource::OpenSplit(const Split& split) {
  return std::unique_ptr<SplitReader>(new JsonlSplitReader(plan_, split.payload));
}

}  // namespace sluice
