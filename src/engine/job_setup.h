// JobSetup: everything `run` and `check` both need, built from a JobSpec on the main thread:
// the connectors, the read request, the transform chain and the write request.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "core/sink.h"
#include "core/source.h"
#include "core/stream_source.h"
#include "engine/watermark_range.h"
#include "expr/expression.h"
#include "transforms/transform.h"

namespace sluice {

struct JobSetup {
  const ConnectorInfo* source_info = nullptr;
  const ConnectorInfo* target_info = nullptr;
  ConnectorContext context;
  ReadRequest read;                  // without the incremental range (see ResolveRange)
  std::string incremental_column;    // empty: full read
  bool key_from_source = false;      // write.key is the source's primary key (no target.key)
  bool key_is_whole_row = false;     // ... or, for a stream of a table without one, every column
  bool strictly_increasing = false;  // incremental.strictly_increasing (source.h)
  // The target matches rows by key (every write_mode but append, as the job file says):
  // incremental runs read up to and including the maximum (PlanWatermarkRange).
  bool keyed_target = false;
  LookBack look_back;              // incremental.look_back, checked against the column's type
  std::unique_ptr<Source> source;  // opened with `read` (batch jobs)
  // `mode: realtime`: the stream the job reads instead of `source`, opened with `read`.
  std::unique_ptr<StreamSource> stream;
  std::vector<std::unique_ptr<Transform>> transforms;
  ExprContext expr_context;
  WriteRequest write;  // schema = the transform chain's output
  std::unique_ptr<Sink> sink;
};

// Creates and opens the source (a stream for `mode: realtime`), builds the transforms against
// its schema, creates the sink.
// `now_micros` is the run's fixed "now" (for now() in expressions).
Result<JobSetup> BuildJobSetup(const JobSpec& spec, const ConnectorRegistry& registry,
                               int64_t now_micros);

// The schema of what the job reads: the stream's or the source's.
const Schema& ReadSchema(const JobSetup& setup);

// The job's incremental rule (watermark_range.h), for PlanWatermarkRange.
IncrementalRule IncrementalRuleOf(const JobSetup& setup);

// Opens a second source for the incremental range (PlanWatermarkRange); the first one stays as
// the probe that found `high`.
Result<std::unique_ptr<Source>> OpenRangedSource(const JobSetup& setup, const JobSpec& spec,
                                                 const WatermarkRange& range);

}  // namespace sluice
