#include "connectors/postgres/replication_stream/slot_wait.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/stall_watch.h"

namespace sluice::postgres::replication_stream {

Status SlotWaitReporter::operator()(std::chrono::seconds waited) {
  if (RunCancelled()) {
    return Status(StatusCode::kCancelled,
                  fmt::format("stopped by a signal while creating replication slot {} (it "
                              "waited {} s for transactions open at the source); nothing was "
                              "read",
                              slot_, waited.count()));
  }
  if (waited < next_report_) return Status::OK();
  next_report_ = waited + std::chrono::seconds(30);
  Result<std::string> found = Holders();
  if (!found) {
    return Err(found.error().WithContext(
        fmt::format("creating replication slot {} (waited {} s)", slot_, waited.count())));
  }
  const std::string& holders = *found;
  spdlog::warn(
      "creating replication slot {} has waited {} s for the transactions open at the source "
      "to end (a slot starts where no transaction spans it){}",
      slot_, waited.count(),
      holders.empty() ? std::string()
                      : fmt::format(": {}; end them (COMMIT, ROLLBACK, or SELECT "
                                    "pg_terminate_backend(pid)) or wait",
                                    holders));
  return Status::OK();
}

Result<std::string> SlotWaitReporter::Holders() const {
  std::string out;
  const auto add = [&](const std::string& one) { out += (out.empty() ? "" : ", ") + one; };
  // Not the query text: it may hold values (or a password) that logs must not.
  Result<PgResult> sessions = conn_->Query(
      "SELECT pid::text, coalesce(usename, ''), coalesce(datname, ''), coalesce(state, ''), "
      "coalesce(extract(epoch FROM now() - xact_start)::bigint, 0)::text FROM "
      "pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() ORDER BY "
      "xact_start LIMIT 5",
      "sessions holding a transaction id");
  if (!sessions) return Err(sessions.error());
  for (int r = 0; r < sessions->rows(); ++r) {
    add(fmt::format("pid {} ({}@{}, {}, open {} s)", sessions->Str(r, 0), sessions->Str(r, 1),
                    sessions->Str(r, 2), sessions->Str(r, 3), sessions->Str(r, 4)));
  }
  Result<PgResult> prepared = conn_->Query(
      "SELECT gid, extract(epoch FROM now() - prepared)::bigint::text FROM pg_prepared_xacts "
      "ORDER BY prepared LIMIT 5",
      "prepared transactions");
  if (!prepared) return Err(prepared.error());
  for (int r = 0; r < prepared->rows(); ++r) {
    add(
        fmt::format("prepared transaction '{}' (open {} s; COMMIT PREPARED or ROLLBACK PREPARED "
                    "ends it)",
                    prepared->Str(r, 0), prepared->Str(r, 1)));
  }
  return out;
}

}  // namespace sluice::postgres::replication_stream
