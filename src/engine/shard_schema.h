// Reconciling the schemas of the shards of one table (sharded batch jobs).
//
// Shards of one logical table drift: columns in another order, a column added to some shards
// only, an INT widened to BIGINT on half of them. The union schema has every column of every
// shard (the first shard's order, then columns only later shards have); a shard without a
// column reads NULL there; a column whose types differ gets the narrowest type that holds
// every shard's values exactly (WidenType). Types that no type holds exactly (a string and an
// integer, an instant and a wall-clock timestamp) are an error that names the column and both
// shards, before anything is written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"
#include "core/status.h"

namespace sluice {

// The narrowest type holding every value of `a` and of `b` exactly; nullopt when none does.
std::optional<DataType> WidenType(const DataType& a, const DataType& b);

struct ShardColumns {
  // For each column of the union schema, its index in this shard; -1 when the shard lacks it.
  std::vector<int> index;
};

struct SchemaUnion {
  Schema schema;
  std::vector<ShardColumns> shards;  // one per input schema
  // Human-readable reconciliation decisions ("amount: decimal(10,2) in shop_1.orders_1,
  // decimal(12,4) in shop_2.orders_3 -> decimal(12,4)"), for `sluice check` and the log.
  std::vector<std::string> notes;
};

// `names` label the shards in messages ("shop_1.orders_1"). Column names match exactly, then
// case-insensitively.
Result<SchemaUnion> UnionSchemas(const std::vector<Schema>& shards,
                                 const std::vector<std::string>& names);

}  // namespace sluice
