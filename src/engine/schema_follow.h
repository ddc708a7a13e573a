// Realtime runs follow columns added at the source (core/stream_source.h, schema_version() and
// TableSchemaVersion()). When a table's schema grows, the runner (stream_runner.cc, or
// multi_stream_runner.cc for that table alone) checkpoints what it wrote before the change,
// then FollowStreamSchema rebuilds the table's transform chain and write schema, has its sink
// add the new columns, relax the dropped ones and widen the widened ones (Sink::AddColumns)
// and opens a new writer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/job_spec.h"
#include "core/sink.h"
#include "engine/job_setup.h"

namespace sluice {

// Rebuilds setup.transforms against the stream's current schema and sets setup.write.schema to
// their output. Returns the names of the written columns that are new (in the new order).
Result<std::vector<std::string>> RebuildForStreamSchema(const JobSpec& spec, JobSetup& setup);

// After the checkpoint before a schema change (everything written before it is committed):
// rebuilds `setup` for the stream's new schema, alters the target and replaces `writer`. The
// caller's checkpoint comes first so that kill -9 between any two steps converges on restart:
//   1. the checkpoint: a source DDL is a transaction boundary, and the target's ALTER must
//      never share a transaction with staged rows (MySQL commits DDL implicitly). A restart
//      resumes before the change and meets it again;
//   2. the target adds the columns it lacks and lets dropped ones take NULL (idempotent; a
//      restart after 1 but before 2 finds them so, and a realtime Prepare does it: core/sink.h);
//   3. transforms and writer for the new shape; the caller writes the batch after this.
Status FollowStreamSchema(const JobSpec& spec, JobSetup& setup,
                          std::unique_ptr<SinkWriter>& writer);

// The columns of `after` the source dropped that `before` did not know as dropped: the target
// must accept NULL in them from now on (Sink::AddColumns relaxes a NOT NULL they were created
// with). Kept apart from the rebuild so the engine's follow step only asks whether to call.
std::vector<std::string> NewlyDroppedColumns(const Schema& before, const Schema& after);

// The columns of `after` the source widened (Field::widened_at_source) since `before`: newly
// marked, or wider again. The target must take the wider values (Sink::AddColumns widens its
// columns).
std::vector<std::string> WidenedColumns(const Schema& before, const Schema& after);

// A test hook at the two moments of a schema change that matter for restarts: "before_alter"
// (the checkpoint before the change is committed, the target not altered yet) and "after_alter"
// (the target altered, the next checkpoint not taken). With SLUICE_TEST_KILL_AT_SCHEMA_CHANGE
// set to `moment`, the process kills itself there (SIGKILL, as kill -9 would); unset: nothing.
void KillAtSchemaChangeForTests(std::string_view moment);

}  // namespace sluice
