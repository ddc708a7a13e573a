#include "connectors/jsonl/jsonl_sink.h"

#include <chrono>

namespace sluice {
namespace {

// One writer for both line formats: the choice is per batch in `auto`, since a realtime source
// may send plain appends (row kinds empty) and changes alike.
class JsonlWriter : public SinkWriter {
 public:
  JsonlWriter(FileTarget* target, JsonlRowFormatter rows, ChangeEventFormatter events,
              JsonlLineFormat lines, bool realtime)
      : target_(target),
        rows_(std::move(rows)),
        events_(std::move(events)),
        lines_(lines),
        realtime_(realtime) {}

  Status Write(const Batch& batch, RejectSink& /*rejects*/) override {
    if (AsEvents(batch)) {
      // A batch run has no changes, only the table as it was read: Debezium's "r".
      events_.AppendEvents(batch, NowMillis(), !realtime_, target_->buffer());
    } else {
      rows_.AppendRows(batch, target_->buffer());
    }
    return target_->FlushIfFull();
  }
  // Change events mark a value an update did not send with Debezium's placeholder; plain rows
  // have no way to say "unchanged".
  bool KeepsUnchangedCells() const override {
    return lines_ == JsonlLineFormat::kChanges || (lines_ == JsonlLineFormat::kAuto && realtime_);
  }
  // A change event of its own (Debezium's "t"); plain rows cannot say a table was emptied.
  Status Truncate(const Batch& batch) override {
    if (!realtime_ || lines_ == JsonlLineFormat::kRows) {
      return Status::Invalid("JSON lines of plain rows (format: rows) cannot say it");
    }
    events_.AppendTruncate(batch, NowMillis(), target_->buffer());
    return target_->FlushIfFull();
  }
  Status Finish() override { return target_->Flush(); }

 private:
  static int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool AsEvents(const Batch& batch) const {
    switch (lines_) {
      case JsonlLineFormat::kRows:
        return false;
      case JsonlLineFormat::kChanges:
        return true;
      case JsonlLineFormat::kAuto:
        return realtime_ && (!batch.row_kinds.empty() || batch.snapshot);
    }
    return false;
  }

  FileTarget* target_;  // owned by the sink, which outlives its writers
  JsonlRowFormatter rows_;
  ChangeEventFormatter events_;
  JsonlLineFormat lines_;
  bool realtime_;
};

Result<JsonlLineFormat> ParseLineFormat(const Options& options) {
  const std::string text = options.GetString("format", "auto");
  if (text == "auto") return JsonlLineFormat::kAuto;
  if (text == "rows") return JsonlLineFormat::kRows;
  if (text == "changes") return JsonlLineFormat::kChanges;
  return Err(options.ErrorAt("format", "expected auto, rows or changes, got '" + text + "'"));
}

}  // namespace

Result<std::unique_ptr<Sink>> JsonlSink::Make(const Options& options,
                                              const ConnectorContext& /*context*/) {
  JsonlWriteFormat format;
  auto bytes = ParseBytesEncoding(options.GetString("bytes_encoding", "base64"));
  if (!bytes) return Err(options.ErrorAt("bytes_encoding", bytes.error().message()));
  format.bytes = *bytes;
  const std::string decimal_as = options.GetString("decimal_as", "string");
  if (decimal_as != "string" && decimal_as != "number") {
    return Err(
        options.ErrorAt("decimal_as", "expected string or number, got '" + decimal_as + "'"));
  }
  format.decimal_as_number = decimal_as == "number";
  SLUICE_ASSIGN_OR_RETURN(JsonlLineFormat lines, ParseLineFormat(options));
  const std::string path = options.GetString("path");
  if (path.empty()) return Err(options.ErrorAt("path", "a path is required"));
  return std::unique_ptr<Sink>(new JsonlSink(path, format, lines));
}

Result<std::string> JsonlSink::Prepare(const WriteRequest& request) {
  realtime_ = request.realtime;
  source_ = ChangeEventSource{request.source_connector, request.key};
  return FileSink::Prepare(request);
}

Status JsonlSink::AddColumns(const WriteRequest& request,
                             const std::vector<std::string>& /*columns*/) {
  schema_ = request.schema;
  return Status::OK();
}

Result<std::unique_ptr<SinkWriter>> JsonlSink::OpenWriter() {
  if (!target_) return Err(Status::Internal("jsonl sink: OpenWriter before Prepare"));
  return std::unique_ptr<SinkWriter>(std::make_unique<JsonlWriter>(
      target_.get(), JsonlRowFormatter(format_, schema_),
      ChangeEventFormatter(format_, schema_, source_), lines_, realtime_));
}

}  // namespace sluice
