#include "engine/schema_follow.h"

#include <csignal>
#include <cstdlib>

#include "core/schema_change.h"

namespace sluice {

Result<std::vector<std::string>> RebuildForStreamSchema(const JobSpec& spec, JobSetup& setup) {
  const Schema& read_schema = ReadSchema(setup);
  Result<std::vector<std::unique_ptr<Transform>>> transforms =
      BuildTransforms(spec.transforms, read_schema, setup.expr_context);
  if (!transforms) {
    return Err(transforms.error().WithContext(fmt::format(
        "{}: the source's table gained columns ({})", spec.name, read_schema.ToString())));
  }
  Schema written = transforms->empty() ? read_schema : transforms->back()->output_schema();
  // The deletes read from here on may carry other columns (a PostgreSQL REPLICA IDENTITY
  // changed): one without a key column could not find its row, and the target would keep it.
  for (const std::string& name :
       setup.write.mode == WriteMode::kAppend ? std::vector<std::string>{} : setup.write.key) {
    const std::optional<size_t> i = written.IndexOf(name);
    if (!i || written.fields[*i].absent_from_old_rows.empty()) continue;
    return Err(Status::Invalid(
        "{}: key column '{}' can no longer identify the rows that deletes remove: {}. Nothing "
        "from there on was applied; re-snapshot the table (clear the job's positions in the "
        "target, startup: initial) once its deletes carry the job's key, or with a target.key "
        "they carry",
        spec.file, name, written.fields[*i].absent_from_old_rows));
  }
  std::vector<std::string> added;
  for (const Field& f : written.fields) {
    if (!setup.write.schema.IndexOf(f.name)) added.push_back(f.name);
  }
  setup.transforms = std::move(*transforms);
  setup.write.schema = std::move(written);
  return added;
}

Status FollowStreamSchema(const JobSpec& spec, JobSetup& setup,
                          std::unique_ptr<SinkWriter>& writer) {
  KillAtSchemaChangeForTests("before_alter");
  writer.reset();
  const Schema written_before = setup.write.schema;
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> added, RebuildForStreamSchema(spec, setup));
  // A drop alters the target too: a column created NOT NULL must accept the NULLs to come;
  // and so does a widened column, whose values a VARCHAR(50) or an INT would refuse.
  if (!added.empty() || !NewlyDroppedColumns(written_before, setup.write.schema).empty() ||
      !WidenedColumns(written_before, setup.write.schema).empty()) {
    SLUICE_RETURN_IF_ERROR(setup.sink->AddColumns(setup.write, added));
  }
  KillAtSchemaChangeForTests("after_alter");
  SLUICE_ASSIGN_OR_RETURN(writer, setup.sink->OpenWriter());
  return Status::OK();
}

std::vector<std::string> NewlyDroppedColumns(const Schema& before, const Schema& after) {
  std::vector<std::string> dropped;
  for (const Field& f : after.fields) {
    if (!f.dropped_at_source) continue;
    const std::optional<size_t> known = before.IndexOf(f.name);
    if (!known || !before.fields[*known].dropped_at_source) dropped.push_back(f.name);
  }
  return dropped;
}

std::vector<std::string> WidenedColumns(const Schema& before, const Schema& after) {
  std::vector<std::string> longer;
  for (const Field& f : after.fields) {
    if (!f.widened_at_source) continue;
    const std::optional<size_t> known = before.IndexOf(f.name);
    if (!known || !before.fields[*known].widened_at_source ||
        IsWiderType(before.fields[*known].type, f.type)) {
      longer.push_back(f.name);
    }
  }
  return longer;
}

void KillAtSchemaChangeForTests(std::string_view moment) {
  const char* at = std::getenv("SLUICE_TEST_KILL_AT_SCHEMA_CHANGE");
  if (at != nullptr && moment == at) std::raise(SIGKILL);
}

}  // namespace sluice
