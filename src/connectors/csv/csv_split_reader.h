// CsvSplitReader: turns one CSV file into batches; used by one worker thread.
//
// Records are parsed in place in the read buffer and each field is decoded straight into its
// column (strings are copied once, into the column). A record with the wrong number of fields
// or a value that does not fit its column type is rejected with "file:line" (the line where
// the record starts) and the column name; reading goes on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/csv/csv_parser.h"
#include "connectors/csv/csv_source.h"
#include "connectors/file_common/file_options.h"
#include "connectors/file_common/read_buffer.h"

namespace sluice {

class CsvSplitReader : public SplitReader {
 public:
  CsvSplitReader(std::shared_ptr<const CsvReadPlan> plan, std::string file);
  Result<bool> Next(Batch& batch, RejectSink& rejects) override;

  // Reads the first record of `file` (its header, or its first row), unescaped; an empty
  // file gives an empty vector.
  static Result<std::vector<std::string>> ReadFirstRecord(const std::string& file,
                                                          const CsvFormat& format);

 private:
  // How a column's field is decoded, decided once per column instead of once per value.
  enum class Decode { kText, kBytes, kParse };

  Status Start();
  Status MapHeader(const std::vector<CsvField>& header);
  // Appends the record to `batch`; on a bad value the row is filled with NULLs and the error
  // is returned (the caller drops the row).
  Status AppendRecord(Batch& batch, int64_t line);
  std::string_view FieldText(const CsvField& field);

  std::shared_ptr<const CsvReadPlan> plan_;
  std::string file_;
  ReadBuffer buffer_;
  CsvRecordParser parser_;
  RawRecordRejecter rejecter_;
  bool started_ = false;
  bool header_pending_ = false;
  int64_t line_ = 1;
  size_t expected_fields_ = 0;
  std::vector<size_t> field_of_column_;  // output column -> field index in this file
  std::vector<Decode> decode_;
  std::vector<uint8_t> keep_;  // per batch row; 0 = rejected, dropped at the end of Next()
  std::string scratch_;
};

}  // namespace sluice
