// The datagen source: rows 1..N (or endless) made on the fly, as a batch read split by id range
// or as a stream (`mode: realtime`) whose position is the last id made, at an optional rate.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/connector_registry.h"
#include "core/source.h"
#include "core/stream_source.h"

namespace sluice::datagen {

struct DatagenConfig {
  int64_t rows = 0;             // how many; 0 = endless (streams only)
  int64_t rows_per_second = 0;  // 0 = as fast as they are taken
  std::string stream = "datagen";
  int64_t transaction_rows = 1;  // streams: rows per source transaction
};

Result<DatagenConfig> ParseConfig(const Options& options, bool streaming);

class DatagenSource final : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const Options& options, const ConnectorContext&);
  explicit DatagenSource(DatagenConfig config) : config_(config) {}
  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return schema_; }
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  Result<std::optional<int64_t>> EstimateRows() override { return std::optional(config_.rows); }
  std::vector<std::string> PrimaryKey() const override { return {"id"}; }
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override;

 private:
  DatagenConfig config_;
  ReadRequest request_;
  Schema schema_;
};

class DatagenStream final : public StreamSource {
 public:
  static Result<std::unique_ptr<StreamSource>> Make(const Options& options,
                                                    const ConnectorContext&);
  explicit DatagenStream(DatagenConfig config) : config_(config) {}
  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return schema_; }
  Status Start(const std::vector<StreamPosition>& resume_from, bool catch_up) override;
  Result<bool> Next(Batch& batch, RejectSink& rejects) override;
  std::vector<StreamPosition> Positions() const override;
  bool InTransaction() const override;
  std::string Describe() const override;

 private:
  // The last id that ends a source transaction (all of them without transaction_rows).
  int64_t LastTransactionEnd() const;

  DatagenConfig config_;
  BatchLimits limits_;
  Schema schema_;
  int64_t last_ = 0;       // the last id made
  int64_t end_ = 0;        // the last id to make; 0 = endless
  bool catch_up_ = false;  // end once end_ is made, rather than idle
  int64_t started_at_ = 0;
  std::chrono::steady_clock::time_point clock_start_;
};

}  // namespace sluice::datagen
