#include "connectors/sqlite/sqlite_config.h"

#include <fmt/format.h>

namespace sluice::sqlite {

Result<std::string> PathFromUrl(std::string_view url) {
  constexpr std::string_view kScheme = "sqlite:";
  if (!url.starts_with(kScheme)) {
    return Err(
        Status::Invalid("expected sqlite:///abs/path.db or sqlite:relative.db, got '{}'", url));
  }
  std::string_view rest = url.substr(kScheme.size());
  // "sqlite:///abs" keeps the third slash as the root; "sqlite://rel" drops the two.
  if (rest.starts_with("//")) rest.remove_prefix(2);
  if (rest.empty()) return Err(Status::Invalid("'{}' names no database file", url));
  return std::string(rest);
}

Result<SqliteConfig> ParseSqliteConfig(const Options& options, bool target) {
  SqliteConfig config;
  const bool has_url = options.Has("url");
  const bool has_path = options.Has("path");
  if (has_url == has_path) {
    return Err(options.ErrorAt(has_url ? "path" : "url",
                               has_url ? "give either url or path, not both"
                                       : "either url (sqlite:///abs/path.db) or path is required"));
  }
  if (has_url) {
    Result<std::string> path = PathFromUrl(options.GetString("url"));
    if (!path) return Err(options.ErrorAt("url", path.error().message()));
    config.path = std::move(*path);
  } else {
    config.path = options.GetString("path");
    if (config.path.empty()) return Err(options.ErrorAt("path", "must not be empty"));
  }
  config.table = options.GetString("table");
  if (config.table.empty()) return Err(options.ErrorAt("table", "is required"));
  SLUICE_ASSIGN_OR_RETURN(int64_t busy, options.GetInt("busy_timeout_ms", 5000));
  if (busy < 0 || busy > INT32_MAX) {
    return Err(options.ErrorAt("busy_timeout_ms", "must be between 0 and 2147483647"));
  }
  config.busy_timeout_ms = static_cast<int>(busy);
  if (!target) return config;

  std::string create = options.GetString("create_table", "if_missing");
  if (create == "if_missing") {
    config.create_table = CreateTable::kIfMissing;
  } else if (create == "never") {
    config.create_table = CreateTable::kNever;
  } else {
    return Err(options.ErrorAt("create_table",
                               fmt::format("expected if_missing or never, got '{}'", create)));
  }
  config.pre_sql = options.GetList("pre_sql");
  config.post_sql = options.GetList("post_sql");
  return config;
}

}  // namespace sluice::sqlite
