#include "core/schema_change.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/time_zone.h"
#include "core/value_text.h"

namespace sluice {
namespace {

bool SameName(const std::string& a, const std::string& b, bool ignore_case) {
  if (a.size() != b.size()) return false;
  if (!ignore_case) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// One column a line: its type name (never a space in it), a space, its name, with a backslash
// or a newline in it (a quoted PostgreSQL name may hold both) escaped as \\ and \n.
void AppendColumnLine(const Field& field, std::string& text) {
  if (!text.empty()) text += '\n';
  // Text and bytes with their length, 0 for none: a restart tells a column lengthened or
  // shortened while no run streamed (positions of older runs say "string": length unknown).
  const bool has_length = field.type.id == TypeId::kString || field.type.id == TypeId::kBytes;
  text += has_length ? fmt::format("{}({})", TypeName(field.type), field.type.precision)
                     : TypeName(field.type);
  text += ' ';
  for (char c : field.name) {
    if (c == '\\' || c == '\n') {
      text += '\\';
      text += c == '\n' ? 'n' : '\\';
    } else {
      text += c;
    }
  }
}

std::string UnescapeColumnName(std::string_view escaped) {
  std::string name;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\' && i + 1 < escaped.size()) {
      ++i;
      name += escaped[i] == 'n' ? '\n' : escaped[i];
    } else {
      name += escaped[i];
    }
  }
  return name;
}

// The columns of a position written by AppendColumnLine; `with_length` says of each whether
// its line gave a length.
Result<std::vector<Field>> ParseColumnLines(const StreamPosition& position,
                                            std::vector<bool>& with_length) {
  std::vector<Field> fields;
  size_t at = 0;
  while (at < position.position.size()) {
    size_t end = position.position.find('\n', at);
    if (end == std::string::npos) end = position.position.size();
    const std::string line = position.position.substr(at, end - at);
    at = end + 1;
    const size_t space = line.find(' ');
    const std::optional<DataType> type =
        space == std::string::npos ? std::nullopt : ParseTypeName(line.substr(0, space));
    if (!type) {
      return Err(Status::DataError(
          "the committed position {} names a column as '{}', which is no type and name (the "
          "target's positions were edited, or written by another sluice); deleting that "
          "position (stream '{}') lets the job go on without it",
          position.stream, line, position.stream));
    }
    fields.push_back(Field{UnescapeColumnName(std::string_view(line).substr(space + 1)), *type});
    with_length.push_back(line.substr(0, space).find('(') != std::string::npos);
  }
  return fields;
}

}  // namespace

ColumnMatch MatchColumns(const std::vector<std::string>& incoming, const Schema& schema,
                         bool ignore_case) {
  ColumnMatch match;
  std::vector<bool> seen(schema.size(), false);
  match.identity = incoming.size() == schema.size();
  for (size_t i = 0; i < incoming.size(); ++i) {
    size_t slot = ColumnMatch::kNew;
    for (size_t j = 0; j < schema.size() && slot == ColumnMatch::kNew; ++j) {
      if (!seen[j] && SameName(incoming[i], schema.fields[j].name, ignore_case)) slot = j;
    }
    if (slot != ColumnMatch::kNew) seen[slot] = true;
    match.identity = match.identity && slot == i;
    match.slots.push_back(slot);
  }
  for (size_t j = 0; j < schema.size(); ++j) {
    if (!seen[j]) match.absent.push_back(j);
  }
  return match;
}

std::optional<Column> AddedDefaultCell(const std::string& table, const Field& field) {
  if (!field.added_default) return std::nullopt;
  Column cell(field.type);
  const Status st = ParseAndAppend(*field.added_default, cell, TimeZone::Utc());
  if (!st.ok()) {
    // The target's ALTER ... DEFAULT reads the same text and says what is wrong with it.
    spdlog::warn(
        "{}: column {}'s default '{}' is not a {} value ({}): the rows from before its ADD "
        "COLUMN that the stream reads are written NULL",
        table, field.name, *field.added_default, TypeName(field.type), st.message());
    return std::nullopt;
  }
  return cell;
}

void FillAddedDefault(const std::string& table, const Field& field, Column& column) {
  if (!field.added_default || column.size() == 0) return;
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.IsNull(row)) return;  // not a column of rows from before the ADD
  }
  const std::optional<Column> cell = AddedDefaultCell(table, field);
  if (!cell) return;
  Column filled(field.type);
  for (size_t row = 0; row < column.size(); ++row) filled.AppendFrom(*cell, 0);
  column = std::move(filled);
}

