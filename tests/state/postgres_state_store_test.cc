// The PostgreSQL state store against the throwaway server (ctest -L state): the conformance
// suite, then what only a shared store over a network has: schemas, concurrent set-up, read-only
// opening, lost connections, hung servers, stuck locks and passwords in messages.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "core/stall_watch.h"
#include "fault_proxy.h"
#include "state/postgres_state_store.h"
#include "state/state_store.h"
#include "state/state_store_conformance.h"
#include "testing/test_servers.h"

namespace sluice::testing {
namespace {

using std::chrono::milliseconds;

const std::string& ServerUrl() {
  return GetTestServers().pg_url;
}

// A libpq connection of the test itself, as the server's superuser-ish test role.
class RawPg {
 public:
  explicit RawPg(const std::string& url = ServerUrl()) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw std::runtime_error(std::string("test connection: ") + PQerrorMessage(conn_));
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~RawPg() { PQfinish(conn_); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;

  // The first column of every row ("" for NULL).
  std::vector<std::string> Column(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const std::string error = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(sql + ": " + error);
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
  }
  void Exec(const std::string& sql) { Column(sql); }
  std::string Value(const std::string& sql) {
    std::vector<std::string> rows = Column(sql);
    return rows.empty() ? "<none>" : rows[0];
  }

 private:
  PGconn* conn_;
};

std::string FreshName(const char* kind) {
  static std::atomic<int> counter{0};
  return fmt::format("st_{}_{}_{}", kind, ::getpid(), counter++);
}

// The server URL with a query parameter added.
std::string WithParam(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

std::string InSchema(const std::string& url, const std::string& schema) {
  return WithParam(url, "options=-csearch_path%3D" + schema);
}

// The server URL through a proxy on `port`.
std::string ViaPort(int port) {
  const std::string from = fmt::format(":{}/", GetTestServers().pg_port);
  std::string url = ServerUrl();
  url.replace(url.find(from), from.size(), fmt::format(":{}/", port));
  return url;
}

std::unique_ptr<StateStore> OpenOrThrow(const std::string& url) {
  auto store = OpenPostgresStateStore(url);
  if (!store) throw std::runtime_error(store.error().message());
  return std::move(*store);
}

// The database the conformance suite runs in: its default collation is ICU's en-US, not the
// server's C.UTF-8, so that text compared or sorted by the database's rules rather than
// bytewise shows up ("Zeta" sorts after "alpha" there). Created by the first test process that
// needs it (others may be trying at once), left for the next; the server is a throwaway.
const std::string& ConformanceDbUrl() {
  static const std::string url = [] {
    constexpr const char* kDb = "sluice_state_conformance_icu";
    RawPg admin;
    const std::string exists =
        fmt::format("SELECT count(*) FROM pg_database WHERE datname = '{}'", kDb);
    if (admin.Value(exists) == "0") {
      try {
        admin.Exec(
            fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' "
                        "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
                        kDb));
      } catch (const std::runtime_error&) {
        if (admin.Value(exists) == "0") throw;  // not a racing twin that made it first
      }
    }
    std::string base = ServerUrl();
    return base.replace(base.rfind('/') + 1, std::string::npos, kDb);
  }();
  return url;
}

// A schema per test, dropped with everything in it at the end.
class PgHarness final : public StoreHarness {
 public:
  PgHarness() : schema_(FreshName("c")) {}
  ~PgHarness() override {
    try {
      Raw().Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }

  std::unique_ptr<StateStore> Open() override {
    return OpenOrThrow(InSchema(ConformanceDbUrl(), schema_));
  }

  void FailWritesOfStream(const std::string& stream) override {
    RawPg pg(ConformanceDbUrl());
    pg.Exec(fmt::format(
        "CREATE FUNCTION {0}.fail_{1}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
        "NEW.stream = '{1}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$",
        schema_, stream));
    pg.Exec(fmt::format(
        "CREATE TRIGGER fail_{1} BEFORE INSERT OR UPDATE ON {0}.sluice_state_positions FOR EACH "
        "ROW EXECUTE FUNCTION {0}.fail_{1}()",
        schema_, stream));
  }

  std::vector<std::string> HistoryRunIds(const std::string& job) override {
    return Raw().Column(fmt::format(
        "SELECT run_id FROM {}.sluice_state_runs WHERE job = '{}' ORDER BY seq", schema_, job));
  }

 private:
  static RawPg Raw() { return RawPg(ConformanceDbUrl()); }

  std::string schema_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, StateStoreConformance,
                         ::testing::Values(StoreKind{"Postgres",
                                                     []() -> std::unique_ptr<StoreHarness> {
                                                       return std::make_unique<PgHarness>();
                                                     }}),
                         StoreKindName);

class PgStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { schema_ = FreshName("s"); }
  void TearDown() override {
    ConfigureStallWatch(kDefaultStallTimeoutSeconds, nullptr);
    RawPg().Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  std::string Url(const std::string& base = ServerUrl()) const { return InSchema(base, schema_); }
  std::unique_ptr<StateStore> Open(const std::string& base = ServerUrl()) {
    return OpenOrThrow(Url(base));
  }
  std::vector<std::string> Tables(RawPg& pg, const std::string& schema) {
    return pg.Column(fmt::format(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '{}' AND "
        "table_name LIKE 'sluice\\_state\\_%' ORDER BY 1",
        schema));
  }

  std::string schema_;
};

// ---- opening --------------------------------------------------------------------------------

TEST_F(PgStateStoreTest, BothSchemesOpenTheSameStore) {
  const std::string url = Url();
  ASSERT_TRUE(url.starts_with("postgresql://"));
  auto a = OpenStateStore(url);
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE((*a)->SetWatermark("j", "id", std::string("41"), Fence{}).ok());
  auto b = OpenStateStore("postgres://" + url.substr(std::string("postgresql://").size()));
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_EQ((*b)->Load("j")->watermark.value_or("-"), "41");
  const std::string described = (*b)->Describe();
  EXPECT_EQ(described, fmt::format("postgresql://sluice@127.0.0.1:{}/sluice_test (schema {})",
                                   GetTestServers().pg_port, schema_));
  auto read_only = OpenStateStoreReadOnly(url);
  ASSERT_TRUE(read_only.has_value()) << read_only.error().message();
  EXPECT_EQ((*read_only)->Load("j")->watermark.value_or("-"), "41");
}

TEST_F(PgStateStoreTest, TablesAreCreatedInTheSchemaOfTheSearchPath) {
  RawPg pg;
  ASSERT_EQ(
      pg.Value(fmt::format("SELECT count(*) FROM pg_namespace WHERE nspname = '{}'", schema_)),
      "0");
  auto store = Open();
  EXPECT_EQ(Tables(pg, schema_),
            (std::vector<std::string>{"sluice_state_jobs", "sluice_state_leases",
                                      "sluice_state_pending_positions", "sluice_state_positions",
                                      "sluice_state_runs", "sluice_state_version"}));
  EXPECT_EQ(pg.Value(fmt::format("SELECT string_agg(version::text, ',') FROM "
                                 "{}.sluice_state_version",
                                 schema_)),
            "1");
  ASSERT_TRUE(store->PutPosition("j", "s", "p", Fence{}).ok());
  EXPECT_EQ(pg.Value(fmt::format("SELECT position FROM {}.sluice_state_positions", schema_)), "p");
  // A second open finds it all there and changes nothing.
  auto again = Open();
  EXPECT_EQ(pg.Value(fmt::format("SELECT count(*) FROM {}.sluice_state_version", schema_)), "1");
}

TEST_F(PgStateStoreTest, WithoutASearchPathTheTablesGoToPublic) {
  const std::string db = FreshName("db");
  RawPg admin;
  admin.Exec("CREATE DATABASE " + db);
  {
    std::string url = ServerUrl();
    url.replace(url.rfind('/') + 1, std::string::npos, db);
    auto store = OpenStateStore(url);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    EXPECT_TRUE((*store)->Describe().ends_with("/" + db + " (schema public)"))
        << (*store)->Describe();
    ASSERT_TRUE((*store)->SetWatermark("j", "id", std::string("1"), Fence{}).ok());
    RawPg pg(url);
    EXPECT_EQ(Tables(pg, "public").size(), 6u);
  }
  admin.Exec("DROP DATABASE " + db + " WITH (FORCE)");
}

TEST_F(PgStateStoreTest, ProcessesOpeningAtOnceAllSucceed) {
  constexpr int kOpeners = 8;
  std::latch start(kOpeners);
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto store = OpenPostgresStateStore(Url());
      results[i] = store ? Status::OK() : store.error();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.message();
  RawPg pg;
  EXPECT_EQ(pg.Value(fmt::format("SELECT count(*) FROM {}.sluice_state_version", schema_)), "1");
  EXPECT_EQ(Tables(pg, schema_).size(), 6u);
}

TEST_F(PgStateStoreTest, ReadOnlyOpeningCreatesNothing) {
  auto missing = OpenStateStoreReadOnly(Url());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound) << missing.error().message();
  RawPg pg;
  EXPECT_EQ(
      pg.Value(fmt::format("SELECT count(*) FROM pg_namespace WHERE nspname = '{}'", schema_)),
      "0");

