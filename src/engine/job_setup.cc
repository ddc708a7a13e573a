#include "engine/job_setup.h"

#include <charconv>

#include <fmt/ranges.h>

#include "core/value_text.h"
#include "engine/union_source.h"

namespace sluice {
namespace {

// The job's source: the connector's own, or the shards of a multi-table job's table read as
// one (with the columns naming each row's source when target.source_columns asks for them).
Result<std::unique_ptr<Source>> MakeJobSource(const JobSpec& spec, const ConnectorInfo& info,
                                              const ConnectorContext& context) {
  const Options columns = spec.target.GetObject("source_columns");
  SourceColumnNames names{columns.GetString("db"), columns.GetString("table")};
  const bool recorded = !names.db.empty() || !names.table.empty();
  if (spec.shards.more.empty() && !recorded) return info.make_source(spec.source, context);
  if (spec.shards.names.size() != spec.shards.more.size() + 1) {
    return Err(spec.target.ErrorAt("source_columns",
                                   "records the source tables of multi-table jobs (source.tables) "
                                   "only"));
  }
  std::vector<ShardSource> shards;
  for (size_t i = 0; i <= spec.shards.more.size(); ++i) {
    const Options& section = i == 0 ? spec.source : spec.shards.more[i - 1];
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Source> source, info.make_source(section, context));
    shards.push_back(
        ShardSource{std::move(source), spec.shards.names[i].first, spec.shards.names[i].second});
  }
  return std::unique_ptr<Source>(std::make_unique<UnionSource>(std::move(shards), std::move(names),
                                                               spec.shards.in_order, context.zone));
}

// Without target.key, the source's primary key is the target's: a table the sink creates gets
// it (upserts, and change capture later, need one), and write modes that need a key use it.
// Only when every key column is written under its own name.
void UseSourceKey(JobSetup& setup) {
  std::vector<std::string> key =
      setup.stream ? setup.stream->PrimaryKey() : setup.source->PrimaryKey();
  for (const std::string& column : key) {
    if (!setup.write.schema.IndexOf(column)) return;
  }
  setup.write.key = std::move(key);
  setup.key_from_source = !setup.write.key.empty();
}

// A change-capture job's changes are applied by key unless the job file says otherwise: upsert
// where the target has it (the change-event targets append).
std::string DefaultWriteMode(const JobSetup& setup, const ConnectorInfo& target) {
  if (!setup.stream || !setup.stream->EmitsUpdatesAndDeletes()) return "append";
  for (WriteMode m : target.capabilities.write_modes) {
    if (m == WriteMode::kUpsert) return "upsert";
  }
  return "append";
}

// A streamed table without a primary key (PostgreSQL under REPLICA IDENTITY FULL, a MySQL
// table without one): the whole row identifies it, as the source's own before-images do.
// Identical duplicate rows become one row in the target: `check` and the run say so. A key
// column cannot hold NULL, so a table with nullable columns needs target.key.
Status UseAllColumnsAsKey(const JobSpec& spec, JobSetup& setup) {
  std::vector<std::string> key;
  std::vector<std::string> nullable;
  for (const Field& f : setup.write.schema.fields) {
    const std::optional<size_t> read = setup.stream->schema().IndexOf(f.name);
    if (!read) {
      return Status::Invalid(
          "{}: {} has no primary key, and column '{}' is not one of its own: give target.key "
          "(the columns that identify a row) to apply its changes",
          spec.file, setup.stream->Describe(), f.name);
    }
    if (setup.stream->schema().fields[*read].nullable) nullable.push_back(f.name);
    key.push_back(f.name);
  }
  if (!nullable.empty()) {
    return Status::Invalid(
        "{}: {} has no primary key, and the whole row cannot be its key because {} may be "
        "NULL: give target.key (NOT NULL columns that identify a row), or add a primary key "
        "to the source table",
        spec.file, setup.stream->Describe(), fmt::join(nullable, ", "));
  }
  setup.write.key = std::move(key);
  setup.key_from_source = true;
  setup.key_is_whole_row = true;
  return Status::OK();
}

// A change-capture job finds the row a delete or a key change removes by its key: a key column
// the source leaves out of those (core/schema.h: absent_from_old_rows) would fail every delete,
// and leave the old row behind on an update that changes it.
Status RefuseKeyAbsentFromOldRows(const JobSpec& spec, const JobSetup& setup) {
  for (const std::string& name : setup.write.key) {
    const std::optional<size_t> i = setup.write.schema.IndexOf(name);
    if (!i || setup.write.schema.fields[*i].absent_from_old_rows.empty()) continue;
    return Status::Invalid(
        "{}: key column '{}' cannot identify the rows that deletes remove: {}. Give "
        "target.key columns the deletes carry{}",
        spec.file, name, setup.write.schema.fields[*i].absent_from_old_rows,
        setup.key_from_source ? "" : ", or leave target.key out to apply by the source's key");
  }
  return Status::OK();
}

// A column the snapshot reads but no change carries (core/schema.h: absent_from_changes) would
// be NULL in every row a change wrote: the job must drop it or compute it (`set`). Reading it in
// an expression is refused by the binder already.
Status RefuseColumnsAbsentFromChanges(const JobSpec& spec, const Schema& written) {
  for (const Field& f : written.fields) {
    if (f.absent_from_changes.empty()) continue;
    return Status::Invalid(
        "{}: column '{}' would be NULL in every row a change writes: {}. Leave it out "
        "(transforms: [{{drop: [{}]}}]) or compute it from the other columns (transforms: "
        "[{{set: {{{}: \"...\"}}}}])",
        spec.file, f.name, f.absent_from_changes, f.name, f.name);
  }
  return Status::OK();
}

// The parts of the incremental rule that depend on the target and the column's type
// (engine/watermark_range.h).
Status SetIncrementalRule(const JobSpec& spec, JobSetup& setup) {
  // As the job file says, not as full_then_incremental's first run overrides it: the range
  // rule must be the same for every run of the job.
  // Every mode but append matches rows by key or replaces the target: rows read again do not
  // arrive twice.
  setup.keyed_target = setup.write.mode != WriteMode::kAppend;
  const Options incremental = spec.source.GetObject("incremental");
  const std::string text = incremental.GetString("look_back");
  if (setup.incremental_column.empty() || text.empty()) return Status::OK();
  if (!setup.keyed_target) {
    return spec.source.ErrorAt(
        "incremental",
        fmt::format("look_back reads rows again, which an append target would hold twice: it "
                    "needs a keyed target.write_mode (upsert, replace, ignore or overwrite), "
                    "not {}",
                    WriteModeName(setup.write.mode)));
  }
  const Schema& schema = setup.source->schema();
  const DataType& type = schema.fields[*schema.IndexOf(setup.incremental_column)].type;
  Result<LookBack> look_back = ParseLookBack(text, setup.incremental_column, type);
  if (!look_back) return spec.source.ErrorAt("incremental", look_back.error().message());
  setup.look_back = std::move(*look_back);
  return Status::OK();
}

}  // namespace

