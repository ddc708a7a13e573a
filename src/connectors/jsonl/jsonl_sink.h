// JsonlSink: writes rows as JSON lines, one object per row, in append or overwrite mode,
// exactly once (durability and recovery are FileTarget's, file_common/file_target.h). Values are
// encoded by JsonlRowFormatter (jsonl_row_formatter.h).
//
// `format` chooses what a line is: `rows` (one object per row image), `changes` (one
// Debezium-style event per change, change_event_formatter.h), or `auto`, the default: events for
// the change rows of a realtime run (batches with row kinds, or snapshot reads), plain rows for
// everything else (batch runs, realtime sources that only append, such as datagen).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/file_common/file_sink.h"
#include "connectors/file_common/file_target.h"
#include "connectors/jsonl/change_event_formatter.h"
#include "connectors/jsonl/jsonl_row_formatter.h"
#include "core/connector_registry.h"
#include "core/sink.h"

namespace sluice {

enum class JsonlLineFormat { kAuto, kRows, kChanges };

class JsonlSink : public FileSink {
 public:
  static Result<std::unique_ptr<Sink>> Make(const Options& options,
                                            const ConnectorContext& context);

  // Learns whether the run is realtime and which connector it reads (WriteRequest).
  Result<std::string> Prepare(const WriteRequest& request) override;
  Result<std::unique_ptr<SinkWriter>> OpenWriter() override;
  // A line is an object of its row's fields: writers opened after this carry the new fields.
  Status AddColumns(const WriteRequest& request, const std::vector<std::string>& columns) override;

 private:
  JsonlSink(std::string path, JsonlWriteFormat format, JsonlLineFormat lines)
      : FileSink("jsonl", std::move(path)), format_(format), lines_(lines) {}

  JsonlWriteFormat format_;
  JsonlLineFormat lines_;
  bool realtime_ = false;
  ChangeEventSource source_;
};

}  // namespace sluice
