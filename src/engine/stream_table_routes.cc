#include "engine/stream_table_routes.h"

#include <fmt/format.h>

#include "core/time_zone.h"

namespace sluice {
namespace {

// Stands in for the stream in a table's JobSetup: the shared reader already resolved the
// table, so BuildJobSetup and a rebuild after a schema change (schema_follow.h) only need its
// schema, which this reads from the reader each time: it grows when columns are added.
class TableSchemaView : public StreamSource {
 public:
  TableSchemaView(const StreamSource& reader, size_t table, std::string label)
      : reader_(reader), table_(table), label_(std::move(label)) {}
  Status Open(const ReadRequest&) override { return Status::OK(); }
  const Schema& schema() const override { return reader_.TableSchema(table_); }
  Status Start(const std::vector<StreamPosition>&, bool) override {
    return Status::Internal("{}: a table view is not read", label_);
  }
  Result<bool> Next(Batch&, RejectSink&) override {
    return Err(Status::Internal("{}: a table view is not read", label_));
  }
  std::vector<StreamPosition> Positions() const override { return {}; }
  std::string Describe() const override { return label_; }
  // As the reader says for this table: a table's changes are applied by its own primary key
  // when the job gives no target.key, as in a single-table job.
  bool EmitsUpdatesAndDeletes() const override { return reader_.EmitsUpdatesAndDeletes(); }
  std::vector<std::string> PrimaryKey() const override { return reader_.TablePrimaryKey(table_); }
  std::string WholeRowsHint() const override { return reader_.WholeRowsHint(); }

 private:
  const StreamSource& reader_;
  const size_t table_;
  std::string label_;
};

// The registry a table's setup is built with: the source connector makes the view of that
// table; everything else (the sink above all) is the real one.
ConnectorRegistry ViewRegistry(const ConnectorRegistry& registry, const std::string& source_type,
                               const std::string& target_type, const StreamSource& reader,
                               size_t table, const std::string& label) {
  ConnectorRegistry view;
  ConnectorInfo source = *registry.Find(source_type);
  source.make_stream_source =
      [&reader, table, label](const Options&,
                              const ConnectorContext&) -> Result<std::unique_ptr<StreamSource>> {
    return std::unique_ptr<StreamSource>(std::make_unique<TableSchemaView>(reader, table, label));
  };
  view.Register(std::move(source));
  if (target_type != source_type) {
    if (const ConnectorInfo* target = registry.Find(target_type)) view.Register(*target);
  }
  return view;
}

}  // namespace

Result<std::unique_ptr<StreamSource>> OpenTablesReader(const JobSpec& spec, const TablePlan& plan,
                                                       const ConnectorRegistry& registry) {
  const ConnectorInfo* info = registry.Find(spec.source_type);
  if (!info || !info->make_stream_source) {
    return Err(Status::Invalid(
        "{}: mode realtime needs a source that streams changes; the {} connector reads "
        "batches only (see `sluice connectors`, column cdc)",
        spec.file, spec.source_type));
  }
  if (plan.tasks.empty()) return Err(Status::Invalid("{}: no table to stream", spec.file));
  SLUICE_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Load(spec.settings.time_zone));
  ConnectorContext context;
  context.zone = zone;
  context.job_name = spec.name;  // the slot and publication are the job's, not a table's
  std::vector<Options> sections;
  for (const TableTask& task : plan.tasks) sections.push_back(task.job.source);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<StreamSource> reader,
                          info->make_stream_source(sections.front(), context));
  ReadRequest read;
  read.columns = spec.source.GetList("columns");
  read.where = spec.source.GetString("where");
  read.batch_rows = static_cast<size_t>(spec.settings.batch_rows);
  read.batch_bytes = static_cast<size_t>(spec.settings.batch_bytes);
  read.target_type = spec.target_type;
  SLUICE_RETURN_IF_ERROR(reader->OpenTables(sections, read));
  return reader;
}

Result<StreamTableRoutes> StreamTableRoutes::Build(const TablePlan& plan,
                                                   const StreamSource& reader,
                                                   const ConnectorRegistry& registry,
                                                   int64_t now_micros) {
  StreamTableRoutes routes;
  for (size_t i = 0; i < plan.tasks.size(); ++i) {
    const TableTask& task = plan.tasks[i];
    const JobSpec& job = task.job;
    if (task.shards.size() != 1) {
      return Err(Status::Invalid(
          "{}: target table {} gathers {} source tables: sharded tables are not streamed in "
          "mode realtime yet; give each source table its own target (target.table, routes)",
          job.file, task.target_table, task.shards.size()));
    }
    // Each table's sink holds its own open transaction between checkpoints: a SQLite file
    // takes one writer at a time, so its tables would lock each other out.
    if (job.target_type == "sqlite" && plan.tasks.size() > 1) {
      return Err(Status::Invalid(
          "{}: a realtime job over many tables cannot write to a sqlite target (one file takes "
          "one writer at a time, and every table keeps its own transaction); use postgres or "
          "mysql, or one job per table",
          job.file));
    }
    StreamTableRoute route;
    route.state_name = job.name;
    route.target_table = task.target_table;
    route.source_label = reader.TableLabel(i);
    const ConnectorRegistry view =
        ViewRegistry(registry, job.source_type, job.target_type, reader, i, route.source_label);
    SLUICE_ASSIGN_OR_RETURN(route.setup, BuildJobSetup(job, view, now_micros));
    // The registry copy goes: point at the real connectors. (The view stays: the transforms
    // were built against its schema.)
    route.setup.source_info = registry.Find(job.source_type);
    route.setup.target_info = registry.Find(job.target_type);
    route.job = job;
    route.schema_version = reader.TableSchemaVersion(i);
    Sink& sink = *route.setup.sink;
    if (!sink.SupportsCheckpoints() || sink.PositionsInStateStore()) {
      return Err(Status::Invalid(
          "{}: a realtime job over many tables needs a target that commits each table's rows "
          "with its positions in one transaction (postgres, mysql); the {} target "
          "cannot",
          job.file, job.target_type));
    }
    if (route.setup.write.mode == WriteMode::kOverwrite) {
      return Err(Status::Invalid(
          "{}: a realtime job cannot use write_mode: overwrite (each checkpoint would replace "
          "what the previous one committed); use append or upsert (table {})",
          job.file, task.target_table));
    }
    if (!routes.by_label_.emplace(route.source_label, i).second) {
      return Err(
          Status::Internal("{}: source table {} is read twice", job.file, route.source_label));
    }
    routes.routes_.push_back(std::move(route));
  }
  return routes;
}

int StreamTableRoutes::Find(const std::string& source_label) const {
  auto it = by_label_.find(source_label);
  return it == by_label_.end() ? -1 : static_cast<int>(it->second);
}

}  // namespace sluice
