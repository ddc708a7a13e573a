// ConnectorRegistry: the explicit list of connectors this binary carries.
//
// Each connector registers one ConnectorInfo (Fluent Bit's plugin record): its name, what it
// can do, its option specs for each side, and factories. The job parser validates sections
// against the specs; `sluice connectors` prints the capability matrix from the same records.
// Built once at start-up (connectors/builtin_connectors.cc), read-only afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.h"
#include "core/sink.h"
#include "core/source.h"
#include "core/stream_source.h"
#include "core/time_zone.h"

namespace sluice {

// What every connector factory receives besides its options.
struct ConnectorContext {
  TimeZone zone = TimeZone::Utc();  // the job's time zone
  std::string job_name;
  std::string state_dir;  // where a connector may keep files of its own
};

struct ConnectorCapabilities {
  bool batch_read = false;
  bool incremental_read = false;  // watermark column reads
  bool parallel_read = false;     // more than one split
  bool cdc_read = false;          // streams rows for `mode: realtime` (make_stream_source)
  bool batch_write = false;
  std::vector<WriteMode> write_modes;
  bool cdc_write = false;  // applies updates and deletes (later)
};

// One table a connection offers, found by ConnectorInfo::list_tables for jobs that select
// tables by pattern (`tables:`) rather than naming one.
struct CatalogTable {
  std::string db;    // the database (MySQL), schema (PostgreSQL) or file stem (SQLite)
  std::string name;  // the table
  // The value of the connector's `table` option that reads exactly this table (quoted where
  // the name needs it).
  std::string table_option;
  int64_t estimated_rows = -1;  // from catalog statistics, for scheduling; -1 = unknown
  // In the connection's default database (the URL's database, PostgreSQL's search_path
  // schema, the SQLite file): patterns without a db part ("orders_*") match these only.
  bool in_default_db = false;
  // A view: listed so that a pattern selecting it is told it is skipped (views are not read
  // by multi-table jobs), never read.
  bool is_view = false;
};

struct ConnectorInfo {
  std::string name;  // the `type:` in job files
  std::string description;
  ConnectorCapabilities capabilities;
  std::vector<OptionSpec> source_options;
  std::vector<OptionSpec> target_options;
  std::function<Result<std::unique_ptr<Source>>(const Options&, const ConnectorContext&)>
      make_source;
  std::function<Result<std::unique_ptr<Sink>>(const Options&, const ConnectorContext&)> make_sink;
  // The source of a job that never ends (`mode: realtime`); unset: the connector reads batches
  // only.
  std::function<Result<std::unique_ptr<StreamSource>>(const Options&, const ConnectorContext&)>
      make_stream_source;
  // Multi-table jobs: the option naming one connection ("url", "path"), replaced by each
  // entry of `connections:`, and the tables that connection offers (system tables excluded,
  // ordered by db then name). Empty when the connector cannot list tables.
  std::string connection_option;
  std::function<Result<std::vector<CatalogTable>>(const Options&, const ConnectorContext&)>
      list_tables;
  // Multi-table jobs, target side. The option each table's target name fills ("table"; for
  // file connectors "path": one file or folder per table). How one name (a db, schema or
  // table, as text) is written into it so that the connector reads back exactly that name
  // (quoted for databases; for files, refused unless it is one file name); as is when empty.
  // Whether two names that differ only by case are two tables (unset: they are not); asked
  // only when a job's target names differ only by case.
  std::string target_name_option = "table";
  std::function<Result<std::string>(std::string_view name)> template_value;
  std::function<Result<bool>(const Options&, const ConnectorContext&)> case_sensitive_names;
};

class ConnectorRegistry {
 public:
  void Register(ConnectorInfo info);
  const ConnectorInfo* Find(std::string_view name) const;
  const std::vector<ConnectorInfo>& all() const { return connectors_; }
  std::vector<std::string> Names() const;

 private:
  std::vector<ConnectorInfo> connectors_;
};

// The registry with every connector compiled into this binary.
const ConnectorRegistry& BuiltinConnectors();

}  // namespace sluice
