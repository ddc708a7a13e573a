// ReplicationConnection: the thin transport of PostgreSQL change capture. A libpq connection
// in `replication=database` mode that creates a slot, starts a pgoutput stream (COPY BOTH) and
// then moves CopyData payloads: Read() hands the next one over, waiting at most a given time
// (PQconsumeInput + PQgetCopyData in async mode + poll), so a caller that must return within
// ~200 ms never blocks on the socket; Send() writes a standby status update.
//
// Decoding is elsewhere (../replication/, pure functions over bytes). Lifecycle: opened and
// used by one thread (the stream runner's); move-only; closes itself.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <libpq-fe.h>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/replication/lsn.h"
#include "core/status.h"

namespace sluice::postgres::replication_stream {

// What CREATE_REPLICATION_SLOT answers.
struct CreatedSlot {
  replication::Lsn consistent_point;  // the first change the slot will send is after this
  std::string snapshot_name;          // EXPORT_SNAPSHOT only; valid until the next command
};

class ReplicationConnection {
 public:
  // Connects with replication=database. The session settings are startup options (not SET
  // commands), because a connection that exported a snapshot must not run another command
  // until the snapshot was imported and read: they make pgoutput print values the way
  // tuple_to_batch parses them.
  static Result<ReplicationConnection> Connect(const std::string& conninfo,
                                               const std::string& describe);

  // Called about once a second while CREATE_REPLICATION_SLOT waits (it waits until no
  // transaction that was open at the source when it began is still open): the time waited so
  // far. An error ends the wait and closes the connection (the server gives the slot up).
  using SlotWait = std::function<Status(std::chrono::seconds waited)>;
  // CREATE_REPLICATION_SLOT `slot` LOGICAL pgoutput, exporting a snapshot or not. A temporary
  // slot goes with its connection (used only for its exported snapshot).
  Result<CreatedSlot> CreateSlot(const std::string& slot, bool export_snapshot,
                                 bool temporary = false, const SlotWait& waiting = nullptr);
  // START_REPLICATION SLOT `slot` LOGICAL `from` with pgoutput protocol 2, streaming on.
  Status StartStreaming(const std::string& slot, replication::Lsn from,
                        const std::string& publication);

  // The next CopyData payload, or nullopt when none arrived within `wait`. The view is valid
  // until the next Read.
  Result<std::optional<std::string_view>> Read(std::chrono::milliseconds wait);
  // Sends one CopyData message (a standby status update) and flushes it.
  Status Send(const std::string& payload);

  bool is_open() const { return conn_ != nullptr; }
  // How long Read() has waited on the socket without a byte arriving since the server last
  // sent anything (or streaming started). Only time spent waiting counts: a caller busy
  // elsewhere (a slow target commit) does not make the server look silent.
  std::chrono::milliseconds SilentFor() const { return silent_; }

 private:
  struct Closer {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  struct Freer {
    void operator()(char* p) const { PQfreemem(p); }
  };
  Status Fail(std::string_view what) const;

  std::unique_ptr<PGconn, Closer> conn_;
  std::unique_ptr<char, Freer> buffer_;  // the payload Read last returned
  std::string describe_;                 // "postgres at host:port/db", for messages
  std::chrono::milliseconds silent_{0};
};

}  // namespace sluice::postgres::replication_stream
