#include "core/schema_change.h"

#include <spdlog/spdlog.h>

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

void StreamSchemaTracker::AddColumn(const std::string& table, Field field, Schema& schema,
                                    Batch& batch) {
  field.nullable = true;
  spdlog::warn("{}: column {} was added at the source ({}); the target gets it too", table,
               field.name, TypeName(field.type));
  Column column(field.type);
  for (size_t row = 0; row < batch.num_rows(); ++row) column.AppendNull();
  batch.columns.push_back(std::move(column));
  schema.fields.push_back(std::move(field));
  warned_.erase(schema.fields.back().name);
  ++version_;
}

void StreamSchemaTracker::NoteAbsent(const std::string& table, const Schema& schema,
                                     const std::vector<size_t>& absent) {
  for (size_t j : absent) {
    const std::string& name = schema.fields[j].name;
    if (!warned_.insert(name).second) continue;
    spdlog::warn(
        "{}: column {} was dropped at the source; the target keeps it, NULL for the rows from "
        "now on",
        table, name);
  }
}

}  // namespace sluice
