#include "engine/job_setup.h"

#include <charconv>

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
  std::vector<std::string> key = setup.source->PrimaryKey();
  for (const std::string& column : key) {
    if (!setup.write.schema.IndexOf(column)) return;
  }
  setup.write.key = std::move(key);
  setup.key_from_source = !setup.write.key.empty();
}

}  // namespace

Result<JobSetup> BuildJobSetup(const JobSpec& spec, const ConnectorRegistry& registry,
                               int64_t now_micros) {
  JobSetup setup;
  setup.source_info = registry.Find(spec.source_type);
  setup.target_info = registry.Find(spec.target_type);
  if (!setup.source_info || !setup.source_info->make_source) {
    return Err(Status::Invalid("{}: source type '{}' cannot read", spec.file, spec.source_type));
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

  SLUICE_ASSIGN_OR_RETURN(setup.source, MakeJobSource(spec, *setup.source_info, setup.context));
  SLUICE_RETURN_IF_ERROR(setup.source->Open(setup.read));
  if (!setup.incremental_column.empty() &&
      !setup.source->schema().IndexOf(setup.incremental_column)) {
    return Err(spec.source.ErrorAt(
        "incremental", fmt::format("watermark column '{}' is not among the columns read ({})",
                                   setup.incremental_column, setup.source->schema().ToString())));
  }

  setup.expr_context.zone = zone;
  setup.expr_context.now_micros = now_micros;
  if (auto it = spec.parameters.find("bizdate"); it != spec.parameters.end()) {
    setup.expr_context.bizdate = it->second;
  }
  SLUICE_ASSIGN_OR_RETURN(setup.transforms, BuildTransforms(spec.transforms, setup.source->schema(),
                                                            setup.expr_context));

  setup.write.job_name = spec.name;
  SLUICE_ASSIGN_OR_RETURN(setup.write.mode,
                          ParseWriteMode(spec.target.GetString("write_mode", "append")));
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
  setup.write.key = spec.target.GetList("key");
  setup.write.schema =
      setup.transforms.empty() ? setup.source->schema() : setup.transforms.back()->output_schema();
  for (const std::string& key : setup.write.key) {
    if (!setup.write.schema.IndexOf(key)) {
      return Err(spec.target.ErrorAt(
          "key", fmt::format("key column '{}' is not among the columns written ({})", key,
                             setup.write.schema.ToString())));
    }
  }
  if (setup.write.key.empty() && spec.shards.source_key) UseSourceKey(setup);
  SLUICE_ASSIGN_OR_RETURN(setup.sink, setup.target_info->make_sink(spec.target, setup.context));
  return setup;
}

Result<std::unique_ptr<Source>> OpenRangedSource(const JobSetup& setup, const JobSpec& spec,
                                                 const WatermarkRange& range) {
  SLUICE_ASSIGN_OR_RETURN(auto source, MakeJobSource(spec, *setup.source_info, setup.context));
  ReadRequest read = setup.read;
  read.incremental = range;
  read.incremental->strictly_increasing = setup.strictly_increasing;
  SLUICE_RETURN_IF_ERROR(source->Open(read));
  return source;
}

int CompareWatermarks(const DataType& type, const std::string& a, const std::string& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (IsSignedInteger(type.id)) {
    auto x = ParseInt(a);
    auto y = ParseInt(b);
    if (x && y) return sign(*x, *y);
  } else if (IsUnsignedInteger(type.id)) {
    auto x = ParseUInt(a);
    auto y = ParseUInt(b);
    if (x && y) return sign(*x, *y);
  } else if (IsFloating(type.id) || type.id == TypeId::kDecimal) {
    // Watermarks on decimal columns are compared as doubles: enough to order them, and they
    // are only compared to decide whether a run can skip reading.
    auto x = ParseDouble(a);
    auto y = ParseDouble(b);
    if (x && y) return sign(*x, *y);
  }
  // Canonical dates and timestamps order correctly as text; strings compare bytewise.
  return sign(a, b);
}

}  // namespace sluice
