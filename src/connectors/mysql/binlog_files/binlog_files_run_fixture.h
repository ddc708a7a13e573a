// The fixture of the binlog_files runs: the real binary (build/sluice) in a temporary folder
// reads copies of binlog files the test MariaDB wrote (binlog/binlog_window.h: the server's
// closed files of one window), into a SQLite target that is then compared with the source.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/mysql/binlog/binlog_window.h"
#include "connectors/mysql/mysql_test_util.h"
#include "testing/binary_run.h"

namespace sluice::mysql::binlog_files::testing {

namespace fs = std::filesystem;
using binlog::testing::BinlogWindow;
using mysql::testing::TestDatabase;

class FilesRunFixture : public sluice::testing::BinaryRunTest {
 protected:
  // Copies `files` into the test's folder (binlogs/); returns their paths relative to it.
  std::vector<std::string> Copy(const std::vector<fs::path>& files) {
    fs::create_directories(dir_ / "binlogs");
    std::vector<std::string> out;
    for (const fs::path& f : files) {
      fs::copy_file(f, dir_ / "binlogs" / f.filename(), fs::copy_options::overwrite_existing);
      out.push_back("binlogs/" + f.filename().string());
    }
    return out;
  }

  // A realtime job reading `files` (table `table`) into `target` (a YAML flow mapping);
  // `source_more` and `settings` are added to the source mapping and to settings.
  void WriteJob(const std::vector<std::string>& files, const std::string& table,
                const std::string& target, const std::string& source_more = "",
                const std::string& settings = "{checkpoint: {rows: 20}}") {
    std::string list;
    for (const std::string& f : files) list += (list.empty() ? "" : ", ") + f;
    std::ofstream(dir_ / "job.yaml") << fmt::format(
        "name: binlog_files_run\nmode: realtime\n"
        "source: {{type: mysql, binlog_files: [{}], table: {}{}}}\n"
        "target: {}\nsettings: {}\n",
        list, table, source_more.empty() ? "" : ", " + source_more, target, settings);
  }

  // Rows of a query on the SQLite target, fields joined by '|', NULL as "NULL".
  std::vector<std::string> TargetRows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3* h = nullptr;
    if (sqlite3_open((dir_ / "out.db").c_str(), &h) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
          std::string line;
          for (int i = 0; i < sqlite3_column_count(st); ++i) {
            const unsigned char* v = sqlite3_column_text(st, i);
            line += (i ? "|" : "") + (v ? std::string(reinterpret_cast<const char*>(v)) : "NULL");
          }
          out.push_back(line);
        }
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
  }
  // count(*) and count(DISTINCT id) of the target's table t; -1 when there is none yet.
  std::pair<int64_t, int64_t> TargetCounts() {
    const std::vector<std::string> r = TargetRows("SELECT count(*), count(DISTINCT id) FROM t");
    if (r.empty()) return {-1, -1};
    const size_t bar = r[0].find('|');
    return {std::stoll(r[0].substr(0, bar)), std::stoll(r[0].substr(bar + 1))};
  }
};

// Transactions [from, to) of three inserts each into `t (id INT PRIMARY KEY, v ...)`: ids
// 3t+1..3t+3; a FLUSH BINARY LOGS (a new file) after every `per_file` transactions.
inline void InsertTriples(TestDatabase& db, int from, int to, int per_file) {
  for (int t = from; t < to; ++t) {
    db.Exec("BEGIN");
    db.Exec(
        fmt::format("INSERT INTO t VALUES ({}, 'a{}'), ({}, 'b{}')", 3 * t + 1, t, 3 * t + 2, t));
    db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'c{}')", 3 * t + 3, t));
    db.Exec("COMMIT");
    if (per_file > 0 && (t + 1 - from) % per_file == 0 && t + 1 < to) {
      db.Exec("FLUSH BINARY LOGS");
    }
  }
}

}  // namespace sluice::mysql::binlog_files::testing