void StreamSchemaTracker::AddColumn(const std::string& table, Field field, Schema& schema,
                                    Batch& batch) {
  field.nullable = true;
  spdlog::warn("{}: column {} was added at the source ({}); the target gets it too", table,
               field.name, TypeName(field.type));
  Column column(field.type);
  for (size_t row = 0; row < batch.num_rows(); ++row) column.AppendNull();
  FillAddedDefault(table, field, column);
  batch.columns.push_back(std::move(column));
  schema.fields.push_back(std::move(field));
  carried_.insert(schema.fields.back().name);
  warned_.erase(schema.fields.back().name);
  absent_.erase(schema.fields.back().name);
  ++version_;
}

void StreamSchemaTracker::Widen(const std::string& table, const Field& field, Schema& schema,
                                Batch& batch, size_t index) {
  Field& known = schema.fields[index];
  const bool wider = IsWiderType(known.type, field.type);
  if (!wider && known.widened_at_source) return;
  if (wider) {
    spdlog::warn(
        "{}: column {} was widened at the source ({} -> {}); the target's column is widened to "
        "match",
        table, known.name, LengthName(known.type), LengthName(field.type));
    known.type = field.type;
    known.native_engine = field.native_engine;
    known.native_type = field.native_type;
    if (index < batch.columns.size()) batch.columns[index].Widen(field.type);
  } else {
    spdlog::info(
        "{}: column {} was widened at the source ({}); the target's column is checked to take "
        "it",
        table, known.name, LengthName(known.type));
  }
  known.widened_at_source = true;
  ++version_;
}

bool IsWiderType(const DataType& from, const DataType& to) {
  if (from == to) return false;
  if (from.id == TypeId::kString || from.id == TypeId::kBytes) {
    if (to.id != from.id) return false;
    if (to.precision == 0) return from.precision != 0;
    return from.precision != 0 && to.precision > from.precision;
  }
  if (from.id == TypeId::kDecimal) {
    if (to.id != TypeId::kDecimal || from.precision == 0) return false;
    if (to.precision == 0) return true;  // numeric(10,2) -> numeric
    // As many digits before the point and as many after, or more: every value stays.
    return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  }
  const int from_bytes = IntegerBytes(from.id);
  const int to_bytes = IntegerBytes(to.id);
  if (from_bytes == 0 || to_bytes == 0) return false;
  // An unsigned type fits a wider one of either kind; a signed one only a wider signed one.
  if (IsUnsignedInteger(from.id)) return to_bytes > from_bytes;
  return IsSignedInteger(to.id) && to_bytes > from_bytes;
}

bool Covers(const DataType& wide, const DataType& narrow) {
  return wide == narrow || IsWiderType(narrow, wide);
}

std::string LengthName(const DataType& type) {
  const bool text = type.id == TypeId::kString || type.id == TypeId::kBytes;
  return text && type.precision > 0 ? fmt::format("{}({})", TypeName(type), type.precision)
                                    : std::string(TypeName(type));
}

std::optional<StreamPosition> StreamSchemaTracker::DroppedPosition(const Schema& schema) const {
  if (absent_.empty()) return std::nullopt;
  std::string text;
  for (const Field& f : schema.fields) {
    if (absent_.count(f.name) != 0) AppendColumnLine(f, text);
  }
  return StreamPosition{kDroppedColumnsStream, text};
}

std::optional<StreamPosition> StreamSchemaTracker::KnownColumnsPosition(const Schema& schema) {
  std::string text;
  for (const Field& f : schema.fields) AppendColumnLine(f, text);
  if (text.size() > kMaxKnownColumnsBytes) return std::nullopt;
  return StreamPosition{kKnownColumnsStream, text};
}

