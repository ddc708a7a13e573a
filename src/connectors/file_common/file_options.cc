#include "connectors/file_common/file_options.h"

#include <fmt/format.h>

namespace sluice {

OptionSpec SourcePathSpec(std::string_view example) {
  return OptionSpec{"path", OptionKind::kString, true, "",
                    fmt::format("a file, a directory (its files, sorted by name) or a glob "
                                "pattern such as {}; one split per file",
                                example)};
}

OptionSpec TargetPathSpec(std::string_view example) {
  return OptionSpec{
      "path", OptionKind::kString, true, "",
      fmt::format("the file to write, e.g. {}; parent directories are created", example)};
}

OptionSpec BytesEncodingSpec() {
  return OptionSpec{"bytes_encoding", OptionKind::kString, false, "base64",
                    "how bytes columns are written as text: base64 or hex"};
}

OptionSpec SchemaSpec(std::string_view without_it) {
  return OptionSpec{"schema", OptionKind::kStringMap, false, "",
                    fmt::format("column name -> type (int64, decimal(10,2), timestamp, ...); "
                                "without it {}",
                                without_it)};
}

Result<std::string> FileNameValue(std::string_view name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return Err(
        Status::Invalid("'{}' cannot be filled into a file path: it is not one file name", name));
  }
  return std::string(name);
}

Result<char> SingleCharOption(const Options& options, const std::string& key, char fallback) {
  if (!options.Has(key)) return fallback;
  const std::string value = options.GetString(key);
  if (value == "\\t" || value == "tab") return '\t';
  if (value.size() != 1 || value[0] == '\n' || value[0] == '\r') {
    return Err(
        options.ErrorAt(key, fmt::format("expected a single character (or \\t), got '{}'", value)));
  }
  return value[0];
}

Result<Schema> SchemaOption(const Options& options, const std::string& key) {
  Schema schema;
  for (const auto& [name, type_name] : options.GetMap(key)) {
    std::optional<DataType> type = ParseTypeName(type_name);
    if (!type || type->id == TypeId::kNull) {
      return Err(options.ErrorAt(
          key, fmt::format("column '{}': unknown type '{}' (expected e.g. int64, float64, "
                           "decimal(10,2), string, bytes, bool, date, timestamp, timestamptz, "
                           "json, uuid)",
                           name, type_name)));
    }
    if (schema.IndexOf(name) && schema.fields[*schema.IndexOf(name)].name == name) {
      return Err(options.ErrorAt(key, fmt::format("column '{}' is listed twice", name)));
    }
    schema.fields.push_back(Field{name, *type, true});
  }
  return schema;
}

Status CheckFileReadRequest(const char* connector, const ReadRequest& request) {
  if (!request.where.empty()) {
    return Status::Invalid("{} source does not support 'where'; use a filter transform", connector);
  }
  if (request.incremental) {
    return Status::Invalid(
        "{} source does not support incremental reads; read the files of one period with a "
        "path such as in/${{bizdate}}/*",
        connector);
  }
  if (!request.split_key.empty()) {
    return Status::Invalid("{} source does not support 'split_key'; it reads one split per file",
                           connector);
  }
  return Status::OK();
}

Result<std::vector<size_t>> SelectColumns(const Schema& available,
                                          const std::vector<std::string>& requested,
                                          const std::string& what) {
  std::vector<size_t> out;
  if (requested.empty()) {
    for (size_t i = 0; i < available.size(); ++i) out.push_back(i);
    return out;
  }
  for (const std::string& name : requested) {
    std::optional<size_t> index = available.IndexOf(name);
    if (!index) {
      return Err(Status::NotFound("column '{}' not found in {} (columns: {})", name, what,
                                  fmt::join(available.Names(), ", ")));
    }
    out.push_back(*index);
  }
  return out;
}

RawRecordRejecter::RawRecordRejecter() {
  schema_.fields.push_back(Field{"record", DataType::Of(TypeId::kString), true});
  batch_ = Batch(schema_);
}

Status RawRecordRejecter::Reject(RejectSink& rejects, std::string_view raw,
                                 std::string_view reason) {
  batch_.Clear();
  batch_.columns[0].AppendBytes(raw);
  return rejects.Reject(schema_, batch_, 0, "source", reason);
}

}  // namespace sluice
