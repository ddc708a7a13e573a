// StartupOption: where a realtime job without a committed position starts reading
// (`source.startup`). Once a checkpoint committed a position, that position wins: startup
// only matters on a job's first start (or after its positions were cleared).
#pragma once

#include <cstdint>
#include <string>

#include "core/options.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sluice::mysql::binlog_stream {

enum class Startup {
  kInitial,    // a consistent snapshot of the table, then the changes after it (the default)
  kLatest,     // the server's binlog end now
  kBinlog,     // a given file:offset
  kGtid,       // after a given MariaDB GTID position (domain-server-seq[,...])
  kTimestamp,  // the first transaction committed at or after a given time
};

struct StartupOption {
  Startup kind = Startup::kInitial;
  std::string position;  // kBinlog: file:offset; kGtid: the GTID position
  int64_t seconds = 0;   // kTimestamp: since the epoch (the binlog's resolution)
};

// `startup: initial | latest`, or exactly one of `{binlog: }`, `{gtid: }`, `{timestamp: }`.
// A timestamp without a zone is in `zone` (the source's). Errors name the option's place in
// the job file.
Result<StartupOption> ParseStartup(const Options& source_options, const TimeZone& zone);

}  // namespace sluice::mysql::binlog_stream
