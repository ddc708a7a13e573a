// CsvSink: writes rows as one CSV file, in append or overwrite mode, exactly once.
//
// Durability and recovery are FileTarget's (file_common/file_target.h): overwrite writes a temp
// file renamed over the target at Commit(); append remembers the file's size and cuts back to
// it when a run is aborted or was not confirmed. One writer; values are formatted with
// value_text.h and quoted only when needed, NULL as the null marker (default: nothing) and the
// empty string as "" so the two stay distinct.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "connectors/csv/csv_format.h"
#include "connectors/file_common/file_sink.h"
#include "connectors/file_common/file_target.h"
#include "core/connector_registry.h"
#include "core/sink.h"

namespace sluice {

class CsvSink : public FileSink {
 public:
  static Result<std::unique_ptr<Sink>> Make(const Options& options,
                                            const ConnectorContext& context);

  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;

 private:
  CsvSink(std::string path, CsvFormat format) : FileSink("csv", std::move(path)), format_(format) {}
  void StartFile(FileTarget& target) override;

  CsvFormat format_;
};

// Formats rows as CSV text; separate from the sink so it can be tested and measured alone.
class CsvRowFormatter {
 public:
  CsvRowFormatter(const CsvFormat& format, const Schema& schema);
  void AppendHeader(std::string& out);
  void AppendRows(const Batch& batch, std::string& out);
  // Appends `v` quoted if it has a delimiter, quote, CR or LF, a leading or trailing space,
  // or equals the null marker (the empty string, by default).
  void AppendText(std::string_view v, std::string& out) const;

 private:
  enum class Kind { kInt, kUInt, kFloat32, kFloat64, kBool, kText, kBytes, kOther };
  // Longest text of a fixed-width value (a timestamp), quoted with every character doubled.
  static constexpr size_t kMaxFixedText = 96;
  char* WriteText(std::string_view v, char* p) const;
  char* WriteValue(const Column& col, size_t row, size_t index, char* p);

  CsvFormat format_;
  Schema schema_;
  std::vector<Kind> kinds_;
  // Whether a column's formatted values can never need quotes (their characters exclude the
  // delimiter and quote, and the null marker is not one of them), so they skip the scan.
  std::vector<uint8_t> direct_;
  std::array<bool, 256> special_{};
  std::string scratch_;
};

}  // namespace sluice
