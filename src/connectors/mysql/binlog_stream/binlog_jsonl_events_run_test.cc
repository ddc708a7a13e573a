// The real binary (build/sluice, beside this test binary) follows the test MariaDB's binlog
// into a JSON-lines target: every line is a Debezium-style change event whose op and values
// match the SQL that was run, a key move included (a delete and a create); the run's --json
// summary counts the changes by kind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog_stream {
namespace {

namespace fs = std::filesystem;
using mysql::testing::TestDatabase;

class EventsRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = fs::read_symlink("/proc/self/exe").parent_path() / "sluice";
    if (!fs::exists(binary_)) GTEST_SKIP() << binary_ << " is not built";
    char tmpl[] = "/tmp/sluice-binlog-events-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  // Runs `sluice run job.yaml --catch-up --json`; returns the exit code.
  int CatchUp() {
    const pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      setenv("SLUICE_STATE", (dir_ / "state.db").c_str(), 1);
      FILE* out = freopen((dir_ / "run.json").c_str(), "w", stdout);
      FILE* err = freopen((dir_ / "run.err").c_str(), "w", stderr);
      (void)out;
      (void)err;
      execl(binary_.c_str(), binary_.c_str(), "run", "job.yaml", "--catch-up", "--json",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path binary_;
  fs::path dir_;
};

TEST_F(EventsRunTest, EveryChangeIsOneEventWithTheSqlValues) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: binlog_events_{}\nmode: realtime\n"
      "source: {{type: mysql, url: \"{}\", table: {}.t}}\n"
      "target: {{type: jsonl, path: out.jsonl, write_mode: append, key: [id]}}\n",
      db.name(), db.Url(), db.name());
  ASSERT_EQ(CatchUp(), 0) << Read("run.err");  // the stream starts now

  db.Exec("INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, '')");
  db.Exec("UPDATE t SET v = 'h\xC3\xA9 \xF0\x9F\x98\x80' WHERE id = 1");
  db.Exec("UPDATE t SET id = 10 WHERE id = 2");  // a key move
  db.Exec("DELETE FROM t WHERE id = 3");
  ASSERT_EQ(CatchUp(), 0) << Read("run.err");

  using nlohmann::json;
  // The --json summary counts the changes by kind: the key move is one update as read.
  const json summary = json::parse(Read("run.json"));
  EXPECT_EQ(summary["changes"]["inserts"], 3) << summary.dump();
  EXPECT_EQ(summary["changes"]["updates"], 2) << summary.dump();
  EXPECT_EQ(summary["changes"]["deletes"], 1) << summary.dump();
  EXPECT_GE(summary["checkpoints"].get<int64_t>(), 1);
  EXPECT_TRUE(summary.contains("lag_ms"));
  EXPECT_EQ(summary["position_after"].get<std::string>().rfind("binlog ", 0), 0u) << summary.dump();

  std::vector<json> events;
  std::istringstream lines(Read("out.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    events.push_back(json::parse(line));  // throws (fails the test) on a line that is not JSON
  }
  const json null;
  const std::vector<std::tuple<std::string, json, json>> want = {
      {"c", null, json{{"id", 1}, {"v", "a"}}},
      {"c", null, json{{"id", 2}, {"v", null}}},
      {"c", null, json{{"id", 3}, {"v", ""}}},
      {"u", json{{"id", 1}, {"v", "a"}}, json{{"id", 1}, {"v", "h\xC3\xA9 \xF0\x9F\x98\x80"}}},
      {"d", json{{"id", 2}, {"v", null}}, null},
      {"c", null, json{{"id", 10}, {"v", null}}},
      {"d", json{{"id", 3}, {"v", ""}}, null},
  };
  ASSERT_EQ(events.size(), want.size()) << Read("out.jsonl");
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& [op, before, after] = want[i];
    EXPECT_EQ(events[i]["op"], op) << i;
    EXPECT_EQ(events[i]["before"], before) << i;
    EXPECT_EQ(events[i]["after"], after) << i;
    const json& source = events[i]["source"];
    EXPECT_EQ(source["connector"], "mysql") << i;
    EXPECT_EQ(source["db"], db.name()) << i;
    EXPECT_EQ(source["table"], "t") << i;
    ASSERT_TRUE(source["position"].is_string()) << i;
    // The position after the batch's last transaction: at most where the run ended.
    EXPECT_NE(summary["position_after"].get<std::string>().find(
                  source["position"].get<std::string>().substr(0, 7)),
              std::string::npos)
        << i;
    EXPECT_GT(source["ts_ms"].get<int64_t>(), 1700000000000) << i;
    EXPECT_EQ(source["snapshot"], false) << i;
    EXPECT_GE(events[i]["ts_ms"].get<int64_t>(), source["ts_ms"].get<int64_t>()) << i;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
