// CsvFormat: the dialect options shared by the CSV source and sink.
#pragma once

#include <string>
#include <vector>

#include "connectors/file_common/text_codec.h"
#include "core/options.h"
#include "core/status.h"

namespace sluice {

struct CsvFormat {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  // The unquoted text that means NULL. The default, empty, follows PostgreSQL's CSV format:
  // an empty unquoted field is NULL and a quoted empty field ("") is the empty string.
  std::string null_marker;
  BytesEncoding bytes = BytesEncoding::kBase64;

  static Result<CsvFormat> FromOptions(const Options& options);
};

// Specs of header, delimiter, quote, null_marker and bytes_encoding.
std::vector<OptionSpec> CsvFormatSpecs();

}  // namespace sluice
