// rename, drop, select: transforms that only reshape the schema. They never reject a row and
// never copy values: rename touches no data, drop and select move whole columns.
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "transforms/transform_kinds.h"

namespace sluice {

namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i > 0 ? ", " : "") + names[i];
  return out;
}

Status CheckColumnCount(const Batch& batch, size_t expected) {
  if (batch.num_columns() == expected) return Status::OK();
  return Status::Internal("batch has {} columns, schema has {}", batch.num_columns(), expected);
}

class RenameTransform final : public Transform {
 public:
  RenameTransform(size_t columns, std::vector<std::pair<size_t, std::string>> renames,
                  std::string description)
      : columns_(columns), renames_(std::move(renames)), description_(std::move(description)) {}
  void Reshape(Schema& schema) const override {
    for (const auto& [index, name] : renames_) schema.fields[index].name = name;
  }
  std::string Describe() const override { return description_; }
  Status Apply(Batch& batch, RejectSink& rejects) const override {
    (void)rejects;
    return CheckColumnCount(batch, columns_);
  }

 private:
  size_t columns_;
  std::vector<std::pair<size_t, std::string>> renames_;  // (column, new name)
  std::string description_;
};

// Keeps the input columns listed in `sources`, in that order (drop and select alike).
class ProjectTransform final : public Transform {
 public:
  ProjectTransform(size_t input_columns, std::vector<size_t> sources, std::string description)
      : input_columns_(input_columns),
        sources_(std::move(sources)),
        description_(std::move(description)) {}
  void Reshape(Schema& schema) const override {
    std::vector<Field> fields;
    fields.reserve(sources_.size());
    for (size_t s : sources_) fields.push_back(std::move(schema.fields[s]));
    schema.fields = std::move(fields);
  }
  std::string Describe() const override { return description_; }

  Status Apply(Batch& batch, RejectSink& rejects) const override {
    (void)rejects;
    SLUICE_RETURN_IF_ERROR(CheckColumnCount(batch, input_columns_));
    batch.row_count_without_columns = batch.num_rows();  // survives dropping every column
    std::vector<Column> columns;
    columns.reserve(sources_.size());
    for (size_t s : sources_) columns.push_back(std::move(batch.columns[s]));
    batch.columns = std::move(columns);
    return Status::OK();
  }

 private:
  size_t input_columns_;
  std::vector<size_t> sources_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeRenameTransform(const TransformSpec& spec,
                                                       const Schema& input) {
  if (spec.assignments.empty()) return Err(Status::Invalid("no columns to rename"));
  std::vector<std::pair<size_t, std::string>> renames;
  std::unordered_map<size_t, size_t> renamed;  // column -> its entry in renames
  std::string description = "rename ";
  for (const auto& [from, to] : spec.assignments) {
    SLUICE_ASSIGN_OR_RETURN(size_t index, FindColumn(input, from));
    if (renamed.contains(index)) {
      return Err(Status::Invalid("column '{}' is renamed twice", input.fields[index].name));
    }
    if (to.empty()) return Err(Status::Invalid("the new name of '{}' is empty", from));
    renamed[index] = renames.size();
    renames.emplace_back(index, to);
    if (description.size() > 7) description += ", ";
    description += fmt::format("{} -> {}", input.fields[index].name, to);
  }
  // All renames happen at once, so `{a: b, b: a}` swaps; only the final names must be unique.
  // One pass over the names (a hash set, not every pair: a step may face thousands of columns).
  std::unordered_map<std::string_view, size_t> owner;  // final name -> column
  auto final_name = [&](size_t i) -> std::string_view {
    auto it = renamed.find(i);
    return it == renamed.end() ? std::string_view(input.fields[i].name)
                               : std::string_view(renames[it->second].second);
  };
  for (size_t j = 0; j < input.size(); ++j) {
    auto [it, fresh] = owner.emplace(final_name(j), j);
    if (fresh) continue;
    const size_t i = it->second;
    const size_t moved = renamed.contains(j) ? j : i;
    const size_t other = moved == j ? i : j;
    return Err(Status::Conflict("cannot rename '{}' to '{}': column '{}' already has that name",
                                input.fields[moved].name, final_name(moved),
                                input.fields[other].name));
  }
  return std::unique_ptr<Transform>(
      new RenameTransform(input.size(), std::move(renames), std::move(description)));
}

Result<std::unique_ptr<Transform>> MakeDropTransform(const TransformSpec& spec,
                                                     const Schema& input) {
  if (spec.columns.empty()) return Err(Status::Invalid("no columns to drop"));
  std::vector<bool> dropped(input.size(), false);
  for (const std::string& name : spec.columns) {
    SLUICE_ASSIGN_OR_RETURN(size_t index, FindColumn(input, name));
    dropped[index] = true;
  }
  std::vector<size_t> sources;
  for (size_t i = 0; i < input.size(); ++i) {
    if (!dropped[i]) sources.push_back(i);
  }
  return std::unique_ptr<Transform>(
      new ProjectTransform(input.size(), std::move(sources), "drop " + JoinNames(spec.columns)));
}

Result<std::unique_ptr<Transform>> MakeSelectTransform(const TransformSpec& spec,
                                                       const Schema& input) {
  if (spec.columns.empty()) return Err(Status::Invalid("no columns to select"));
  std::vector<size_t> sources;
  std::set<size_t> seen;
  for (const std::string& name : spec.columns) {
    SLUICE_ASSIGN_OR_RETURN(size_t index, FindColumn(input, name));
    if (!seen.insert(index).second) {
      return Err(Status::Invalid("column '{}' is selected twice", input.fields[index].name));
    }
    sources.push_back(index);
  }
  return std::unique_ptr<Transform>(
      new ProjectTransform(input.size(), std::move(sources), "select " + JoinNames(spec.columns)));
}

}  // namespace sluice
