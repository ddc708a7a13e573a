#include "connectors/mysql/binlog_stream/startup_option.h"

#include <fmt/format.h>

#include <regex>

#include "connectors/mysql/binlog_stream/binlog_position.h"
#include "core/value_text.h"

namespace sluice::mysql::binlog_stream {
namespace {

constexpr const char* kForms =
    "initial, latest, {binlog: \"file:offset\"}, {gtid: \"0-1-1234\"} or "
    "{timestamp: \"2026-12-01 00:00:00\"}";

Result<StartupOption> FromWord(const Options& options, const std::string& word) {
  if (word.empty() || word == "initial") return StartupOption{Startup::kInitial, "", 0};
  if (word == "latest") return StartupOption{Startup::kLatest, "", 0};
  return Err(
      options.ErrorAt("startup", fmt::format("'{}' is not a startup; use {}", word, kForms)));
}

// MariaDB GTIDs: domain-server-sequence, several (one per domain) separated by commas.
bool IsMariaGtidList(const std::string& text) {
  static const std::regex kList(R"(\d+-\d+-\d+(\s*,\s*\d+-\d+-\d+)*)");
  return std::regex_match(text, kList);
}

}  // namespace

Result<StartupOption> ParseStartup(const Options& options, const TimeZone& zone) {
  const OptionValue* value = options.Find("startup");
  if (!value) return StartupOption{};
  if (value->kind != OptionKind::kObject) return FromWord(options, value->scalar);
  const Options startup = options.GetObject("startup");
  int given = 0;
  for (const char* key : {"mode", "binlog", "gtid", "timestamp"}) given += startup.Has(key) ? 1 : 0;
  if (given == 0) return StartupOption{};  // absent (validated sections hold an empty object)
  if (given != 1) {
    return Err(options.ErrorAt("startup", fmt::format("give exactly one of {}", kForms)));
  }
  if (startup.Has("mode")) return FromWord(options, startup.GetString("mode"));
  if (startup.Has("binlog")) {
    const std::string text = startup.GetString("binlog");
    Result<BinlogPosition> parsed = BinlogPosition::Parse(text);
    if (!parsed) {
      return Err(startup.ErrorAt("binlog", fmt::format("'{}' is not a binlog position "
                                                       "(file:offset, e.g. mysql-bin.000003:4)",
                                                       text)));
    }
    return StartupOption{Startup::kBinlog, parsed->ToString(), 0};
  }
  if (startup.Has("gtid")) {
    const std::string text = startup.GetString("gtid");
    if (!IsMariaGtidList(text)) {
      return Err(startup.ErrorAt(
          "gtid", fmt::format("'{}' is not a MariaDB GTID position (domain-server-sequence, "
                              "e.g. 0-1-1234; several domains separated by commas); MySQL GTID "
                              "sets are not supported yet: use {{binlog: \"file:offset\"}}",
                              text)));
    }
    return StartupOption{Startup::kGtid, text, 0};
  }
  const std::string text = startup.GetString("timestamp");
  Result<int64_t> micros = ParseTimestampTz(text, zone);
  if (!micros) {
    return Err(startup.ErrorAt(
        "timestamp", fmt::format("'{}' is not a time (YYYY-MM-DD HH:MM:SS, optionally with a "
                                 "zone such as Z or +08:00): {}",
                                 text, micros.error().message())));
  }
  // Binlog events carry whole seconds: a time inside a second starts at that second's first
  // transaction (rounded down: a few changes early rather than one missed).
  const int64_t seconds = *micros >= 0 ? *micros / 1000000 : -((-*micros + 999999) / 1000000);
  return StartupOption{Startup::kTimestamp, "", seconds};
}

}  // namespace sluice::mysql::binlog_stream