IncrementalRule IncrementalRuleOf(const JobSetup& setup) {
  IncrementalRule rule;
  rule.column = setup.incremental_column;
  if (std::optional<size_t> i = setup.source->schema().IndexOf(rule.column)) {
    rule.type = setup.source->schema().fields[*i].type;
  }
  rule.strictly_increasing = setup.strictly_increasing;
  rule.keyed_target = setup.keyed_target;
  rule.look_back = setup.look_back;
  return rule;
}

const Schema& ReadSchema(const JobSetup& setup) {
  return setup.stream ? setup.stream->schema() : setup.source->schema();
}

Result<JobSetup> BuildJobSetup(const JobSpec& spec, const ConnectorRegistry& registry,
                               int64_t now_micros) {
  JobSetup setup;
  setup.source_info = registry.Find(spec.source_type);
  setup.target_info = registry.Find(spec.target_type);
  const bool realtime = spec.mode == "realtime";
  if (!setup.source_info || !setup.source_info->make_source) {
    return Err(Status::Invalid("{}: source type '{}' cannot read", spec.file, spec.source_type));
  }
  if (realtime && !setup.source_info->make_stream_source) {
    return Err(Status::Invalid(
        "{}: mode realtime needs a source that streams changes; the {} connector reads batches "
        "only (see `sluice connectors`, column cdc)",
        spec.file, spec.source_type));
  }
  if (!setup.target_info || !setup.target_info->make_sink) {
    return Err(Status::Invalid("{}: target type '{}' cannot write", spec.file, spec.target_type));
  }
  SLUICE_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Load(spec.settings.time_zone));
  setup.context.zone = zone;
  setup.context.job_name = spec.name;

  setup.read.columns = spec.source.GetList("columns");
  setup.read.where = spec.source.GetString("where");
  setup.read.split_key = spec.source.GetString("split_key");
  setup.read.max_splits = spec.settings.parallelism;
  setup.read.batch_rows = static_cast<size_t>(spec.settings.batch_rows);
  setup.read.batch_bytes = static_cast<size_t>(spec.settings.batch_bytes);
  setup.read.target_type = spec.target_type;
  setup.incremental_column = spec.source.GetObject("incremental").GetString("column");
  SLUICE_ASSIGN_OR_RETURN(
      setup.strictly_increasing,
      spec.source.GetObject("incremental").GetBool("strictly_increasing", false));
  if (!setup.incremental_column.empty() && !setup.source_info->capabilities.incremental_read) {
    return Err(spec.source.ErrorAt(
        "incremental", fmt::format("the {} connector cannot read incrementally (see `sluice "
                                   "connectors`)",
                                   spec.source_type)));
  }

  if (realtime) {
    if (!setup.incremental_column.empty()) {
      return Err(spec.source.ErrorAt(
          "incremental", "a realtime job follows the source's changes; it has no watermark"));
    }
    SLUICE_ASSIGN_OR_RETURN(setup.stream,
                            setup.source_info->make_stream_source(spec.source, setup.context));
    SLUICE_RETURN_IF_ERROR(setup.stream->Open(setup.read));
  } else {
    SLUICE_ASSIGN_OR_RETURN(setup.source, MakeJobSource(spec, *setup.source_info, setup.context));
    SLUICE_RETURN_IF_ERROR(setup.source->Open(setup.read));
  }
  const Schema& read_schema = ReadSchema(setup);
  if (!setup.incremental_column.empty() && !read_schema.IndexOf(setup.incremental_column)) {
    return Err(spec.source.ErrorAt(
        "incremental", fmt::format("watermark column '{}' is not among the columns read ({})",
                                   setup.incremental_column, read_schema.ToString())));
  }

  setup.expr_context.zone = zone;
  setup.expr_context.now_micros = now_micros;
  if (auto it = spec.parameters.find("bizdate"); it != spec.parameters.end()) {
    setup.expr_context.bizdate = it->second;
  }
  SLUICE_ASSIGN_OR_RETURN(setup.transforms,
                          BuildTransforms(spec.transforms, read_schema, setup.expr_context));

  setup.write.job_name = spec.name;
  SLUICE_ASSIGN_OR_RETURN(setup.write.mode,
                          ParseWriteMode(spec.target.GetString(
                              "write_mode", DefaultWriteMode(setup, *setup.target_info))));
  if (!setup.target_info->capabilities.write_modes.empty()) {
    bool supported = false;
    for (WriteMode m : setup.target_info->capabilities.write_modes)
      supported |= m == setup.write.mode;
    if (!supported) {
      return Err(spec.target.ErrorAt(
          "write_mode", fmt::format("the {} connector does not support write_mode {}",
                                    spec.target_type, WriteModeName(setup.write.mode))));
    }
  }
  SLUICE_RETURN_IF_ERROR(SetIncrementalRule(spec, setup));
  setup.write.key = spec.target.GetList("key");
  setup.write.schema =
      setup.transforms.empty() ? read_schema : setup.transforms.back()->output_schema();
  for (const std::string& key : setup.write.key) {
    if (!setup.write.schema.IndexOf(key)) {
      return Err(spec.target.ErrorAt(
          "key", fmt::format("key column '{}' is not among the columns written ({})", key,
                             setup.write.schema.ToString())));
    }
  }
  if (realtime) SLUICE_RETURN_IF_ERROR(RefuseColumnsAbsentFromChanges(spec, setup.write.schema));
  if (setup.write.key.empty() && spec.shards.source_key) UseSourceKey(setup);
  if (setup.write.key.empty() && realtime && setup.stream->EmitsUpdatesAndDeletes() &&
      setup.write.mode != WriteMode::kAppend) {
    UseSourceKey(setup);
    if (setup.write.key.empty()) SLUICE_RETURN_IF_ERROR(UseAllColumnsAsKey(spec, setup));
  }
  if (realtime && setup.stream->EmitsUpdatesAndDeletes() &&
      setup.write.mode != WriteMode::kAppend) {
    SLUICE_RETURN_IF_ERROR(RefuseKeyAbsentFromOldRows(spec, setup));
  }
  SLUICE_ASSIGN_OR_RETURN(setup.sink, setup.target_info->make_sink(spec.target, setup.context));
  return setup;
}

Result<std::unique_ptr<Source>> OpenRangedSource(const JobSetup& setup, const JobSpec& spec,
                                                 const WatermarkRange& range) {
  SLUICE_ASSIGN_OR_RETURN(auto source, MakeJobSource(spec, *setup.source_info, setup.context));
  ReadRequest read = setup.read;
  read.incremental = range;
  SLUICE_RETURN_IF_ERROR(source->Open(read));
  return source;
}

}  // namespace sluice
