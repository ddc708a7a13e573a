#include "connectors/csv/csv_format.h"

#include "connectors/file_common/file_options.h"

namespace sluice {

std::vector<OptionSpec> CsvFormatSpecs() {
  return {
      OptionSpec{"header", OptionKind::kBool, false, "true",
                 "whether the first line of each file holds the column names"},
      OptionSpec{"delimiter", OptionKind::kString, false, ",",
                 "the field separator, one character (\\t or tab for a tab)"},
      OptionSpec{"quote", OptionKind::kString, false, "\"",
                 "the quote character; a quote inside a quoted field is doubled"},
      OptionSpec{"null_marker", OptionKind::kString, false, "",
                 "unquoted text meaning NULL (e.g. \\N); by default an empty unquoted field is "
                 "NULL and a quoted empty field \"\" is an empty string"},
      BytesEncodingSpec(),
  };
}

Result<CsvFormat> CsvFormat::FromOptions(const Options& options) {
  CsvFormat f;
  SLUICE_ASSIGN_OR_RETURN(f.header, options.GetBool("header", true));
  SLUICE_ASSIGN_OR_RETURN(f.delimiter, SingleCharOption(options, "delimiter", ','));
  SLUICE_ASSIGN_OR_RETURN(f.quote, SingleCharOption(options, "quote", '"'));
  if (f.quote == f.delimiter) {
    return Err(options.ErrorAt("quote", "the quote character must differ from the delimiter"));
  }
  f.null_marker = options.GetString("null_marker", "");
  if (f.null_marker.find_first_of(std::string{f.delimiter, f.quote, '\n', '\r'}) !=
      std::string::npos) {
    return Err(options.ErrorAt("null_marker",
                               "must not contain the delimiter, the quote or a line break"));
  }
  auto bytes = ParseBytesEncoding(options.GetString("bytes_encoding", "base64"));
  if (!bytes) return Err(options.ErrorAt("bytes_encoding", bytes.error().message()));
  f.bytes = *bytes;
  return f;
}

}  // namespace sluice
