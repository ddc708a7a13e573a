// The server settings a binlog stream needs, checked once at Open: pure, so a test can give
// any values without touching a shared server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::mysql::binlog_stream {

struct BinlogSettings {
  std::string log_bin;           // @@log_bin: "1"/"ON"
  std::string binlog_format;     // @@binlog_format: "ROW"
  std::string binlog_row_image;  // @@binlog_row_image: "FULL"
};

// OK, or one line per wrong setting saying what to change.
Status CheckBinlogSettings(const BinlogSettings& s, const std::string& server);

// The server's binlog filters (SHOW MASTER STATUS: Binlog_Do_DB, Binlog_Ignore_DB, comma
// separated): the changes of a database they leave out are never written, so a job on one would
// see none of them. OK, or the databases left out and what to change.
Status CheckBinlogFilters(std::string_view do_db, std::string_view ignore_db,
                          const std::vector<std::string>& databases, const std::string& server);

// The replica server id of a job when `server_id` is not set: stable for a job name and
// distinct between jobs (FNV-1a), away from the small ids servers usually have.
uint32_t DefaultServerId(const std::string& job_name);

}  // namespace sluice::mysql::binlog_stream
