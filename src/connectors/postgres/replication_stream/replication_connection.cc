#include "connectors/postgres/replication_stream/replication_connection.h"

#include <poll.h>

#include <cerrno>

#include <fmt/format.h>

namespace sluice::postgres::replication_stream {
namespace {

// What tuple_to_batch expects the server's output functions to print (see its header).
constexpr const char* kDecodingOptions =
    "-c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c bytea_output=hex "
    "-c extra_float_digits=3 -c lc_monetary=C -c TimeZone=UTC -c client_encoding=UTF8";

}  // namespace

Status ReplicationConnection::Fail(std::string_view what) const {
  std::string why = conn_ ? PQerrorMessage(conn_.get()) : "";
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  std::string message =
      fmt::format("{}: {}: {}", describe_, what, why.empty() ? "connection lost" : why);
  // A broken connection is what a new run (a reconnect) gets past.
  const bool broken = !conn_ || PQstatus(conn_.get()) != CONNECTION_OK;
  return Status(broken ? StatusCode::kConnection : StatusCode::kIoError, std::move(message),
                /*retryable=*/broken);
}

Result<ReplicationConnection> ReplicationConnection::Connect(const std::string& conninfo,
                                                             const std::string& describe) {
  SLUICE_ASSIGN_OR_RETURN(std::string normalized, NormalizeConninfo(conninfo));
  // expand_dbname: the first dbname is the user's whole conninfo; the later keys add to it.
  const char* keys[] = {"dbname", "replication", "options", "application_name", nullptr};
  const char* values[] = {normalized.c_str(), "database", kDecodingOptions, "sluice stream",
                          nullptr};
  ReplicationConnection c;
  c.describe_ = describe;
  c.conn_.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!c.conn_ || PQstatus(c.conn_.get()) != CONNECTION_OK) {
    return Err(c.Fail("replication connection failed"));
  }
  return c;
}

Result<CreatedSlot> ReplicationConnection::CreateSlot(const std::string& slot, bool export_snapshot,
                                                      bool temporary, const SlotWait& waiting) {
  const std::string sql = fmt::format("CREATE_REPLICATION_SLOT {} {}LOGICAL pgoutput {}",
                                      QuoteIdent(slot), temporary ? "TEMPORARY " : "",
                                      export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
  const std::string what = "creating slot " + slot;
  if (PQsendQuery(conn_.get(), sql.c_str()) == 0) return Err(Fail(what));
  // Polled, not PQexec: the wait for open transactions can last as long as the longest one,
  // and the caller says what it waits for (and stops on a signal) meanwhile.
  const auto start = std::chrono::steady_clock::now();
  while (PQisBusy(conn_.get()) != 0) {
    pollfd p{PQsocket(conn_.get()), POLLIN, 0};
    const int ready = poll(&p, 1, 1000);
    if (ready < 0 && errno != EINTR) return Err(Fail(what));
    if (ready > 0 && PQconsumeInput(conn_.get()) == 0) return Err(Fail(what));
    if (ready != 0 || !waiting) continue;
    Status st = waiting(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start));
    if (!st.ok()) {
      conn_.reset();
      return Err(std::move(st));
    }
  }
  PgResult r(PQgetResult(conn_.get()));
  while (PGresult* more = PQgetResult(conn_.get())) PQclear(more);
  if (r.status() != PGRES_TUPLES_OK || r.rows() != 1) {
    return Err(ResultError(r.get(), conn_.get(), describe_ + ": " + what));
  }
  // Columns: slot_name, consistent_point, snapshot_name, output_plugin.
  SLUICE_ASSIGN_OR_RETURN(replication::Lsn point, replication::Lsn::Parse(r.Text(0, 1)));
  return CreatedSlot{point, r.IsNull(0, 2) ? "" : r.Str(0, 2)};
}

Status ReplicationConnection::StartStreaming(const std::string& slot, replication::Lsn from,
                                             const std::string& publication) {
  const std::string sql = fmt::format(
      "START_REPLICATION SLOT {} LOGICAL {} (proto_version '2', streaming 'on', "
      "publication_names {})",
      QuoteIdent(slot), from.ToString(), QuoteLiteral(QuoteIdent(publication)));
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  if (r.status() != PGRES_COPY_BOTH) {
    Status st = ResultError(r.get(), conn_.get(),
                            fmt::format("{}: starting replication from slot {} at {}", describe_,
                                        slot, from.ToString()));
    if (SqlState(r.get()) == "55006") {  // object_in_use: another walsender holds the slot
      return Status(st.code(),
                    st.message() +
                        "; another run of this job, or another client of the slot, is reading "
                        "it (a run cut off by the network holds it until the server's "
                        "wal_sender_timeout): stop that run, or end its walsender with SELECT "
                        "pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE "
                        "slot_name = '" +
                        slot + "'",
                    /*retryable=*/true);
    }
    return st;
  }
  if (PQsetnonblocking(conn_.get(), 1) != 0) return Fail("non-blocking mode");
  silent_ = std::chrono::milliseconds(0);
  return Status::OK();
}

Result<std::optional<std::string_view>> ReplicationConnection::Read(
    std::chrono::milliseconds wait) {
  buffer_.reset();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    char* data = nullptr;
    const int n = PQgetCopyData(conn_.get(), &data, /*async=*/1);
    if (n > 0) {
      silent_ = std::chrono::milliseconds(0);
      buffer_.reset(data);
      return std::optional<std::string_view>(std::string_view(data, static_cast<size_t>(n)));
    }
    if (n == -1) {
      PgResult end(PQgetResult(conn_.get()));
      return Err(ResultError(end.get(), conn_.get(), describe_ + ": the server ended replication"));
    }
    if (n == -2) return Err(Fail("reading the replication stream"));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::optional<std::string_view>();
    pollfd p{PQsocket(conn_.get()), POLLIN, 0};
    const auto poll_start = std::chrono::steady_clock::now();
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Err(Fail("waiting for the replication stream"));
    if (ready == 0) {
      silent_ += std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - poll_start);
    } else if (ready > 0) {
      silent_ = std::chrono::milliseconds(0);  // bytes arrived, if not yet a whole message
      if (PQconsumeInput(conn_.get()) == 0) return Err(Fail("reading the replication stream"));
    }
  }
}

Status ReplicationConnection::Send(const std::string& payload) {
  if (PQputCopyData(conn_.get(), payload.data(), static_cast<int>(payload.size())) != 1) {
    return Fail("sending a status update");
  }
  // Non-blocking: a full socket buffer finishes on a later flush; a status update is tiny.
  if (PQflush(conn_.get()) < 0) return Fail("sending a status update");
  return Status::OK();
}

}  // namespace sluice::postgres::replication_stream