Status StreamSchemaTracker::Restore(const std::vector<StreamPosition>& resume_from,
                                    Schema& schema) {
  bool added = false;
  // Dropped ones first: a column both lists name is put back marked.
  for (const char* stream : {kDroppedColumnsStream, kKnownColumnsStream}) {
    const bool dropped = stream == kDroppedColumnsStream;
    for (const StreamPosition& p : resume_from) {
      if (p.stream != stream) continue;
      std::vector<bool> with_length;
      SLUICE_ASSIGN_OR_RETURN(std::vector<Field> fields, ParseColumnLines(p, with_length));
      if (!dropped) {
        committed_columns_.emplace();
        for (const Field& field : fields) committed_columns_->push_back(field.name);
      }
      for (size_t i = 0; i < fields.size(); ++i) {
        Field& field = fields[i];
        const std::optional<size_t> known = schema.IndexOf(field.name);
        if (dropped) {
          absent_.insert(field.name);
          warned_.insert(field.name);  // warned by the run that met the drop
          if (known) {
            added = added || !schema.fields[*known].dropped_at_source;
            schema.fields[*known].dropped_at_source = true;
            continue;
          }
          field.dropped_at_source = true;
        } else if (known) {
          // Retyped since that position: the stream is to meet the change where it happened
          // (its metadata from before it matches, from after it does not), as the run that
          // committed the position would have; so the column keeps the type its target has.
          Field& now = schema.fields[*known];
          const bool relengthened =
              with_length[i] && now.type.id == field.type.id &&
              now.type.precision != field.type.precision &&
              (now.type.id == TypeId::kString || now.type.id == TypeId::kBytes);
          if (TypeName(now.type) != TypeName(field.type) || relengthened) {
            now.type = field.type;
            now.native_engine.clear();
            now.native_type.clear();
            added = true;
          }
          continue;
        }
        schema.fields.push_back(std::move(field));
        added = true;
      }
    }
  }
  if (added) ++version_;
  return Status::OK();
}

void StreamSchemaTracker::MarkDropped(Schema& schema, size_t index) {
  Field& field = schema.fields[index];
  if (field.dropped_at_source) return;
  field.dropped_at_source = true;
  ++version_;
}

void StreamSchemaTracker::NoteDropped(const std::string& table, Schema& schema, size_t index) {
  // Not marked (no schema change counted) until the table's next metadata (NoteAbsent): the
  // statement ends no batch, so a change counted here would be followed from the positions
  // before rows read ahead of it, and a restart from there, by a run that never read the
  // column, would not know it was dropped. Recorded as absent at once instead, so that every
  // checkpoint from here carries it (DroppedPosition).
  const std::string& name = schema.fields[index].name;
  absent_.insert(name);
  dropped_by_statement_.insert(name);
  if (!warned_.insert(name).second) return;
  spdlog::warn(
      "{}: column {} was dropped at the source; the target keeps it, NULL for the rows from now "
      "on",
      table, name);
}

std::vector<size_t> StreamSchemaTracker::NoteMetadata(
    const std::string& table, Schema& schema, const ColumnMatch& match,
    const std::function<bool(const std::string&)>& exists_now) {
  for (size_t slot : match.slots) {
    if (slot != ColumnMatch::kNew) carried_.insert(schema.fields[slot].name);
  }
  std::vector<size_t> dropped;
  std::vector<size_t> not_added;
  for (size_t j : match.absent) {
    const Field& f = schema.fields[j];
    const bool is_not_added = carried_.count(f.name) == 0 && !f.dropped_at_source &&
                              dropped_by_statement_.count(f.name) == 0 &&
                              (!exists_now || exists_now(f.name));
    (is_not_added ? not_added : dropped).push_back(j);
    if (!is_not_added || !noted_not_added_.insert(f.name).second) continue;
    if (f.added_default) {
      spdlog::info(
          "{}: column {} is not in the changes before its ADD COLUMN; they take its default "
          "'{}', as the source's rows did",
          table, f.name, *f.added_default);
    } else if (!f.added_default_unknown.empty()) {
      spdlog::warn(
          "{}: column {} is not in the changes before its ADD COLUMN, and its default ({}) "
          "cannot be known for them: they are written NULL there (an update of the row after "
          "the ADD writes its value)",
          table, f.name, f.added_default_unknown);
    }
  }
  NoteAbsent(table, schema, dropped);
  return not_added;
}

void StreamSchemaTracker::NoteAbsent(const std::string& table, Schema& schema,
                                     const std::vector<size_t>& absent) {
  absent_.clear();
  // A column the metadata carries again (added back under its old name) is written again.
  for (size_t j = 0; j < schema.size(); ++j) {
    if (std::find(absent.begin(), absent.end(), j) == absent.end()) {
      schema.fields[j].dropped_at_source = false;
    }
  }
  for (size_t j : absent) {
    MarkDropped(schema, j);  // counts only a column newly dropped
    const std::string& name = schema.fields[j].name;
    absent_.insert(name);
    if (!warned_.insert(name).second) continue;
    spdlog::warn(
        "{}: column {} was dropped at the source; the target keeps it, NULL for the rows from "
        "now on",
        table, name);
  }
}

}  // namespace sluice
