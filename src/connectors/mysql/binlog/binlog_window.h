// BinlogWindow (tests): the binlog files the test MariaDB writes while a test changes its
// tables, as paths in the server's datadir, for tests that read binlog files (the decoder's live
// test, the binlog_files runs). One window is open at a time server-wide (a named lock), since
// each FLUSH BINARY LOGS rotates the server's one binlog.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql::binlog::testing {

namespace fs = std::filesystem;
using mysql::testing::TestDatabase;

// The text before the first '|' of a row of TestDatabase::Rows (the file name of SHOW ...).
inline std::string FirstField(const std::string& row) {
  return row.substr(0, row.find('|'));
}

// The binlog files the server writes: FLUSH BINARY LOGS before, FLUSH after, and read every
// file from the first to the one before the newest (other tests may flush too).
class BinlogWindow {
 public:
  // Windows of tests running at once would cut each other's files (each FLUSH rotates the
  // server's one binlog): a server-wide named lock lets one window be open at a time.
  // A window with `checksum` set writes its files with that binlog_checksum: changing it
  // rotates the server's binlog, so it happens only while the window's lock is held, and
  // CRC32 comes back before the lock is released.
  explicit BinlogWindow(TestDatabase& db, std::string checksum = "")
      : db_(db), checksum_(std::move(checksum)) {
    EXPECT_EQ(db_.Value("SELECT GET_LOCK('sluice_binlog_window', 300)"), "1");
    if (!checksum_.empty()) db_.Exec("SET GLOBAL binlog_checksum = " + checksum_);
    db_.Exec("FLUSH BINARY LOGS");
    first_ = FirstField(db_.Value("SHOW MASTER STATUS"));
    dir_ = fs::path(db_.Value("SELECT @@log_bin_basename")).parent_path();
  }
  std::vector<fs::path> Close() {
    db_.Exec("FLUSH BINARY LOGS");
    const std::string current = FirstField(db_.Value("SHOW MASTER STATUS"));
    std::vector<fs::path> files;
    for (const std::string& row : db_.Rows("SHOW BINARY LOGS")) {
      const std::string name = FirstField(row);
      if (name >= first_ && name < current) files.push_back(dir_ / name);
    }
    Release();
    return files;
  }
  ~BinlogWindow() { Release(); }

 private:
  void Release() {
    if (!open_) return;
    open_ = false;
    if (!checksum_.empty()) db_.Exec("SET GLOBAL binlog_checksum = CRC32");
    db_.Value("SELECT RELEASE_LOCK('sluice_binlog_window')");
  }

  TestDatabase& db_;
  std::string checksum_;
  std::string first_;
  fs::path dir_;
  bool open_ = true;
};

}  // namespace sluice::mysql::binlog::testing
