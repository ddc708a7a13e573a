// SlotWaitReporter: says what a CREATE_REPLICATION_SLOT that waits is waiting for.
//
// PostgreSQL starts a logical slot at a point no transaction spans: the command waits until
// every transaction that held a transaction id when it began has ended. One left open (a
// session idle in transaction for hours, a prepared transaction nobody commits) holds the
// job's start just as long, and the job used to wait without a word. While it waits, this
// names the sessions that hold it (pg_stat_activity, pg_prepared_xacts, read on the job's
// ordinary connection) after 5 s and then every 30 s, and ends the wait on a signal or when
// that connection finds the server gone or silent.
// Used as ReplicationConnection::SlotWait, on the stream's thread.
#pragma once

#include <chrono>
#include <string>

#include "connectors/postgres/pg_connection.h"
#include "core/status.h"

namespace sluice::postgres::replication_stream {

class SlotWaitReporter {
 public:
  SlotWaitReporter(PgConnection& conn, std::string slot) : conn_(&conn), slot_(std::move(slot)) {}

  Status operator()(std::chrono::seconds waited);

 private:
  // "pid 4242 (etl@shop, idle in transaction, open 35 s), prepared 'gid' (open 20 s)"; empty
  // when the catalog shows none (they ended meanwhile, or are not visible to this user). An
  // error when the server does not answer (the stall watch broke the query): the wait then
  // ends with it, since the slot's creation would never answer either.
  Result<std::string> Holders() const;

  PgConnection* conn_;
  std::string slot_;
  std::chrono::seconds next_report_{5};
};

}  // namespace sluice::postgres::replication_stream
