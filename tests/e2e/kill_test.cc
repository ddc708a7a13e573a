// Crash test: `kill -9` a run at a random moment, run again, and the target must be what clean
// runs leave. For each write mode that can be exact (docs/guarantees.md):
//   overwrite, upsert: after the re-run the target equals one clean run's target;
//   append:            every run that completed (on its own, or that the re-run's recovery found
//                      committed) added exactly one copy of the rows, and the killed run added
//                      all of its rows or none. Each run tags its rows (--set tag=N) so the
//                      check can tell the copies apart.
// The kill moments are stratified over the length of a clean run (plus 30%), so every round
// hits a different phase: start-up, reading, committing, confirming, or after the end.
// Set SLUICE_KILL_SEED to replay a failing sequence (the seed is printed).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/sqlite_db.h"
#include "support/workspace.h"

namespace sluice::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kRows = 300000;
constexpr int kRounds = 6;
constexpr auto kRunTimeout = std::chrono::seconds(120);
// Kill moments are spread over this many times a clean run's length: a killed run is often
// slower than the clean one (its target is bigger), and the moments after the commit matter.
constexpr double kKillWindow = 1.3;
// The recovery note of a re-run that found the killed run's data in the target.
constexpr const char* kRecoveredCommitted = "after the target committed";

// An order-independent fingerprint of a multiset of lines: equal fingerprints mean (up to a
// 2^-64 chance) the same lines the same number of times. Cheaper than sorting millions.
struct Fingerprint {
  uint64_t count = 0;
  uint64_t sum = 0;
  void Add(std::string_view line) {
    uint64_t h = std::hash<std::string_view>{}(line) + 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64: spreads similar hashes
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    sum += h ^ (h >> 31);
    ++count;
  }
  bool operator==(const Fingerprint&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Fingerprint& f) {
  return os << f.count << " rows (hash " << std::hex << f.sum << std::dec << ")";
}

Fingerprint FingerprintOf(const std::vector<std::string>& lines) {
  Fingerprint f;
  for (const std::string& l : lines) f.Add(l);
  return f;
}

// Rows whose last field is a run tag, grouped by tag (the tag removed).
std::map<std::string, Fingerprint> GroupByTag(const std::vector<std::string>& lines, char sep) {
  std::map<std::string, Fingerprint> out;
  for (const std::string& l : lines) {
    const size_t at = l.rfind(sep);
    const std::string_view line(l);
    out[l.substr(at + 1)].Add(line.substr(0, at));
  }
  return out;
}

// How to read a target back as lines.
struct Target {
  std::string yaml;      // the job's target section
  bool tagged = false;   // append modes: rows carry the run's tag as their last column
  char separator = '|';  // between the fields of a line that `read` returns
  // The target's rows as lines. `tags`, when not empty, lets a reader that can filter cheaply
  // return only the rows of those runs (the others were checked in earlier rounds).
  std::function<std::vector<std::string>(const std::string& dir,
                                         const std::vector<std::string>& tags)>
      read;
  // Rows per tag over the whole target, for readers that filter; null: count what read gives.
  std::function<std::map<std::string, uint64_t>(const std::string& dir)> count_tags;
};

class KillTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ws = Workspace::Create("sluice-kill-source-");
    ASSERT_TRUE(ws) << ws.error();
    source_dir_ = new Workspace(std::move(*ws));
    ASSERT_TRUE(ExecSqlite(source_dir_->Path("source.db"), SourceSql(kRows)));
  }
  static void TearDownTestSuite() {
    delete source_dir_;
    source_dir_ = nullptr;
  }

  // Rows with a decimal kept as text, a float, a timestamp and text, like a real export.
  static std::string SourceSql(int rows) {
    return "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), score REAL, "
           "created DATETIME);"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
           std::to_string(rows) +
           ") INSERT INTO t SELECT i, 'name-' || (i * 7919 % 100003), "
           "printf('%d.%02d', i % 100000, i % 100), (i % 1000) / 8.0, "
           "datetime('2024-01-01 00:00:00', '+' || (i / 10) || ' seconds') FROM n;";
  }

  void SetUp() override {
    auto ws = Workspace::Create("sluice-kill-");
    ASSERT_TRUE(ws) << ws.error();
    dir_ = std::make_unique<Workspace>(std::move(*ws));
    const char* env_seed = std::getenv("SLUICE_KILL_SEED");
    seed_ = env_seed ? std::stoull(env_seed) : std::random_device{}();
    rng_.seed(seed_);
    std::cout << "SLUICE_KILL_SEED=" << seed_ << "\n";
  }

  void TearDown() override {
    if (HasFailure()) {
      dir_->Keep();
      std::cout << "directory kept: " << dir_->root() << "\n";
    }
  }

  // A directory for one series of runs, with its own copy of the source and its own state.
  std::string NewRunDir(const std::string& name, const std::string& job) {
    const std::string dir = dir_->Path(name);
    fs::create_directories(dir + "/out");
    fs::copy_file(source_dir_->Path("source.db"), dir + "/source.db");
    EXPECT_TRUE(WriteFile(dir + "/job.yaml", job));
    return dir;
  }

  ProcessSpec Spec(const std::string& dir, const std::vector<std::string>& extra) {
    ProcessSpec spec;
    spec.argv = {SLUICE_BINARY, "run", "job.yaml", "--progress", "none", "--json"};
    spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
    spec.cwd = dir;
    spec.env["SLUICE_STATE"] = dir + "/state.db";
    spec.stdout_path = dir + ".stdout";
    spec.stderr_path = dir + ".stderr";
    return spec;
  }

  // A run to completion, which must succeed.
  ProcessResult RunClean(const std::string& dir, const std::vector<std::string>& extra) {
    ProcessResult r = RunProcess(Spec(dir, extra), kRunTimeout);
    EXPECT_EQ(r.exit_code, 0) << r.Describe() << "\n" << r.stdout_text << r.stderr_text;
    return r;
  }

  // Whether the state store of `dir` holds a run in flight (`sluice state show`).
  bool RunInFlight(const std::string& dir) {
    ProcessSpec spec = Spec(dir, {});
    spec.argv = {SLUICE_BINARY, "state", "show"};
    ProcessResult r = RunProcess(spec, kRunTimeout);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    return r.stdout_text.find("in flight") != std::string::npos;
  }

  // Starts a run and kills it with SIGKILL after `delay`, unless it ended before.
  ProcessResult RunAndKill(const std::string& dir, const std::vector<std::string>& extra,
                           milliseconds delay) {
    Process p = Process::Start(Spec(dir, extra));
    const auto deadline = Clock::now() + delay;
    while (Clock::now() < deadline && p.Running()) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return p.Running() ? p.Kill() : p.Wait(milliseconds(0));
  }

  // Kill moments for kRounds rounds: one in each stratum of [0, kKillWindow * clean run time).
  std::vector<milliseconds> KillDelays(double clean_seconds) {
    std::vector<milliseconds> out;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double span_ms = clean_seconds * 1000.0 * kKillWindow;
    for (int i = 0; i < kRounds; ++i) {
      out.emplace_back(static_cast<int64_t>(span_ms * (i + u(rng_)) / kRounds));
    }
    std::shuffle(out.begin(), out.end(), rng_);  // not always early-to-late
    return out;
  }

  // The whole scenario for one write mode: a clean reference run, then kill/re-run rounds.
  // `setup_sql` prepares the target before the first run (e.g. stale rows for upsert).
  void RunScenario(const Target& target, const std::string& setup_sql = "") {
    const std::string job =
        "name: crash\n"
        "source: {type: sqlite, path: source.db, table: t, split_key: id}\n" +
        target.yaml + (target.tagged ? "transforms:\n  - set: {tag: \"'${tag}'\"}\n" : "") +
        "settings: {parallelism: 2}\n";
    auto tag_args = [&](const std::string& tag) {
      return target.tagged ? std::vector<std::string>{"--set", "tag=" + tag}
                           : std::vector<std::string>{};
    };

    const std::string ref = NewRunDir("reference", job);
    const std::string dir = NewRunDir("crashed", job);
    if (!setup_sql.empty()) {
      ASSERT_TRUE(ExecSqlite(ref + "/target.db", setup_sql));
      ASSERT_TRUE(ExecSqlite(dir + "/target.db", setup_sql));
    }
    const auto start = Clock::now();
    ASSERT_EQ(RunClean(ref, tag_args("ref")).exit_code, 0);
    const double clean_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const std::vector<std::string> ref_lines = target.read(ref, {});
    const Fingerprint expected =
        target.tagged ? GroupByTag(ref_lines, target.separator)["ref"] : FingerprintOf(ref_lines);
    ASSERT_EQ(expected.count, static_cast<uint64_t>(kRows)) << "the clean run lost rows";
    std::cout << "clean run: " << clean_seconds << " s\n";

    std::set<std::string> committed;  // tags of runs whose rows must be in the target
    int round = 0;
    for (milliseconds delay : KillDelays(clean_seconds)) {
      ++round;
      const std::string killed_tag = "k" + std::to_string(round);
      const std::string rerun_tag = "r" + std::to_string(round);
      ProcessResult killed = RunAndKill(dir, tag_args(killed_tag), delay);
      const bool finished = killed.signal == 0;
      if (finished) {
        ASSERT_EQ(killed.exit_code, 0) << killed.stdout_text << killed.stderr_text;
      }
      // Killed after its run was confirmed (while printing or exiting): done, nothing pending.
      const bool confirmed = !finished && !RunInFlight(dir);
      ProcessResult rerun = RunClean(dir, tag_args(rerun_tag));
      ASSERT_EQ(rerun.exit_code, 0);
      const bool recovered = rerun.stdout_text.find(kRecoveredCommitted) != std::string::npos;
      std::cout << "round " << round << ": kill after " << delay.count()
                << " ms: " << (finished ? "the run had finished" : "killed")
                << (recovered ? "; the re-run found it committed" : "") << "\n";
      SCOPED_TRACE("round " + std::to_string(round) + ", kill after " +
                   std::to_string(delay.count()) + " ms");

      const std::vector<std::string> lines =
          target.read(dir, target.tagged ? std::vector<std::string>{killed_tag, rerun_tag}
                                         : std::vector<std::string>{});
      if (!target.tagged) {
        ASSERT_EQ(FingerprintOf(lines), expected) << "the target differs from a clean run's";
        continue;
      }
      std::map<std::string, Fingerprint> groups = GroupByTag(lines, target.separator);
      // The killed run: all of its rows or none, and the re-run's recovery must agree.
      if (auto it = groups.find(killed_tag); it != groups.end()) {
        ASSERT_EQ(it->second, expected) << "the killed run left a partial copy";
        ASSERT_TRUE(finished || recovered || confirmed)
            << "the killed run's rows are in the target, but recovery said it had not committed"
            << "\n"
            << rerun.stdout_text;
        committed.insert(killed_tag);
      } else {
        ASSERT_FALSE(finished) << "a run that succeeded left no rows";
        ASSERT_FALSE(recovered) << "recovery said the killed run committed, but its rows are "
                                   "not in the target\n"
                                << rerun.stdout_text;
      }
      committed.insert(rerun_tag);
      for (const auto& [tag, fingerprint] : groups) {
        EXPECT_EQ(fingerprint, expected) << "run " << tag << " did not add exactly one copy";
      }
      std::map<std::string, uint64_t> counts;
      if (target.count_tags) {
        counts = target.count_tags(dir);
      } else {
        for (const auto& [tag, fingerprint] : groups) counts[tag] = fingerprint.count;
      }
      for (const auto& [tag, count] : counts) {
        EXPECT_TRUE(committed.count(tag)) << "rows of run " << tag << " should not be there";
        EXPECT_EQ(count, expected.count) << "run " << tag << " has lost or gained rows";
      }
      for (const std::string& tag : committed) {
        EXPECT_TRUE(counts.count(tag)) << "the rows of completed run " << tag << " are missing";
      }
      if (HasFailure()) return;
    }
  }

  static Workspace* source_dir_;
  std::unique_ptr<Workspace> dir_;
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
};

