#include "config/settings_section.h"

#include <cstdint>

#include <fmt/format.h>

#include "config/option_validator.h"
#include "core/batch.h"
#include "core/quantity_text.h"
#include "core/value_text.h"

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

// "off" and "0" turn a bound off (0); anything else is parsed by `parse` (quantity_text.h),
// whose message names the bad text; the key and its place in the file are added here.
bool IsOff(const std::string& text) {
  return text == "off" || text == "0";
}

Result<int64_t> Quantity(const Options& options, const std::string& key, int64_t fallback,
                         bool may_be_off, Result<int64_t> (*parse)(std::string_view)) {
  const OptionValue* value = options.Find(key);
  if (value == nullptr) return fallback;
  if (may_be_off && IsOff(value->scalar)) return 0;
  Result<int64_t> parsed = parse(value->scalar);
  if (!parsed) return Err(options.ErrorAt(key, parsed.error().message()));
  return *parsed;
}

Result<int64_t> Count(const Options& options, const std::string& key) {
  const OptionValue* value = options.Find(key);
  if (value == nullptr || IsOff(value->scalar)) return 0;
  SLUICE_ASSIGN_OR_RETURN(int64_t n, options.GetInt(key, 0));
  if (n < 0) {
    return Err(options.ErrorAt(key, fmt::format("expected a count above 0 or off, got '{}'", n)));
  }
  return n;
}

// settings.checkpoint: `1s` (the interval) or {interval, rows, bytes}. Bounds left out keep
// their defaults (1s, rows and bytes off); a run that never ends needs at least one.
Status ParseCheckpoint(const Options& settings, SettingsSpec& s) {
  if (!settings.Has("checkpoint")) return Status::OK();
  const Options checkpoint = settings.GetObject("checkpoint");
  SLUICE_ASSIGN_OR_RETURN(s.checkpoint_interval_ms,
                          Quantity(checkpoint, "interval", s.checkpoint_interval_ms,
                                   /*may_be_off=*/true, ParseDurationMillis));
  SLUICE_ASSIGN_OR_RETURN(s.checkpoint_rows, Count(checkpoint, "rows"));
  SLUICE_ASSIGN_OR_RETURN(s.checkpoint_bytes, Quantity(checkpoint, "bytes", 0,
                                                       /*may_be_off=*/true, ParseByteSize));
  if (s.checkpoint_interval_ms == 0 && s.checkpoint_rows == 0 && s.checkpoint_bytes == 0) {
    return settings.ErrorAt("checkpoint",
                            "every bound is off, so no checkpoint would ever be committed; keep "
                            "at least one of interval, rows or bytes");
  }
  return Status::OK();
}

// settings.reconnect: `10` (the attempts), `off`, or {attempts, max_wait}.
Status ParseReconnect(const Options& settings, SettingsSpec& s) {
  if (!settings.Has("reconnect")) return Status::OK();
  const Options reconnect = settings.GetObject("reconnect");
  if (reconnect.Has("attempts")) {
    SLUICE_ASSIGN_OR_RETURN(int64_t attempts, Count(reconnect, "attempts"));
    if (attempts > 1'000'000) {
      return reconnect.ErrorAt("attempts",
                               fmt::format("expected 0 (off) up to 1000000, got '{}'", attempts));
    }
    s.reconnect_attempts = static_cast<int>(attempts);
  }
  SLUICE_ASSIGN_OR_RETURN(s.reconnect_max_wait_ms,
                          Quantity(reconnect, "max_wait", s.reconnect_max_wait_ms,
                                   /*may_be_off=*/false, ParseDurationMillis));
  if (s.reconnect_max_wait_ms < 1000) {
    return reconnect.ErrorAt("max_wait",
                             fmt::format("expected at least 1s (the first wait), got '{}'",
                                         reconnect.Find("max_wait")->scalar));
  }
  return Status::OK();
}

// Plain integers are seconds (the setting's first form); durations are accepted too.
Result<int64_t> StallSeconds(const Options& options) {
  const OptionValue* value = options.Find("stall_timeout");
  if (value == nullptr) return 60;
  int64_t seconds = 0;
  if (ParseInt(value->scalar).has_value()) {
    seconds = *ParseInt(value->scalar);
  } else {
    SLUICE_ASSIGN_OR_RETURN(int64_t ms, Quantity(options, "stall_timeout", 60'000,
                                                 /*may_be_off=*/true, ParseDurationMillis));
    seconds = (ms + 999) / 1000;
  }
  if (seconds < 0 || seconds > 86400) {
    return Err(options.ErrorAt(
        "stall_timeout", fmt::format("expected 0 (wait forever) up to 86400 seconds (1d), got '{}'",
                                     value->scalar)));
  }
  return seconds;
}

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
  SLUICE_ASSIGN_OR_RETURN(s.error_window_ms,
                          Quantity(errors, "window", 0, /*may_be_off=*/true, ParseDurationMillis));

  s.dirty_records = options.GetString("dirty_records");
  s.time_zone = options.GetString("time_zone", "UTC");
  if (options.Has("state") && options.Has("state_path")) {
    return Err(options.ErrorAt("state_path",
                               "settings.state and settings.state_path are one setting (state_path "
                               "is its older name); keep only state"));
  }
  s.state_path = options.GetString("state", options.GetString("state_path"));

  SLUICE_ASSIGN_OR_RETURN(s.batch_bytes, Quantity(options, "batch_bytes", s.batch_bytes,
                                                  /*may_be_off=*/false, ParseByteSize));
  if (s.batch_bytes < kMinBatchBytes || s.batch_bytes > kMaxBatchBytes) {
    return Err(options.ErrorAt("batch_bytes", fmt::format("expected 1KiB up to 1GiB, got '{}'",
                                                          options.Find("batch_bytes")->scalar)));
  }
  SLUICE_RETURN_IF_ERROR(ParseCheckpoint(options, s));
  SLUICE_RETURN_IF_ERROR(ParseReconnect(options, s));
  SLUICE_ASSIGN_OR_RETURN(s.lease_timeout_ms, Quantity(options, "lease_timeout", s.lease_timeout_ms,
                                                       /*may_be_off=*/false, ParseDurationMillis));
  if (s.lease_timeout_ms < 1000) {
    return Err(options.ErrorAt(
        "lease_timeout",
        fmt::format("expected at least 1s (the lease is renewed every third of it), got '{}'",
                    options.Find("lease_timeout")->scalar)));
  }

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
  SLUICE_ASSIGN_OR_RETURN(int64_t stall, StallSeconds(options));
  s.stall_timeout_seconds = static_cast<int>(stall);
  return s;
}

}  // namespace sluice
