// Run counts against a real PostgreSQL target (issue 8, item 10): every row read is written,
// rejected, filtered out or rolled back, also when the target refuses rows late. PostgreSQL's
// writer checks a chunk of batches at once and refuses the bad rows of the last chunk in
// Finish(), after the engine handed their batches over; the counts must still add up, and a
// run that fails must say it wrote nothing (it rolled back).
//
// Needs the throwaway servers (ctest fixture db_servers, or scripts/test-servers.sh and
// SLUICE_TEST_SERVERS_ENV). Uses a schema per test (counts_TESTNAME), dropped first.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "server_test.h"
#include "support/db_clients.h"

namespace sluice::counts_test {
namespace {

using ::sluice::e2e::ProcessResult;
using test_db::PgClient;

constexpr int kRows = 3000;
constexpr int kRefused = 3;  // ids 1000, 2000, 3000 have v = 0, which the CHECK refuses

class CountsTest : public hardening::ServerTest {
 protected:
  CountsTest() : ServerTest("counts") {}

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    std::string csv = "id,v\n";
    for (int id = 1; id <= kRows; ++id) {
      csv += std::to_string(id) + "," + (id % 1000 == 0 ? "0" : "1") + "\n";
    }
    ASSERT_TRUE(e2e::WriteFile(workspace_->Path("in.csv"), csv).has_value());
    schema_ = hardening::TestScopedName(schema_);
    PgClient pg(servers_.pg_url);
    pg.Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_ +
            "; CREATE TABLE " + schema_ +
            ".checked (id bigint PRIMARY KEY, v bigint CHECK (v > 0))");
  }

  ProcessResult Run(int error_limit) {
    const std::string job =
        "name: counted\n"
        "source: {type: csv, path: in.csv, schema: {id: int64, v: int64}}\n"
        "target: {type: postgres, url: \"" +
        servers_.pg_url + "\", table: " + schema_ +
        ".checked}\n"
        "settings: {error_limit: {rows: " +
        std::to_string(error_limit) + "}}\n";
    return Sluice("run", job, {"--progress", "none", "--json"});
  }

  std::string schema_ = "counts_";

  static nlohmann::json Summary(const ProcessResult& r) {
    nlohmann::json j = nlohmann::json::parse(r.stdout_text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << r.stdout_text << r.stderr_text;
    return j;
  }
};

TEST_F(CountsTest, RowsThePostgresTargetRefusesAreRejectedNotWritten) {
  ProcessResult r = Run(10);
  ASSERT_EQ(r.exit_code, 0) << r.Describe() << r.stdout_text << r.stderr_text;
  nlohmann::json s = Summary(r);
  EXPECT_EQ(s["rows_read"], kRows);
  EXPECT_EQ(s["rows_written"], kRows - kRefused);
  EXPECT_EQ(s["rows_rejected"], kRefused);
  EXPECT_EQ(s["rows_filtered"], 0);
  EXPECT_EQ(s["rows_rolled_back"], 0);
  PgClient pg(servers_.pg_url);
  EXPECT_EQ(pg.Value("SELECT count(*) FROM " + schema_ + ".checked"),
            std::to_string(kRows - kRefused));
}

TEST_F(CountsTest, AFailedRunWroteNothingAndSaysWhatItRolledBack) {
  ProcessResult r = Run(0);  // the first refused row fails the run
  ASSERT_EQ(r.exit_code, 1) << r.Describe() << r.stdout_text << r.stderr_text;
  nlohmann::json s = Summary(r);
  EXPECT_EQ(s["ok"], false);
  EXPECT_EQ(s["rows_written"], 0) << r.stdout_text;
  EXPECT_EQ(s["rows_rejected"], 1) << r.stdout_text;
  const int64_t read = s["rows_read"];
  EXPECT_GT(read, 0);
  EXPECT_EQ(s["rows_rolled_back"], read - 1) << r.stdout_text;
  PgClient pg(servers_.pg_url);
  EXPECT_EQ(pg.Value("SELECT count(*) FROM " + schema_ + ".checked"), "0");
}

}  // namespace
}  // namespace sluice::counts_test
