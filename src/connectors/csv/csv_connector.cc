#include "connectors/csv/csv_connector.h"

#include "connectors/csv/csv_format.h"
#include "connectors/csv/csv_sink.h"
#include "connectors/csv/csv_source.h"
#include "connectors/file_common/file_options.h"

namespace sluice {

ConnectorInfo MakeCsvConnectorInfo() {
  ConnectorInfo info;
  info.name = "csv";
  info.description =
      "CSV files (RFC 4180): read a file, a directory or a glob in parallel, one split per "
      "file; write one file atomically (overwrite) or by appending, exactly once";
  info.capabilities.batch_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.batch_write = true;
  info.capabilities.write_modes = {WriteMode::kAppend, WriteMode::kOverwrite};

  info.source_options.push_back(SourcePathSpec("in/*.csv"));
  for (OptionSpec& spec : CsvFormatSpecs()) info.source_options.push_back(std::move(spec));
  info.source_options.push_back(
      SchemaSpec("every column is a string, named by the header (or c1, c2, ... without one); "
                 "with a header, columns it leaves out stay strings"));
  info.source_options.push_back(OptionSpec{"encoding", OptionKind::kString, false, "utf-8",
                                           "the files' character encoding; only utf-8 (a "
                                           "byte order mark is skipped)"});

  info.target_options.push_back(TargetPathSpec("out/orders_${bizdate}.csv"));
  for (OptionSpec& spec : CsvFormatSpecs()) info.target_options.push_back(std::move(spec));

  info.make_source = CsvSource::Make;
  info.make_sink = CsvSink::Make;
  info.target_name_option = "path";
  info.template_value = FileNameValue;
  info.case_sensitive_names = [](const Options&, const ConnectorContext&) -> Result<bool> {
    return true;  // POSIX file names
  };
  return info;
}

}  // namespace sluice
