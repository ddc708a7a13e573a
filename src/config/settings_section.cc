#include "config/settings_section.h"

#include <cstdint>

#include <fmt/format.h>

#include "config/option_validator.h"

namespace sluice {

namespace {

// Reads integer `key` of `options` (already checked to be an integer) within [min, max];
// `note` explains a special value, e.g. " (0 = unlimited)".
Result<int64_t> IntInRange(const Options& options, const std::string& key, int64_t fallback,
                           int64_t min, int64_t max, std::string_view note = "") {
  SLUICE_ASSIGN_OR_RETURN(int64_t value, options.GetInt(key, fallback));
  if (value >= min && value <= max) return value;
  if (max == INT64_MAX) {
    return Err(options.ErrorAt(
        key, fmt::format("expected an integer of {} or more{}, got '{}'", min, note, value)));
  }
  return Err(options.ErrorAt(
      key, fmt::format("expected an integer from {} to {}, got '{}'", min, max, value)));
}

constexpr std::string_view kUnlimited = " (0 = unlimited)";

}  // namespace

Result<SettingsSpec> ParseSettings(const ParseContext& context, const YAML::Node& node,
                                   const SourceLocation& section_location) {
  SLUICE_ASSIGN_OR_RETURN(Options options, ValidateSection(context, node, SettingsOptions(),
                                                           "settings", section_location));
  SettingsSpec s;
  SLUICE_ASSIGN_OR_RETURN(int64_t parallelism, IntInRange(options, "parallelism", 1, 1, 256));
  s.parallelism = static_cast<int>(parallelism);
  SLUICE_ASSIGN_OR_RETURN(s.batch_rows, IntInRange(options, "batch_rows", 10000, 1, 1'000'000));
  SLUICE_ASSIGN_OR_RETURN(s.queue_batches, IntInRange(options, "queue_batches", 8, 1, 1024));

  const Options rate = options.GetObject("rate_limit");
  SLUICE_ASSIGN_OR_RETURN(s.rate_limit.rows_per_second,
                          IntInRange(rate, "rows_per_second", 0, 0, INT64_MAX, kUnlimited));
  SLUICE_ASSIGN_OR_RETURN(s.rate_limit.bytes_per_second,
                          IntInRange(rate, "bytes_per_second", 0, 0, INT64_MAX, kUnlimited));
  const Options errors = options.GetObject("error_limit");
  SLUICE_ASSIGN_OR_RETURN(s.error_limit_rows, IntInRange(errors, "rows", 0, 0, INT64_MAX));

  s.dirty_records = options.GetString("dirty_records");
  s.time_zone = options.GetString("time_zone", "UTC");
  s.state_path = options.GetString("state_path");

  const std::string sync = options.GetString("sync");
  if (sync.empty()) {
    s.sync = SyncMode::kDefault;
  } else if (sync == "full") {
    s.sync = SyncMode::kFull;
  } else if (sync == "incremental") {
    s.sync = SyncMode::kIncremental;
  } else if (sync == "full_then_incremental") {
    s.sync = SyncMode::kFullThenIncremental;
  } else {
    return Err(options.ErrorAt(
        "sync",
        fmt::format("expected full, incremental or full_then_incremental, got '{}'", sync)));
  }
  const std::string on_error = options.GetString("on_table_error", "continue");
  if (on_error != "continue" && on_error != "stop") {
    return Err(options.ErrorAt("on_table_error",
                               fmt::format("expected continue or stop, got '{}'", on_error)));
  }
  s.continue_on_table_error = on_error == "continue";
  SLUICE_ASSIGN_OR_RETURN(int64_t max_source,
                          IntInRange(options, "max_source_connections", 0, 0, 10000));
  SLUICE_ASSIGN_OR_RETURN(int64_t max_target,
                          IntInRange(options, "max_target_connections", 0, 0, 10000));
  s.max_source_connections = static_cast<int>(max_source);
  s.max_target_connections = static_cast<int>(max_target);
  SLUICE_ASSIGN_OR_RETURN(int64_t stall, IntInRange(options, "stall_timeout", 60, 0, 86400));
  s.stall_timeout_seconds = static_cast<int>(stall);
  return s;
}

}  // namespace sluice
