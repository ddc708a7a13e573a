// CheckpointSession: the few things the shared commit sequence (checkpoint_commit.h) needs
// from a SQL connection. Each SQL connector implements it over its own driver (libpq,
// libmariadb, sqlite3); nothing here knows which.
//
// Lifecycle: a session wraps a connection the sink owns and is used on the thread that uses
// that connection (the engine's main thread); it owns nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace sluice::sql_common {

// A statement parameter. Statements are written with ?1, ?2, ... placeholders (sql_params.h
// turns them into the driver's own form).
using SqlParam = std::variant<std::string, int64_t>;
// A result row as text; NULL is nullopt.
using SqlRow = std::vector<std::optional<std::string>>;

class CheckpointSession {
 public:
  virtual ~CheckpointSession() = default;
  // Runs one statement. For UPDATE, returns the rows its WHERE matched (MySQL's "affected
  // rows" counts only changed rows; its session reports the matched ones), so that a guarded
  // UPDATE can tell "no such row / guard failed" from "nothing changed".
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<SqlParam>& params) = 0;
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<SqlParam>& params) = 0;
  // Runs DDL or a script without parameters (several statements where the driver allows).
  virtual Status Script(std::string_view sql) = 0;
  virtual Status Begin() = 0;
  // COMMIT. When the connection broke while it was in flight the outcome is unknown: the
  // session returns StatusCode::kOutcomeUnknown, never a plain error.
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // "postgres target public.orders": the prefix of every message.
  virtual std::string Describe() const = 0;
};

}  // namespace sluice::sql_common
