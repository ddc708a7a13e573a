// The settings of one PostgreSQL source or target, parsed from its job-file section.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/pg_copy_decoder.h"
#include "connectors/postgres/pg_table.h"
#include "core/options.h"
#include "core/status.h"

namespace sluice::postgres {

enum class CreateTable { kIfMissing, kNever };

// `partition: {column: ds, value: "20240101"}`: the target is LIST-partitioned on `column`
// and this run writes the partition holding `value`.
struct PartitionSpec {
  std::string column;
  std::string value;
};

struct PgConfig {
  std::string url;  // as written (with the password); never put in messages
  TableName table;
  std::string table_text;  // as written, for messages
  ConnTarget target;       // host, port, database, user: for messages
  // Source only.
  bool snapshot = false;
  // Set by the replication stream (not a job-file key): read inside this snapshot, exported
  // by CREATE_REPLICATION_SLOT, so the snapshot and the slot's first change meet exactly.
  std::string import_snapshot;
  // Set by the replication stream (`inherited_rows: leave_out`): reads `FROM ONLY` the table,
  // without the rows of tables that INHERIT from it, whose changes it does not stream.
  bool only_own_rows = false;
  bool unknown_as_text = false;
  SpecialValues special = SpecialValues::kError;
  // Into PostgreSQL, NaN and ±infinity are values like any other (kKeep); elsewhere `special`
  // decides. An explicit special_values: "null" still asks for NULL. Batch reader and stream.
  SpecialValues SpecialFor(std::string_view target_type) const {
    return special == SpecialValues::kError && target_type == "postgres" ? SpecialValues::kKeep
                                                                         : special;
  }
  // Target only.
  CreateTable create_table = CreateTable::kIfMissing;
  std::vector<std::string> pre_sql;
  std::vector<std::string> post_sql;
  std::optional<PartitionSpec> partition;
  size_t copy_buffer_bytes = 1 << 20;

  // "postgres:127.0.0.1:5432/shop/public.orders", for Describe() and messages.
  std::string Describe() const { return "postgres:" + target.Describe() + "/" + table_text; }
};

// The option specs of each side, for the connector record.
std::vector<OptionSpec> PgSourceSpecs();
std::vector<OptionSpec> PgTargetSpecs();

// Reads the connector's own keys. Errors point at the key in the job file.
Result<PgConfig> ParsePgConfig(const Options& options, bool target);

}  // namespace sluice::postgres
