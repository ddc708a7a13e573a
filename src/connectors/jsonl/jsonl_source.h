// JsonlSource: reads JSON-lines files (one JSON object per line) as typed rows.
//
// Lifecycle (core/source.h): Make() checks the options; Open() lists the files and takes the
// columns from the `schema` option or infers them from the first `infer_rows` lines; one split
// per file, each read by a JsonlSplitReader on one worker thread through a 1 MiB buffer.
// Blank lines are skipped; a line that is not a JSON object, or whose value does not fit its
// column, is rejected with "file:line" and the reason.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/file_common/text_codec.h"
#include "core/connector_registry.h"
#include "core/source.h"

namespace sluice {

struct JsonlReadPlan {
  Schema output;  // the columns read, in request order
  BytesEncoding bytes = BytesEncoding::kBase64;
  TimeZone zone;
  BatchLimits limits;
};

class JsonlSource : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const Options& options,
                                              const ConnectorContext& context);

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return plan_->output; }
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return "jsonl:" + path_; }

 private:
  JsonlSource(std::string path, Schema declared, int64_t infer_rows,
              std::shared_ptr<JsonlReadPlan> plan)
      : path_(std::move(path)),
        declared_(std::move(declared)),
        infer_rows_(infer_rows),
        plan_(std::move(plan)) {}
  Result<Schema> InferSchema() const;

  std::string path_;
  Schema declared_;
  int64_t infer_rows_;
  std::shared_ptr<JsonlReadPlan> plan_;
  std::vector<std::string> files_;
};

}  // namespace sluice
