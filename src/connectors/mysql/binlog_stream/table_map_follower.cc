#include "connectors/mysql/binlog_stream/table_map_follower.h"

#include "connectors/mysql/binlog_stream/ascii_case.h"

namespace sluice::mysql::binlog_stream {

void TableMapFollower::NoteColumnDdl(const std::string& label, Schema& schema,
                                     const std::vector<std::string>& dropped) {
  names_required_ = true;
  for (const std::string& name : dropped) {
    for (size_t i = 0; i < schema.size(); ++i) {
      if (Lower(schema.fields[i].name) == Lower(name)) tracker_.NoteDropped(label, schema, i);
    }
  }
}

bool ShapeBatchFor(Batch& batch, const Schema& schema, const std::string& label) {
  if (batch.num_rows() > 0 || batch.truncated) return batch.source_table == label;
  bool same = batch.columns.size() == schema.size();
  for (size_t i = 0; same && i < batch.columns.size(); ++i) {
    same = batch.columns[i].type() == schema.fields[i].type;
  }
  if (!same) batch.columns = Batch(schema).columns;
  batch.source_table = label;
  return true;
}

Result<binlog::RowImageDecoder> TableMapFollower::Decoder(
    const binlog::TableMap& map, const std::string& label, const DefineColumn& define,
    const binlog::RowDecodeOptions& options, Schema& schema, std::vector<binlog::ColumnDef>& defs,
    Batch& batch) {
  if (!map.has_names) {
    if (names_required_ || map.columns.size() != schema.size()) {
      return Err(Status::Invalid(
          "{}: the table's columns changed ({} in the binlog, {} known) and the binlog carries "
          "no column names to follow them by: set binlog_row_metadata=FULL on the server (SET "
          "GLOBAL binlog_row_metadata=FULL) before changing the table, and re-snapshot the job",
          label, map.columns.size(), schema.size()));
    }
    return binlog::RowImageDecoder::Make(map, defs, options);
  }
  std::vector<std::string> names;
  for (const binlog::TableMapColumn& c : map.columns) names.push_back(c.name);
  const ColumnMatch match = MatchColumns(names, schema, /*ignore_case=*/true);
  const std::vector<size_t> not_added = tracker_.NoteMetadata(label, schema, match);
  for (const auto& [name, type] : widened_) {
    for (size_t j = 0; j < schema.size(); ++j) {
      if (Lower(schema.fields[j].name) != Lower(name)) continue;
      if (!IsWiderType(schema.fields[j].type, type) && !Covers(schema.fields[j].type, type)) {
        // The binlog's wider type is no widening of the one the run reads the column as
        // (TINYINT(1) read as a boolean, made SMALLINT).
        return Err(Status::Invalid(
            "{}: column {} was widened at the source to {}, which the {} it is read as does "
            "not hold: re-snapshot the table into a fresh target",
            label, name, LengthName(type), LengthName(schema.fields[j].type)));
      }
      Field wider = schema.fields[j];
      wider.type = type;
      // Marked even when the schema has the type already (read from the catalog by a run
      // restarted before the MODIFY): the target may not.
      tracker_.Widen(label, wider, schema, batch, j);
      if (j < defs.size()) defs[j].type = schema.fields[j].type;
    }
  }
  widened_.clear();
  std::vector<size_t> slots = match.slots;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] != ColumnMatch::kNew) continue;
    SLUICE_ASSIGN_OR_RETURN(auto defined, define(map, i));
    defs.push_back(std::move(defined.second));
    tracker_.AddColumn(label, std::move(defined.first), schema, batch);
    slots[i] = schema.size() - 1;
  }
  std::vector<binlog::ColumnDef> mapped;
  for (size_t slot : slots) mapped.push_back(defs[slot]);
  SLUICE_ASSIGN_OR_RETURN(binlog::RowImageDecoder decoder,
                          binlog::RowImageDecoder::Make(map, mapped, options));
  if (!match.identity) decoder.MapColumns(std::move(slots), schema.size());
  for (size_t j : not_added) {
    if (std::optional<Column> cell = AddedDefaultCell(label, schema.fields[j])) {
      decoder.FillUnmapped(j, std::move(*cell));
    }
  }
  return decoder;
}

}  // namespace sluice::mysql::binlog_stream
