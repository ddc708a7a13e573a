#include "connectors/jsonl/jsonl_connector.h"

#include "connectors/file_common/file_options.h"
#include "connectors/jsonl/jsonl_sink.h"
#include "connectors/jsonl/jsonl_source.h"

namespace sluice {

ConnectorInfo MakeJsonlConnectorInfo() {
  ConnectorInfo info;
  info.name = "jsonl";
  info.description =
      "JSON lines files (one object per line): read a file, a directory or a glob in parallel, "
      "one split per file, with inferred or declared types; write one file atomically "
      "(overwrite) or by appending, exactly once";
  info.capabilities.batch_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.batch_write = true;
  info.capabilities.write_modes = {WriteMode::kAppend, WriteMode::kOverwrite};

  info.source_options = {
      SourcePathSpec("in/*.jsonl"),
      SchemaSpec("columns and types are inferred from the first infer_rows lines (integers, "
                 "floats, booleans, strings; objects and arrays as json)"),
      OptionSpec{"infer_rows", OptionKind::kInt, false, "1000",
                 "how many lines to sample when inferring the schema"},
      BytesEncodingSpec(),
  };
  info.target_options = {
      TargetPathSpec("out/orders_${bizdate}.jsonl"),
      BytesEncodingSpec(),
      OptionSpec{"decimal_as", OptionKind::kString, false, "string",
                 "write decimals as JSON strings (exact for every reader) or as numbers"},
      OptionSpec{"format", OptionKind::kString, false, "auto",
                 "what a line is: rows (one object per row), changes (one Debezium-style event "
                 "per change: op, before, after, source, ts_ms), or auto: changes for the "
                 "change rows of a realtime job, rows otherwise"},
  };
  info.make_source = JsonlSource::Make;
  info.make_sink = JsonlSink::Make;
  info.target_name_option = "path";
  info.template_value = FileNameValue;
  info.case_sensitive_names = [](const Options&, const ConnectorContext&) -> Result<bool> {
    return true;  // POSIX file names
  };
  return info;
}

}  // namespace sluice
