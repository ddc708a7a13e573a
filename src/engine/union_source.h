// UnionSource: several shard tables read as one table (sharded batch jobs), optionally with
// columns that record each row's source db and table.
//
// Open() opens every shard, reconciles their schemas (shard_schema.h) and re-opens the shards
// on the columns they have; PlanSplits() lists every shard's splits; each split's reader reads
// its shard and maps the rows onto the union schema (NULL for columns the shard lacks, exact
// widening conversions, the source columns as constants). Thread-safety as for any Source:
// OpenSplit() only reads what Open()/PlanSplits() fixed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/source.h"
#include "core/time_zone.h"
#include "engine/shard_schema.h"

namespace sluice {

struct ShardSource {
  std::unique_ptr<Source> source;
  std::string db;
  std::string table;
};

struct SourceColumnNames {
  std::string db;     // empty: not recorded
  std::string table;  // empty: not recorded
};

class UnionSource : public Source {
 public:
  // `in_order`: keep the splits in shard order with no size estimates, so that one reader
  // reads shard after shard (duplicate_keys: keep_last).
  UnionSource(std::vector<ShardSource> shards, SourceColumnNames source_columns, bool in_order,
              TimeZone zone)
      : shards_(std::move(shards)),
        source_columns_(std::move(source_columns)),
        in_order_(in_order),
        zone_(std::move(zone)) {}

  Status Open(const ReadRequest& request) override;
  const Schema& schema() const override { return union_.schema; }
  // The largest value over all shards.
  Result<std::optional<std::string>> MaxValue(const std::string& column) override;
  Result<std::optional<int64_t>> EstimateRows() override;
  Result<std::vector<Split>> PlanSplits() override;
  Result<std::unique_ptr<SplitReader>> OpenSplit(const Split& split) override;
  std::string Describe() const override;

  // What reconciliation decided (widened types, missing columns), for the plan and the log.
  const std::vector<std::string>& notes() const { return union_.notes; }

 private:
  std::vector<ShardSource> shards_;
  SourceColumnNames source_columns_;
  bool in_order_;
  TimeZone zone_;
  SchemaUnion union_;
  std::vector<std::pair<size_t, Split>> splits_;  // shard and its own split, by union index
};

}  // namespace sluice
