// CsvSource: reads CSV files (one file, a directory or a glob) as typed rows.
//
// Lifecycle (core/source.h): Make() on the main thread checks the options; Open() lists the
// files, reads the first file's header (or first record) to learn the columns, applies the
// `schema` option's types and the request's column selection; PlanSplits() returns one split
// per file; each CsvSplitReader streams its file through a 1 MiB buffer on one worker thread.
// Each file's own header is matched by name, so files may order their columns differently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/csv/csv_format.h"
#include "core/connector_registry.h"
#include "core/source.h"
#include "core/time_zone.h"

namespace sluice {

// What every split reader of one read shares; immutable after Open().
struct CsvReadPlan {
  CsvFormat format;
  TimeZone zone;
  Schema file_schema;  // every column of a file: header names (or c1..cN) with their types
  Schema output;       // the columns read, in request order
  std::vector<size_t> selected;  // output column j is file_schema column selected[j]
  BatchLimits limits;
  size_t read_chunk_bytes = 1 << 20;  // tests shrink it to put record boundaries everywhere
};

class CsvSource : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const Options& options,
                                              const ConnectorContext& context);

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return plan_->output; }
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override { return "csv:" + path_; }

 private:
  CsvSource(std::string path, Schema declared, std::shared_ptr<CsvReadPlan> plan)
      : path_(std::move(path)), declared_(std::move(declared)), plan_(std::move(plan)) {}
  Status ResolveFileSchema();

  std::string path_;
  Schema declared_;  // the `schema` option
  std::shared_ptr<CsvReadPlan> plan_;
  std::vector<std::string> files_;
};

}  // namespace sluice
