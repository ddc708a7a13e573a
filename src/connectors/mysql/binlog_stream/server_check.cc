#include "connectors/mysql/binlog_stream/server_check.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace sluice::mysql::binlog_stream {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

Status CheckBinlogSettings(const BinlogSettings& s, const std::string& server) {
  std::vector<std::string> lines;
  const std::string log_bin = Upper(s.log_bin);
  if (log_bin != "1" && log_bin != "ON") {
    lines.push_back(
        fmt::format("log_bin is {}: start the server with log_bin (binary logging) enabled",
                    s.log_bin.empty() ? "OFF" : s.log_bin));
  }
  if (Upper(s.binlog_format) != "ROW") {
    lines.push_back(
        fmt::format("binlog_format is {}: set binlog_format=ROW (SET GLOBAL "
                    "binlog_format='ROW' and in the server's config)",
                    s.binlog_format));
  }
  if (Upper(s.binlog_row_image) != "FULL") {
    lines.push_back(
        fmt::format("binlog_row_image is {}: set binlog_row_image=FULL (SET GLOBAL "
                    "binlog_row_image='FULL' and in the server's config)",
                    s.binlog_row_image));
  }
  if (lines.empty()) return Status::OK();
  std::string text = fmt::format("{}: realtime reading needs the row binlog:", server);
  for (const std::string& l : lines) text += "\n  " + l;
  return Status::Invalid("{}", text);
}

Status CheckBinlogFilters(std::string_view do_db, std::string_view ignore_db,
                          const std::vector<std::string>& databases, const std::string& server) {
  auto listed = [](std::string_view list, const std::string& db) {
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      if (list.substr(start, comma - start) == db) return true;
      start = comma + 1;
    }
    return false;
  };
  std::vector<std::string> lines;
  for (const std::string& db : databases) {
    if (!do_db.empty() && !listed(do_db, db)) {
      lines.push_back(fmt::format("database {} is not in binlog_do_db ({}): add it", db, do_db));
    } else if (!ignore_db.empty() && listed(ignore_db, db)) {
      lines.push_back(
          fmt::format("database {} is in binlog_ignore_db ({}): take it out", db, ignore_db));
    }
  }
  if (lines.empty()) return Status::OK();
  std::string text = fmt::format(
      "{}: the server does not write the changes of the job's tables to its binlog:", server);
  for (const std::string& l : lines) text += "\n  " + l;
  return Status::Invalid("{}", text);
}

uint32_t DefaultServerId(const std::string& job_name) {
  uint32_t h = 2166136261u;
  for (unsigned char c : job_name) {
    h ^= c;
    h *= 16777619u;
  }
  // 1e6 .. ~2.1e9: clear of the 1, 2, 3... that servers and replicas are usually given.
  return 1000000u + h % 2000000000u;
}

}  // namespace sluice::mysql::binlog_stream
