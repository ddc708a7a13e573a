#include "connectors/postgres/replication_stream/relation_follower.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::postgres::replication_stream {
namespace r = ::sluice::postgres::replication;
namespace {

constexpr const char* kResnapshot =
    "re-snapshot the table (sluice state drop-slot JOB, clear the target's positions, startup: "
    "initial)";

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<r::TuplePlan> RelationFollower::Plan(
    const r::TuplePlan& relation, const std::string& label, Schema& schema, Batch& batch,
    const std::function<bool(const std::string&)>& exists_now) {
  const std::vector<std::string> names = relation.schema.Names();
  if (!previous_.empty()) {
    std::vector<std::string> gone;
    std::vector<std::string> came;
    for (const std::string& n : previous_) {
      if (!Contains(names, n)) gone.push_back(n);
    }
    for (const std::string& n : names) {
      if (!Contains(previous_, n)) came.push_back(n);
    }
    if (!gone.empty() && !came.empty()) {
      return Err(Status::Invalid(
          "{}: column {} went and {} came in one change of the table at the source: a rename "
          "(or a drop and an add in one statement) is not followed; {}",
          label, fmt::join(gone, ", "), fmt::join(came, ", "), kResnapshot));
    }
  } else {
    SLUICE_RETURN_IF_ERROR(CheckFirstOfSession(names, label, schema, exists_now));
  }
  const ColumnMatch match = MatchColumns(names, schema, /*ignore_case=*/false);
  size_t last_known = 0;  // one past the last Relation column the schema has
  for (size_t i = 0; i < match.slots.size(); ++i) {
    if (match.slots[i] != ColumnMatch::kNew) last_known = i + 1;
  }
  for (size_t i = 0; i < match.slots.size(); ++i) {
    const Field& f = relation.schema.fields[i];
    if (match.slots[i] == ColumnMatch::kNew) {
      // Within a session ADD COLUMN appends; the first Relation of one may come from before a
      // DROP of a column in the middle, which the current shape no longer has.
      if (i < last_known && !previous_.empty()) {
        return Err(Status::Invalid(
            "{}: column {} appeared between existing columns at the source (a rename?): only "
            "added and dropped columns are followed; {}",
            label, f.name, kResnapshot));
      }
      continue;
    }
    const Field& known = schema.fields[match.slots[i]];
    if (IsWiderType(known.type, f.type)) {
      // varchar(10) -> varchar(30) or text, the most common ALTER of all, or integer -> bigint,
      // numeric(10,2) -> numeric(14,2): every value the source holds stays as it was, and the
      // target's column is widened (Sink::AddColumns) before a wider value is written.
      tracker_.Widen(label, f, schema, batch, match.slots[i]);
      continue;
    }
    const bool text =
        known.type.id == f.type.id && (f.type.id == TypeId::kString || f.type.id == TypeId::kBytes);
    if (known.type != f.type && text) {
      return Err(Status::Invalid(
          "{}: column {} became shorter at the source ({} -> {}), which may have changed its "
          "values (ALTER ... TYPE ... USING) where the change stream does not show it; {}",
          label, f.name, LengthName(known.type), LengthName(f.type), kResnapshot));
    }
    if (known.type != f.type) {
      return Err(Status::Invalid(
          "{}: column {} changed type at the source ({} -> {}): only added, dropped and widened "
          "columns (longer text, wider integers and decimals) are followed; {}",
          label, f.name, TypeName(known.type), TypeName(f.type), kResnapshot));
    }
  }
  // Columns not added yet (the run started before their ADD COLUMN): the rows take the ADD's
  // constant default, parsed as core parses it (StreamSchemaTracker::NoteMetadata).
  fills_.clear();
  for (size_t j : tracker_.NoteMetadata(label, schema, match, exists_now)) {
    if (schema.fields[j].added_default) fills_.emplace_back(j, *schema.fields[j].added_default);
  }
  slots_ = match.slots;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i] != ColumnMatch::kNew) continue;
    tracker_.AddColumn(label, relation.schema.fields[i], schema, batch);
    slots_[i] = schema.size() - 1;
  }
  width_ = schema.size();
  identity_ = slots_.size() == width_ && fills_.empty();
  for (size_t i = 0; identity_ && i < slots_.size(); ++i) identity_ = slots_[i] == i;

  r::TuplePlan plan;
  plan.relation = relation.relation;
  plan.schema = schema;
  plan.columns.resize(width_);  // a column the Relation lacks is always NULL: any plan does
  for (size_t i = 0; i < slots_.size(); ++i) plan.columns[slots_[i]] = relation.columns[i];
  for (const auto& [j, text] : fills_) plan.columns[j] = r::ColumnPlan{r::TextForm::kParse};
  previous_ = names;
  met_.insert(names.begin(), names.end());
  return plan;
}

Status RelationFollower::CheckFirstOfSession(
    const std::vector<std::string>& names, const std::string& label, const Schema& schema,
    const std::function<bool(const std::string&)>& exists_now) {
  if (!met_seeded_) {
    met_seeded_ = true;
    const auto& committed = tracker_.committed_columns();
    const std::vector<std::string> seed = committed ? *committed : schema.Names();
    met_.insert(seed.begin(), seed.end());
  }
  std::vector<std::string> came;
  for (const std::string& n : names) {
    if (met_.count(n) == 0) came.push_back(n);
  }
  if (came.empty()) return Status::OK();
  std::vector<std::string> gone;
  for (const std::string& n : met_) {
    const std::optional<size_t> j = schema.IndexOf(n);
    if (!j || schema.fields[*j].dropped_at_source || Contains(names, n)) continue;
    if (!exists_now || !exists_now(n)) gone.push_back(n);
  }
  if (gone.empty()) return Status::OK();
  return Err(Status::Invalid(
      "{}: column {} went and {} came at the source since the last change of the table this "
      "job read (a rename while no run streamed, or a drop and an add with no change of the "
      "table between them): a rename is not followed; {}",
      label, fmt::join(gone, ", "), fmt::join(came, ", "), kResnapshot));
}

Result<const r::TupleData*> RelationFollower::Map(const r::TupleData& tuple) {
  if (identity_) return &tuple;
  if (tuple.size() != slots_.size()) {
    return Err(Status::DataError("a tuple of {} columns for a Relation of {}", tuple.size(),
                                 slots_.size()));
  }
  mapped_.assign(width_, r::TupleValue{});
  for (size_t i = 0; i < slots_.size(); ++i) mapped_[slots_[i]] = tuple[i];
  for (const auto& [j, text] : fills_) {
    mapped_[j] = r::TupleValue{r::TupleValueKind::kText, std::string_view(text)};
  }
  return &mapped_;
}

}  // namespace sluice::postgres::replication_stream
