#include "connectors/csv/csv_source.h"

#include <fmt/format.h>

#include "connectors/csv/csv_split_reader.h"
#include "connectors/file_common/file_list.h"
#include "connectors/file_common/file_options.h"

namespace sluice {

Result<std::unique_ptr<Source>> CsvSource::Make(const Options& options,
                                                const ConnectorContext& context) {
  auto plan = std::make_shared<CsvReadPlan>();
  SLUICE_ASSIGN_OR_RETURN(plan->format, CsvFormat::FromOptions(options));
  plan->zone = context.zone;
  const std::string encoding = options.GetString("encoding", "utf-8");
  if (encoding != "utf-8" && encoding != "utf8" && encoding != "UTF-8") {
    return Err(options.ErrorAt("encoding", fmt::format("only utf-8 is supported, got '{}'; "
                                                       "convert the files first (e.g. iconv)",
                                                       encoding)));
  }
  SLUICE_ASSIGN_OR_RETURN(Schema declared, SchemaOption(options, "schema"));
  const std::string path = options.GetString("path");
  if (path.empty()) return Err(options.ErrorAt("path", "a path is required"));
  return std::unique_ptr<Source>(new CsvSource(path, std::move(declared), std::move(plan)));
}

// Learns the columns of the files from the first one and the `schema` option.
Status CsvSource::ResolveFileSchema() {
  Schema& file_schema = plan_->file_schema;
  file_schema.fields.clear();
  const std::string& first = files_.front();
  if (!plan_->format.header && !declared_.fields.empty()) {
    file_schema = declared_;  // without a header, the schema lists the fields in file order
    return Status::OK();
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> record,
                          CsvSplitReader::ReadFirstRecord(first, plan_->format));
  if (record.empty()) {
    if (declared_.fields.empty()) {
      return Status::Invalid(
          "{} is empty, so it names no columns; give the columns with the `schema` option", first);
    }
    file_schema = declared_;
    return Status::OK();
  }
  for (size_t i = 0; i < record.size(); ++i) {
    std::string name = plan_->format.header ? record[i] : fmt::format("c{}", i + 1);
    file_schema.fields.push_back(Field{std::move(name), DataType::Of(TypeId::kString), true});
  }
  // Typed columns from `schema`; header columns it does not mention stay strings.
  for (const Field& d : declared_.fields) {
    std::optional<size_t> index = file_schema.IndexOf(d.name);
    if (!index) {
      return Status::Invalid("schema column '{}' is not in the header of {} (columns: {})", d.name,
                             first, fmt::join(file_schema.Names(), ", "));
    }
    file_schema.fields[*index].type = d.type;
  }
  return Status::OK();
}

Status CsvSource::Open(const ReadRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckFileReadRequest("csv", request));
  SLUICE_ASSIGN_OR_RETURN(files_, ListInputFiles(path_));
  SLUICE_RETURN_IF_ERROR(ResolveFileSchema());
  SLUICE_ASSIGN_OR_RETURN(plan_->selected,
                          SelectColumns(plan_->file_schema, request.columns, files_.front()));
  plan_->output.fields.clear();
  for (size_t index : plan_->selected)
    plan_->output.fields.push_back(plan_->file_schema.fields[index]);
  plan_->limits = request.limits();
  return Status::OK();
}

Result<std::optional<std::string>> CsvSource::MaxValue(const std::string& column) {
  return Err(
      Status::Invalid("csv source does not support incremental reads (column '{}')", column));
}

Result<std::vector<Split>> CsvSource::PlanSplits() {
  std::vector<Split> splits;
  for (size_t i = 0; i < files_.size(); ++i) {
    splits.push_back(Split{static_cast<int>(i), files_[i], files_[i], std::nullopt});
  }
  return splits;
}

Result<std::unique_ptr<SplitReader>> CsvSource::OpenSplit(const Split& split) {
  return std::unique_ptr<SplitReader>(new CsvSplitReader(plan_, split.payload));
}

}  // namespace sluice
