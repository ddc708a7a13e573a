// Captures what pgoutput really sends (test-only header): runs a fixed set of changes on the test
// server, reads them back through a pgoutput slot (pg_logical_slot_peek_binary_changes, protocol
// version 2, streaming on, messages on) and remembers every message's bytes together with what
// SELECT returned for the rows at each step. Done once per test process; the slot is dropped
// right after reading, so the per-process database can be dropped at the end.
#pragma once

#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication/tuple_to_batch.h"

namespace sluice::postgres::replication::testing {

using Row = std::vector<std::string>;  // SELECT's text, "NULL" for NULL

struct Capture {
  std::vector<std::string> messages;  // each a whole pgoutput message
  // SELECT * of the published tables at the moments the tests compare with.
  std::vector<Row> kinds_after_insert;  // ids 1, 2, 3
  Row kinds1_after_update;              // id 1 after an update that leaves `big` alone
  Row kinds10_after_key_update;         // id 2 -> 10
  Row full_after_insert;
  Row full_after_update;
  std::vector<Row> stream_rows;  // stream_t at the end, ORDER BY id
  std::string db_url;
};

// The DDL, the columns and the values the tests use; comments in the SQL say why each is there.
// Everything lives in its own schema: the per-process database is shared with the other
// postgres tests of the binary (which have their own `mood`, for one).
inline constexpr char kSchema[] = "sluice_pgo";

inline void MakeTables(sluice::postgres::testing::RawConn& db) {
  db.Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", kSchema));
  db.Exec(fmt::format("SET search_path = {}", kSchema));
  db.Exec("DROP PUBLICATION IF EXISTS sluice_pgo_pub");
  db.Exec("CREATE TYPE mood AS ENUM ('sad', 'happy')");
  db.Exec("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)");
  db.Exec(
      "CREATE TABLE kinds (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 real, f8 float8, "
      "n numeric(12,3), nu numeric, t text, vc varchar(10), bp char(5), by bytea, d date, "
      "tm time, ts timestamp(3), tz timestamptz, iv interval, j json, jb jsonb, u uuid, "
      "ia int[], ta text[], tza timestamptz[], m mood, dom posint, mo money, big text)");
  // Out of line and uncompressed, so that a 32 kB value is TOASTed and an UPDATE that leaves
  // it alone sends 'u'; small enough that these transactions stay below the 64 kB that makes
  // the decoder stream a transaction.
  db.Exec("ALTER TABLE kinds ALTER big SET STORAGE EXTERNAL");
  db.Exec("CREATE TABLE full_t (id int, v text, big text)");
  db.Exec("ALTER TABLE full_t ALTER big SET STORAGE EXTERNAL");
  db.Exec("ALTER TABLE full_t REPLICA IDENTITY FULL");
  db.Exec("CREATE TABLE stream_t (id int PRIMARY KEY, pad text)");
  db.Exec("CREATE TABLE unpublished (id int)");
  db.Exec("CREATE PUBLICATION sluice_pgo_pub FOR TABLE kinds, full_t, stream_t");
}

inline void MakeChanges(sluice::postgres::testing::RawConn& db, Capture& c,
                        const std::string& origin) {
  const std::string big = "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 1000) g)";
  db.Exec(fmt::format(
      "INSERT INTO kinds VALUES "
      "(1, true, -32768, 9223372036854775807, 3.4028235e38, 0.1, 123456789.125, "
      "-0.000000000000000000001, E'tab\\there \"quoted\" \\\\ back', 'héllo', 'ab', "
      "'\\x00ff1020', '2024-02-29', '24:00:00', '2024-03-01 12:34:56.789', "
      "'1900-01-01 00:00:00+00', 'P1Y2M3DT4H5M6.789S', '{{\"a\": [1, 2.50]}}', "
      "'{{\"b\": null, \"a\": 1}}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', "
      "'{{1,NULL,3}}', '{{\"a b\",NULL,\"NULL\",\"q\\\"x\"}}', "
      "'{{\"2024-01-01 08:00:00+08\"}}', 'happy', 7, 1234.5, {}), "
      "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
      "(3, false, 0, -1, '-Infinity', 'NaN', 'NaN', 'Infinity', '', '', '', '\\x', "
      "'0044-03-15 BC', '00:00:00.000001', '0001-01-01 00:00:00 BC', '-infinity', '-1 day', "
      "'[]', '[]', '00000000-0000-0000-0000-000000000000', '[0:1][1:2]={{{{1,2}},{{3,4}}}}', "
      "'{{}}', "
      "'{{}}', 'sad', 1, -0.01, 'small')",
      big));
  c.kinds_after_insert = db.Rows("SELECT * FROM kinds ORDER BY id");
  db.Exec("CREATE TABLE kinds_snap AS SELECT * FROM kinds ORDER BY id");
  db.Exec("UPDATE kinds SET i2 = i2 + 1 WHERE id = 1");  // big unchanged: 'u'
  c.kinds1_after_update = db.Rows("SELECT * FROM kinds WHERE id = 1")[0];
  db.Exec("UPDATE kinds SET id = 10 WHERE id = 2");  // the key changes: 'K' then 'N'
  c.kinds10_after_key_update = db.Rows("SELECT * FROM kinds WHERE id = 10")[0];
  db.Exec("DELETE FROM kinds WHERE id = 3");
  db.Exec(fmt::format("INSERT INTO full_t VALUES (1, 'a', {})", big));
  c.full_after_insert = db.Rows("SELECT * FROM full_t")[0];
  db.Exec("UPDATE full_t SET v = 'b'");  // FULL: the whole old row ('O'), big 'u' in the new
  c.full_after_update = db.Rows("SELECT * FROM full_t")[0];
  db.Exec("DELETE FROM full_t");
  db.Exec("INSERT INTO unpublished VALUES (1)");  // not in the publication: nothing
  db.Exec("BEGIN");
  db.Exec("SELECT pg_logical_emit_message(true, 'sluice', 'in a transaction')");
  db.Exec("COMMIT");
  db.Exec("SELECT pg_logical_emit_message(false, 'sluice-nt', E'\\\\x00ff'::bytea)");
  db.Exec("TRUNCATE full_t");
  // A transaction replayed from elsewhere (as a replication apply worker would): its commit
  // carries an origin, which pgoutput sends after Begin.
  db.Exec(fmt::format("SELECT pg_replication_origin_session_setup('{}')", origin));
  db.Exec("BEGIN");
  db.Exec("SELECT pg_replication_origin_xact_setup('0/ABCDEF', now())");
  db.Exec("INSERT INTO full_t VALUES (2, 'from elsewhere', NULL)");
  db.Exec("COMMIT");
  db.Exec("SELECT pg_replication_origin_session_reset()");
  // Larger than logical_decoding_work_mem (64 kB): streamed in segments before its commit.
  // The rolled-back savepoint's rows were already streamed, so a Stream Abort for the
  // subtransaction follows; the rolled-back transaction after it gets a whole Stream Abort.
  db.Exec("BEGIN");
  db.Exec("INSERT INTO stream_t SELECT g, repeat('x', 100) FROM generate_series(1, 1500) g");
  db.Exec("SAVEPOINT s");
  db.Exec("INSERT INTO stream_t SELECT g, repeat('y', 100) FROM generate_series(2001, 3500) g");
  db.Exec("ROLLBACK TO SAVEPOINT s");
  db.Exec("UPDATE stream_t SET pad = 'z' WHERE id <= 10");
  db.Exec("INSERT INTO stream_t SELECT g, repeat('w', 100) FROM generate_series(4001, 5500) g");
  db.Exec("COMMIT");
  db.Exec("BEGIN");
  db.Exec("INSERT INTO stream_t SELECT g, repeat('v', 100) FROM generate_series(6001, 8000) g");
  db.Exec("ROLLBACK");
  // The slot functions read only WAL that is flushed, and an abort record is never flushed
  // by itself (nor is a commit under the test server's synchronous_commit=off): a synchronous
  // commit after it flushes both. The table is not published, so it adds no message.
  db.Exec("SET synchronous_commit = on");
  db.Exec("INSERT INTO unpublished VALUES (2)");
  c.stream_rows = db.Rows("SELECT * FROM stream_t ORDER BY id");
}

inline const Capture& GetCapture() {
  static const Capture capture = [] {
    Capture c;
    c.db_url = sluice::postgres::testing::DbUrl();
    sluice::postgres::testing::RawConn db(c.db_url);
    // The settings the tuple conversion needs (tuple_to_batch.h); the session's time zone stays
    // the database's Asia/Shanghai, so timestamptz text carries +08 offsets.
    db.Exec("SET IntervalStyle = iso_8601");
    db.Exec("SET lc_monetary = 'C'");
    MakeTables(db);
    // Slots and origins belong to the whole server: named after the process, and dropped
    // whatever happens, or the per-process database could not be dropped.
    const std::string slot = fmt::format("sluice_pgo_{}", getpid());
    db.Exec(fmt::format("SELECT pg_create_logical_replication_slot('{}', 'pgoutput')", slot));
    db.Exec(fmt::format("SELECT pg_replication_origin_create('{}')", slot));
    auto drop = [&] {
      db.Exec(
          "SELECT pg_replication_origin_session_reset() WHERE "
          "pg_replication_origin_session_is_setup()");
      db.Exec(fmt::format("SELECT pg_replication_origin_drop('{}')", slot));
      db.Exec(fmt::format("SELECT pg_drop_replication_slot('{}')", slot));
    };
    try {
      MakeChanges(db, c, slot);
    } catch (...) {
      db.Exec("ROLLBACK");
      drop();
      throw;
    }
    db.Exec("SET logical_decoding_work_mem = '64kB'");
    const std::string sql = fmt::format(
        "SELECT data FROM pg_logical_slot_peek_binary_changes('{}', NULL, NULL, "
        "'proto_version', '2', 'publication_names', 'sluice_pgo_pub', 'streaming', 'on', "
        "'messages', 'true')",
        slot);
    // Binary results: bytea's raw bytes, no hex to undo.
    PGresult* r = PQexecParams(db.get(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    const std::string err = PQresultErrorMessage(r);
    if (ok) {
      for (int i = 0; i < PQntuples(r); ++i) {
        c.messages.emplace_back(PQgetvalue(r, i, 0), static_cast<size_t>(PQgetlength(r, i, 0)));
      }
    }
    PQclear(r);
    drop();
    if (!ok) throw std::runtime_error("peeking the slot failed: " + err);
    return c;
  }();
  return capture;
}

// What the catalog says about a non-built-in type, as pg_table.cc reads it (domains resolved
// to their base type).
inline TypeResolver CatalogResolver(const std::string& url) {
  return [url](uint32_t type_oid, int32_t typmod) -> Result<PgType> {
    sluice::postgres::testing::RawConn db(url);
    auto rows = db.Rows(fmt::format(
        "SELECT bt.oid, bt.typname, bt.typtype, bt.typcategory, "
        "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE {} END, format_type(t.oid, {}) "
        "FROM pg_type t JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' "
        "THEN t.typbasetype ELSE t.oid END WHERE t.oid = {}",
        typmod, typmod, type_oid));
    if (rows.empty()) return Err(Status::NotFound("type oid {} does not exist", type_oid));
    PgType t;
    t.oid = static_cast<uint32_t>(std::stoul(rows[0][0]));
    t.name = rows[0][1];
    t.typtype = rows[0][2][0];
    t.category = rows[0][3][0];
    t.typmod = std::stoi(rows[0][4]);
    t.declared = rows[0][5];
    return t;
  };
}

}  // namespace sluice::postgres::replication::testing
