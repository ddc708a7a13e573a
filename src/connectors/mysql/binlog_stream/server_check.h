// The server settings a binlog stream needs, checked once at Open: pure, so a test can give
// any values without touching a shared server.
#pragma once

#include <string>

#include "core/status.h"

namespace sluice::mysql::binlog_stream {

struct BinlogSettings {
  std::string log_bin;           // @@log_bin: "1"/"ON"
  std::string binlog_format;     // @@binlog_format: "ROW"
  std::string binlog_row_image;  // @@binlog_row_image: "FULL"
};

// OK, or one line per wrong setting saying what to change.
Status CheckBinlogSettings(const BinlogSettings& s, const std::string& server);

// The replica server id of a job when `server_id` is not set: stable for a job name and
// distinct between jobs (FNV-1a), away from the small ids servers usually have.
uint32_t DefaultServerId(const std::string& job_name);

}  // namespace sluice::mysql::binlog_stream
