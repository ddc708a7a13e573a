// RunMultiTableStreamJob: `mode: realtime` over many tables (source.tables). The same run
// protocol as RunStreamJob (stream_runner.h), with one reader for every table the patterns
// select (one binlog connection, or one slot and one publication) and one route per table
// (stream_table_routes.h): its transforms, its sink, its state "<job>/<target table>".
//
// Exactly-once per table: every checkpoint commits each table's rows with the positions after
// them in that table's own target transaction (Sink::Checkpoint), keyed by the table's job
// name. The tables' commits are separate transactions, so a crash can fall between them;
// then each table still holds its own position, the reader resumes from the oldest, and drops
// per table the changes at or before that table's position (StreamSource::StartTables). Each
// table converges to exactly its source table; tables are consistent each on its own, not
// with one another at every instant. The source is acknowledged only after every table
// committed.
//
// The tables are fixed when the run starts: one created later is not picked up until the job
// is started again.
#pragma once

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "engine/stream_runner.h"

namespace sluice {

RunSummary RunMultiTableStreamJob(const JobSpec& spec, const ConnectorRegistry& registry,
                                  const StreamRunOptions& options);

}  // namespace sluice