Workspace* KillTest::source_dir_ = nullptr;

// A CSV target read back: its lines after the header; nothing but the target may be left in
// out/ (a temp file left behind by a killed run must have been cleaned up).
std::vector<std::string> ReadCsvTarget(const std::string& dir,
                                       const std::vector<std::string>& /*tags*/) {
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir + "/out")) {
    entries.push_back(e.path().filename().string());
  }
  EXPECT_EQ(entries, std::vector<std::string>{"t.csv"}) << "leftovers in " << dir << "/out";
  auto text = ReadFile(dir + "/out/t.csv");
  EXPECT_TRUE(text) << text.error();
  std::vector<std::string> lines = SplitLines(text.value_or(""));
  if (lines.empty()) return lines;
  const std::string header = lines.front();
  std::erase(lines, header);  // an appended file must not repeat its header either
  return lines;
}

std::vector<std::string> ReadSqliteTarget(const std::string& dir,
                                          const std::vector<std::string>& tags) {
  std::string query = "SELECT * FROM t";
  if (!tags.empty()) {  // tags are the test's own names: k1, r1, ...
    query += " WHERE tag IN (";
    for (size_t i = 0; i < tags.size(); ++i) query += (i ? ", '" : "'") + tags[i] + "'";
    query += ")";
  }
  auto rows = QuerySqlite(dir + "/target.db", query);
  EXPECT_TRUE(rows) << rows.error();
  return rows.value_or(std::vector<std::string>{});
}

