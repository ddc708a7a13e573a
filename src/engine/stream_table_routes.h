// StreamTableRoutes: the write side of a realtime job over many tables (source.tables). The
// table plan (tables/table_plan.h) gives one single-table job per target table; one shared
// reader reads every table (StreamSource::OpenTables), and each of its batches goes to the
// route of its Batch::source_table: that table's own transforms, sink and writer, and its own
// state name ("<job>/<target table>"), under which its target keeps its positions.
//
// Built and used on the stream runner's thread; the routes own their setups and writers. The
// reader must outlive the routes (their setups read its table schemas).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connector_registry.h"
#include "core/stream_source.h"
#include "engine/job_setup.h"
#include "tables/table_plan.h"

namespace sluice {

struct StreamTableRoute {
  JobSpec job;               // the table's single-table job (the plan's task)
  std::string state_name;    // the table's job: "<job>/<target table>"
  std::string target_table;  // as the plan shows it
  std::string source_label;  // Batch::source_table of its rows (StreamSource::TableLabel)
  // Transforms, write request and sink, built against the reader's TableSchema of this table
  // (setup.stream is a live view of it: a rebuild sees the table's current columns).
  JobSetup setup;
  std::unique_ptr<SinkWriter> writer;
  std::vector<StreamPosition> committed;  // what its target held at the start
  uint64_t schema_version = 0;            // the reader's TableSchemaVersion it is built for
  // Rows reached its writer since its last commit: the next checkpoint commits it.
  bool dirty = false;
  // Where the source transaction its last rows belong to begins (the reader's Positions()
  // then), when that transaction was still open after the batch: its rows are not all before
  // that position. Empty when its last rows ended with their transaction.
  std::optional<std::vector<StreamPosition>> open_txn_from;
  std::chrono::steady_clock::time_point last_commit;  // its last checkpoint (or the start)
};

// The one change reader of a realtime job over many tables, opened over every table of the
// plan (task i is the reader's table i): it reads the catalog and checks what it can without
// writing (no slot, no publication), so `sluice check` finds what the run would refuse.
Result<std::unique_ptr<StreamSource>> OpenTablesReader(const JobSpec& spec, const TablePlan& plan,
                                                       const ConnectorRegistry& registry);

class StreamTableRoutes {
 public:
  // One route per plan task, in plan order (the reader's table i is task i). Refuses sharded
  // tables (several source tables into one target) and targets that cannot checkpoint or keep
  // positions in their own transaction.
  static Result<StreamTableRoutes> Build(const TablePlan& plan, const StreamSource& reader,
                                         const ConnectorRegistry& registry, int64_t now_micros);

  size_t size() const { return routes_.size(); }
  StreamTableRoute& operator[](size_t i) { return routes_[i]; }
  std::vector<StreamTableRoute>& all() { return routes_; }
  // The route of a batch's rows, by Batch::source_table; -1 when none.
  int Find(const std::string& source_label) const;

 private:
  std::vector<StreamTableRoute> routes_;
  std::map<std::string, size_t> by_label_;
};

}  // namespace sluice
