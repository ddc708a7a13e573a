// JsonlSink: writes rows as JSON lines, one object per row, in append or overwrite mode,
// exactly once (durability and recovery are FileTarget's, file_common/file_target.h).
//
// Values keep their JSON types where JSON has one: integers (uint64 included) and floats are
// numbers, booleans are booleans, json columns are embedded as JSON (not as strings), NULL is
// null. JSON has no NaN or infinities, so those become the strings "NaN", "Infinity" and
// "-Infinity" (which the jsonl source reads back into float columns). Decimals are strings by
// default so that readers parsing numbers as doubles lose no digits (decimal_as: number
// writes them as numbers). Dates, times, timestamps and uuids are their canonical text;
// bytes are base64 or hex strings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/file_common/file_sink.h"
#include "connectors/file_common/file_target.h"
#include "connectors/file_common/text_codec.h"
#include "core/connector_registry.h"
#include "core/sink.h"

namespace sluice {

struct JsonlWriteFormat {
  BytesEncoding bytes = BytesEncoding::kBase64;
  bool decimal_as_number = false;
};

// Formats rows as JSON lines; separate from the sink so it can be tested alone.
class JsonlRowFormatter {
 public:
  JsonlRowFormatter(const JsonlWriteFormat& format, const Schema& schema);
  void AppendRows(const Batch& batch, std::string& out);

 private:
  void AppendValue(const Column& col, size_t row, std::string& out) const;

  JsonlWriteFormat format_;
  std::vector<std::string> prefixes_;  // '{"name":' for the first column, ',"name":' after
};

class JsonlSink : public FileSink {
 public:
  static Result<std::unique_ptr<Sink>> Make(const Options& options,
                                            const ConnectorContext& context);

  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;

 private:
  JsonlSink(std::string path, JsonlWriteFormat format)
      : FileSink("jsonl", std::move(path)), format_(format) {}

  JsonlWriteFormat format_;
};

}  // namespace sluice