std::map<std::string, uint64_t> CountSqliteTags(const std::string& dir) {
  auto rows = QuerySqlite(dir + "/target.db", "SELECT tag, count(*) FROM t GROUP BY tag");
  EXPECT_TRUE(rows) << rows.error();
  std::map<std::string, uint64_t> out;
  for (const std::string& r : rows.value_or(std::vector<std::string>{})) {
    out[r.substr(0, r.find('|'))] = std::stoull(r.substr(r.find('|') + 1));
  }
  return out;
}

TEST_F(KillTest, CsvOverwrite) {
  RunScenario({.yaml = "target: {type: csv, path: out/t.csv, write_mode: overwrite}\n",
               .separator = ',',
               .read = ReadCsvTarget});
}

TEST_F(KillTest, CsvAppend) {
  RunScenario({.yaml = "target: {type: csv, path: out/t.csv, write_mode: append}\n",
               .tagged = true,
               .separator = ',',
               .read = ReadCsvTarget});
}

TEST_F(KillTest, SqliteAppend) {
  RunScenario({.yaml = "target: {type: sqlite, path: target.db, table: t, write_mode: append}\n",
               .tagged = true,
               .read = ReadSqliteTarget,
               .count_tags = CountSqliteTags});
}

TEST_F(KillTest, SqliteOverwrite) {
  RunScenario({.yaml = "target: {type: sqlite, path: target.db, table: t, write_mode: overwrite}\n",
               .read = ReadSqliteTarget});
}