  ASSERT_TRUE(Open()->SetWatermark("j", "id", std::string("7"), Fence{}).ok());
  auto store = OpenStateStoreReadOnly(Url());
  ASSERT_TRUE(store.has_value()) << store.error().message();
  EXPECT_EQ((*store)->Load("j")->watermark.value_or("-"), "7");
  const Status write = (*store)->SetWatermark("j", "id", std::string("8"), Fence{});
  EXPECT_FALSE(write.ok());
  EXPECT_NE(write.message().find("read-only"), std::string::npos) << write.message();
  EXPECT_EQ((*store)->Load("j")->watermark.value_or("-"), "7");
}

TEST_F(PgStateStoreTest, AStoreFromANewerSluiceIsRefused) {
  Open();
  RawPg pg;
  pg.Exec(fmt::format("INSERT INTO {}.sluice_state_version(version) VALUES (2)", schema_));
  for (auto open : {&OpenStateStore, &OpenStateStoreReadOnly}) {
    auto store = open(Url());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().message(),
              fmt::format("state store postgresql://sluice@127.0.0.1:{}/sluice_test (schema {}) "
                          "has schema version 2, newer than this sluice understands (1); "
                          "upgrade sluice",
                          GetTestServers().pg_port, schema_));
  }
}

TEST_F(PgStateStoreTest, TextThatPostgresCannotHoldIsRefusedNotCut) {
  auto store = Open();
  const std::string with_nul("bin.000001:4\0garbage", 20);
  Status st = store->PutPosition("j", "s", with_nul, Fence{});
  EXPECT_EQ(st.code(), StatusCode::kDataError) << st.message();
  EXPECT_NE(st.message().find("NUL"), std::string::npos) << st.message();
  st = store->PutPositions({{"j", "a", "1"}, {"j", "b", "\xff\xfe"}}, Fence{});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("UTF8"), std::string::npos) << st.message();
  EXPECT_TRUE(store->ListPositions("j", "")->empty());
}

// ---- passwords ------------------------------------------------------------------------------

void ExpectNoPassword(const std::string& message) {
  for (const char* part :
       {"p@s", "s/w", "w?o", "o#rd", "p%40s", "%3As", "s%2Fw", "%3Fo", "%23rd", "sluice-pw"}) {
    EXPECT_EQ(message.find(part), std::string::npos) << part << " in: " << message;
  }
}

TEST_F(PgStateStoreTest, AWrongPasswordIsAnErrorThatDoesNotShowIt) {
  std::string encoded = Url();
  encoded.replace(encoded.find("sluice-pw"), 9, "p%40s%3As%2Fw%3Fo%23rd");
  std::string raw = Url();
  raw.replace(raw.find("sluice-pw"), 9, "p@s:s/w?o#rd");
  for (const std::string& url : {encoded, raw}) {
    for (auto open : {&OpenStateStore, &OpenStateStoreReadOnly}) {
      auto store = open(url);
      ASSERT_FALSE(store.has_value());
      EXPECT_EQ(store.error().code(), StatusCode::kConnection);
      EXPECT_FALSE(store.error().retryable());
      EXPECT_NE(store.error().message().find("password authentication failed"), std::string::npos)
          << store.error().message();
      EXPECT_NE(store.error().message().find("127.0.0.1"), std::string::npos);
      ExpectNoPassword(store.error().message());
    }
  }
}

TEST_F(PgStateStoreTest, AnUnreachableServerIsARetryableErrorWithoutThePassword) {
  // A port nobody listens on: a listener closed at once.
  int port = 0;
  {
    FaultProxy closed(1);
    port = closed.port();
  }
  const auto start = std::chrono::steady_clock::now();
  auto store = OpenStateStore(InSchema(ViaPort(port), schema_));
  ASSERT_FALSE(store.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(store.error().code(), StatusCode::kConnection);
  EXPECT_TRUE(store.error().retryable());
  EXPECT_NE(store.error().message().find("cannot connect"), std::string::npos)
      << store.error().message();
  ExpectNoPassword(store.error().message());
}

// ---- lost connections -----------------------------------------------------------------------

class PgFaultTest : public PgStateStoreTest {
 protected:
  void SetUp() override {
    PgStateStoreTest::SetUp();
    proxy_ = std::make_unique<FaultProxy>(GetTestServers().pg_port);
    direct_ = Open();
    proxied_ = Open(ViaPort(proxy_->port()));
    ASSERT_TRUE(proxied_->SetWatermark("j", "id", std::string("1"), Fence{}).ok());
  }
  void TearDown() override {
    proxied_.reset();
    proxy_.reset();
    direct_.reset();
    PgStateStoreTest::TearDown();
  }

  std::string Watermark() { return direct_->Load("j")->watermark.value_or("-"); }

  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<StateStore> direct_;
  std::unique_ptr<StateStore> proxied_;
};

TEST_F(PgFaultTest, AConnectionCutWhileIdleIsReplacedUnnoticed) {
  proxy_->CutAll();
  std::this_thread::sleep_for(milliseconds(100));
  Result<JobState> st = proxied_->Load("j");
  ASSERT_TRUE(st.has_value()) << st.error().message();
  EXPECT_EQ(st->watermark.value_or("-"), "1");
  proxy_->CutAll();
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(proxied_->SetWatermark("j", "id", std::string("2"), Fence{}).ok());
  EXPECT_EQ(Watermark(), "2");
}

TEST_F(PgFaultTest, AConnectionLostBeforeCommitChangesNothing) {
  proxy_->Arm(FaultProxy::Fault::kCutBefore, "sluice_state_positions");
  const Status st = proxied_->PutPositions({{"j", "a", "1"}, {"j", "b", "2"}}, Fence{});
  ASSERT_TRUE(proxy_->fired());
  EXPECT_EQ(st.code(), StatusCode::kConnection) << st.message();
  EXPECT_TRUE(st.retryable());
  EXPECT_NE(st.message().find("nothing was changed"), std::string::npos) << st.message();
  ExpectNoPassword(st.message());
  EXPECT_TRUE(direct_->ListPositions("j", "")->empty());
  // The next call connects anew.
  ASSERT_TRUE(proxied_->PutPositions({{"j", "a", "1"}}, Fence{}).ok());
  EXPECT_EQ(direct_->GetPosition("j", "a")->value_or("-"), "1");
}

TEST_F(PgFaultTest, ACommitThatNeverReachedTheServerIsOutcomeUnknown) {
  proxy_->Arm(FaultProxy::Fault::kCutBefore, "COMMIT");
  const Status st = proxied_->SetWatermark("j", "id", std::string("2"), Fence{});
  ASSERT_TRUE(proxy_->fired());
  EXPECT_EQ(st.code(), StatusCode::kOutcomeUnknown) << st.message();
  EXPECT_NE(st.message().find("may or may not have been saved"), std::string::npos) << st.message();
  ExpectNoPassword(st.message());
  EXPECT_EQ(Watermark(), "1");
  EXPECT_EQ(proxied_->Load("j")->watermark.value_or("-"), "1");
}

TEST_F(PgFaultTest, ACommitWhoseAnswerWasLostIsOutcomeUnknown) {
  proxy_->Arm(FaultProxy::Fault::kCutAfter, "COMMIT");
  const Status st = proxied_->SetWatermark("j", "id", std::string("2"), Fence{});
  ASSERT_TRUE(proxy_->fired());
  EXPECT_EQ(st.code(), StatusCode::kOutcomeUnknown) << st.message();
  // It did land: claiming either outcome would have been a guess.
  EXPECT_EQ(Watermark(), "2");
  EXPECT_EQ(proxied_->Load("j")->watermark.value_or("-"), "2");
}

TEST_F(PgFaultTest, AHungServerFailsTheCallWithinTheStallTimeout) {
  ConfigureStallWatch(1, nullptr);
  proxy_->Arm(FaultProxy::Fault::kHang, "sluice_state_jobs");
  auto start = std::chrono::steady_clock::now();
  Status st = proxied_->SetWatermark("j", "id", std::string("2"), Fence{});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  ASSERT_TRUE(proxy_->fired());
  EXPECT_EQ(st.code(), StatusCode::kConnection) << st.message();
  EXPECT_NE(st.message().find("no answer from the server"), std::string::npos) << st.message();
  EXPECT_EQ(Watermark(), "1");

  // A COMMIT that hangs: nobody can say whether it landed.
  proxy_->Arm(FaultProxy::Fault::kHang, "COMMIT");
  start = std::chrono::steady_clock::now();
  st = proxied_->SetWatermark("j", "id", std::string("3"), Fence{});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(st.code(), StatusCode::kOutcomeUnknown) << st.message();
  proxy_->CutAll();  // the server's side of the hung transaction ends

  ConfigureStallWatch(kDefaultStallTimeoutSeconds, nullptr);
  ASSERT_TRUE(proxied_->SetWatermark("j", "id", std::string("4"), Fence{}).ok());
  EXPECT_EQ(Watermark(), "4");
}

// ---- locks ----------------------------------------------------------------------------------

TEST_F(PgStateStoreTest, AStuckLockFailsTheCallInsteadOfHangingIt) {
  // The URL's own lock_timeout wins over the store's default (10 s), to keep the test short.
  auto store = OpenOrThrow(
      WithParam(ServerUrl(), "options=-csearch_path%3D" + schema_ + "%20-clock_timeout%3D300"));
  ASSERT_TRUE(store->AcquireLease("j", LeaseOwner{"a", 1}, std::chrono::seconds(60), std::nullopt)
                  ->acquired);
  RawPg holder;
  holder.Exec("BEGIN");
  holder.Exec(fmt::format("SELECT * FROM {}.sluice_state_leases FOR UPDATE", schema_));
  const auto start = std::chrono::steady_clock::now();
  Result<LeaseAttempt> attempt =
      store->AcquireLease("j", LeaseOwner{"b", 2}, std::chrono::seconds(60), 1);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(attempt.has_value());
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_TRUE(attempt.error().retryable()) << attempt.error().message();
  EXPECT_NE(attempt.error().message().find("lock"), std::string::npos) << attempt.error().message();
  // A fenced change waits on the same row.
  const Status put = store->PutPosition("j", "s", "p", Fence{"j", 1});
  EXPECT_FALSE(put.ok());
  holder.Exec("ROLLBACK");
  EXPECT_TRUE(store->PutPosition("j", "s", "p", Fence{"j", 1}).ok());
  EXPECT_EQ((*store->GetLease("j"))->owner.host, "a");
}

TEST_F(PgStateStoreTest, ATakeoverWaitsForTheFencedChangeInFlight) {
  // Alice's fenced change holds the lease row (FOR SHARE) until it commits; Bob's takeover
  // queues behind it, so the change lands while Alice still holds the lease, never after.
  auto alice = Open();
  auto bob = Open();
  Result<LeaseAttempt> a =
      alice->AcquireLease("j", LeaseOwner{"a", 1}, milliseconds(200), std::nullopt);
  ASSERT_TRUE(a->acquired);
  std::this_thread::sleep_for(milliseconds(400));
  RawPg pg;
  // A row lock on the positions row makes Alice's transaction stop between its fence check and
  // its commit.
  ASSERT_TRUE(alice->PutPosition("j", "s", "p0", Fence{}).ok());
  pg.Exec("BEGIN");
  pg.Exec(fmt::format("SELECT * FROM {}.sluice_state_positions FOR UPDATE", schema_));
  Status alice_put;
  std::thread t([&] { alice_put = alice->PutPosition("j", "s", "p1", Fence{"j", 1}); });
  // Wait until Alice holds the lease row and waits on the positions row. Watched from another
  // session: pg_stat_activity is read once per transaction, and pg's is still open.
  RawPg watcher;
  bool waiting = false;
  for (int i = 0; i < 250 && !waiting; ++i) {
    waiting = watcher.Value(fmt::format(
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                  "position('\"{}\".sluice_state_positions' IN query) > 0",
                  schema_)) == "1";
    if (!waiting) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(waiting) << "Alice's change never waited on the positions row";
  Result<LeaseAttempt> b;
  std::atomic<bool> bob_done{false};
  std::thread tb([&] {
    b = bob->AcquireLease("j", LeaseOwner{"b", 2}, std::chrono::seconds(60), std::nullopt);
    bob_done = true;
  });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(bob_done) << "the lease was taken over while a change fenced by it was in flight";
  pg.Exec("COMMIT");
  t.join();
  tb.join();
  EXPECT_TRUE(alice_put.ok()) << alice_put.message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_TRUE(b->acquired);
  EXPECT_EQ(b->lease.token, 2);
  EXPECT_EQ(bob->GetPosition("j", "s")->value_or("-"), "p1");
  EXPECT_EQ(alice->PutPosition("j", "s", "p2", Fence{"j", 1}).code(), StatusCode::kConflict);
}

}  // namespace
}  // namespace sluice::testing