// The target starts with stale versions of some rows and rows the source does not have:
// upsert must update the first, keep the second, and add the rest, exactly once.
TEST_F(KillTest, SqliteUpsert) {
  const std::string stale =
      "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), score REAL, "
      "created DATETIME);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
      "INSERT INTO t SELECT i * 300, 'stale', '0.00', 0, '2000-01-01 00:00:00' FROM n;"
      "INSERT INTO t VALUES (-1, 'only in target', '1.00', 1, '2000-01-01 00:00:00');";
  Target target{
      .yaml = "target: {type: sqlite, path: target.db, table: t, write_mode: upsert, key: [id]}\n",
      .read = [](const std::string& dir, const std::vector<std::string>& tags) {
        std::vector<std::string> rows = ReadSqliteTarget(dir, tags);
        std::erase_if(rows, [](const std::string& r) { return r.starts_with("-1|"); });
        return rows;
      }};
  RunScenario(target, stale);
  auto kept = QuerySqlite(dir_->Path("crashed/target.db"), "SELECT name FROM t WHERE id = -1");
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, std::vector<std::string>{"only in target"});
}

// SIGTERM (and Ctrl-C) stop a run cleanly: exit 1, "nothing was committed", the target as it
// was, no run left pending; the next run then succeeds without any recovery. The job is
// throttled so that the signal surely arrives mid-run.
TEST_F(KillTest, SigtermRollsBack) {
  const std::string dir =
      NewRunDir("sigterm",
                "name: sigterm\n"
                "source: {type: sqlite, path: source.db, table: t}\n"
                "target: {type: sqlite, path: target.db, table: t, write_mode: overwrite}\n"
                "settings: {rate_limit: {rows_per_second: 100000}, batch_rows: 1000}\n");
  ASSERT_TRUE(ExecSqlite(dir + "/target.db",
                         "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount "
                         "DECIMAL(12,2), score REAL, created DATETIME);"
                         "INSERT INTO t VALUES (-1, 'before', '1.00', 1, '2000-01-01');"));
  Process p = Process::Start(Spec(dir, {}));
  std::this_thread::sleep_for(milliseconds(800));
  ASSERT_TRUE(p.Running()) << "the throttled run ended before the signal";
  p.Signal(SIGTERM);
  ProcessResult r = p.Wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.Describe() << "\n" << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("error: stopped by a signal; nothing was committed\n"),
            std::string::npos)
      << r.stderr_text;
  auto rows = QuerySqlite(dir + "/target.db", "SELECT id, name FROM t");
  ASSERT_TRUE(rows) << rows.error();
  EXPECT_EQ(*rows, std::vector<std::string>{"-1|before"});

  ProcessResult again = RunClean(dir, {"--set", "settings.rate_limit.rows_per_second=0"});
  EXPECT_EQ(again.stdout_text.find("recovery"), std::string::npos) << again.stdout_text;
  auto count = QuerySqlite(dir + "/target.db", "SELECT count(*) FROM t WHERE id > 0");
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, std::vector<std::string>{std::to_string(kRows)});
}

// Incremental: rows keep arriving (some with a watermark equal to the current maximum, which
// the previous run left for the next one), run 2 and later are killed at random moments and
// re-run. In the end every row must be in the append-only target exactly once.
TEST_F(KillTest, IncrementalExactlyOnce) {
  const std::string dir = dir_->Path("incremental");
  fs::create_directories(dir);
  ASSERT_TRUE(WriteFile(dir + "/job.yaml",
                        "name: crash_incremental\n"
                        "source: {type: sqlite, path: source.db, table: t, split_key: id,\n"
                        "         incremental: {column: ts}}\n"
                        "target: {type: sqlite, path: target.db, table: t, write_mode: append}\n"
                        "settings: {parallelism: 2}\n"));
  // Ten rows share each timestamp, so a run's high watermark always splits a group.
  auto insert = [&](int first, int count) {
    return ExecSqlite(dir + "/source.db",
                      "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) +
                          " UNION ALL SELECT i + 1 FROM n WHERE i < " +
                          std::to_string(first + count - 1) +
                          ") INSERT INTO t SELECT i, 'row-' || i, "
                          "datetime('2024-01-01 00:00:00', '+' || (i / 10) || ' seconds') "
                          "FROM n;");
  };
  ASSERT_TRUE(ExecSqlite(dir + "/source.db",
                         "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, ts DATETIME);"));
  ASSERT_TRUE(insert(1, 100000));
  const auto start = Clock::now();
  ASSERT_EQ(RunClean(dir, {}).exit_code, 0);
  const double clean_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  int next_id = 100001;
  for (milliseconds delay : KillDelays(clean_seconds * 0.6)) {
    // Rows with the current maximum timestamp first (equal to the stored high watermark),
    // then newer ones.
    ASSERT_TRUE(ExecSqlite(dir + "/source.db",
                           "INSERT INTO t SELECT id + 1000000, 'same-ts-' || id, ts FROM t "
                           "WHERE ts = (SELECT MAX(ts) FROM t);"));
    ASSERT_TRUE(insert(next_id, 50000));
    next_id += 50000;
    ProcessResult killed = RunAndKill(dir, {}, delay);
    std::cout << "kill after " << delay.count()
              << " ms: " << (killed.signal == 0 ? "the run had finished" : "killed") << "\n";
    if (killed.signal == 0) {
      ASSERT_EQ(killed.exit_code, 0) << killed.stderr_text;
    }
    ASSERT_EQ(RunClean(dir, {}).exit_code, 0);
  }
  // One newer row moves the high watermark past every row above.
  ASSERT_TRUE(ExecSqlite(dir + "/source.db",
                         "INSERT INTO t VALUES (-1, 'sentinel', '2999-01-01 00:00:00');"));
  ASSERT_EQ(RunClean(dir, {}).exit_code, 0);

  auto source_rows = QuerySqlite(dir + "/source.db", "SELECT count(*) FROM t WHERE id > 0");
  ASSERT_TRUE(source_rows);
  auto counts = QuerySqlite(dir + "/target.db", "SELECT count(*), count(DISTINCT id) FROM t");
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, std::vector<std::string>{source_rows->front() + "|" + source_rows->front()})
      << "target rows | distinct ids, against the source's rows";
  // With as many distinct ids as source rows, no source row missing means the same set.
  auto missing = QuerySqlite(dir + "/target.db",
                             "SELECT count(*) FROM (SELECT id, name FROM src.t WHERE id > 0 "
                             "EXCEPT SELECT id, name FROM t)",
                             {{"src", dir + "/source.db"}});
  ASSERT_TRUE(missing) << missing.error();
  EXPECT_EQ(*missing, std::vector<std::string>{"0"}) << "source rows missing from the target";
}

}  // namespace
}  // namespace sluice::e2e
