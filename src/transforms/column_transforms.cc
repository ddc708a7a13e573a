// rename, drop, select: transforms that only reshape the schema. They never reject a row and
// never copy values: rename touches no data, drop and select move whole columns.
#include <set>

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
  RenameTransform(Schema output, std::string description)
      : output_(std::move(output)), description_(std::move(description)) {}
  const Schema& output_schema() const override { return output_; }
  std::string Describe() const override { return description_; }
  Status Apply(Batch& batch, RejectSink& rejects) const override {
    (void)rejects;
    return CheckColumnCount(batch, output_.size());
  }

 private:
  Schema output_;
  std::string description_;
};

// Keeps the input columns listed in `sources`, in that order (drop and select alike).
class ProjectTransform final : public Transform {
 public:
  ProjectTransform(size_t input_columns, std::vector<size_t> sources, Schema output,
                   std::string description)
      : input_columns_(input_columns),
        sources_(std::move(sources)),
        output_(std::move(output)),
        description_(std::move(description)) {}
  const Schema& output_schema() const override { return output_; }
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
  Schema output_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeRenameTransform(const TransformSpec& spec,
                                                       const Schema& input) {
  if (spec.assignments.empty()) return Err(Status::Invalid("no columns to rename"));
  Schema output = input;
  std::vector<bool> renamed(input.size(), false);
  std::string description = "rename ";
  for (const auto& [from, to] : spec.assignments) {
    SLUICE_ASSIGN_OR_RETURN(size_t index, FindColumn(input, from));
    if (renamed[index]) {
      return Err(Status::Invalid("column '{}' is renamed twice", input.fields[index].name));
    }
    if (to.empty()) return Err(Status::Invalid("the new name of '{}' is empty", from));
    renamed[index] = true;
    output.fields[index].name = to;
    if (description.size() > 7) description += ", ";
    description += fmt::format("{} -> {}", input.fields[index].name, to);
  }
  // All renames happen at once, so `{a: b, b: a}` swaps; only the final names must be unique.
  for (size_t i = 0; i < output.size(); ++i) {
    for (size_t j = i + 1; j < output.size(); ++j) {
      if (output.fields[i].name == output.fields[j].name) {
        const size_t moved = renamed[j] ? j : i;
        const size_t other = moved == j ? i : j;
        return Err(Status::Conflict("cannot rename '{}' to '{}': column '{}' already has that name",
                                    input.fields[moved].name, output.fields[moved].name,
                                    input.fields[other].name));
      }
    }
  }
  return std::unique_ptr<Transform>(new RenameTransform(std::move(output), std::move(description)));
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
  Schema output;
  for (size_t i = 0; i < input.size(); ++i) {
    if (dropped[i]) continue;
    sources.push_back(i);
    output.fields.push_back(input.fields[i]);
  }
  return std::unique_ptr<Transform>(new ProjectTransform(
      input.size(), std::move(sources), std::move(output), "drop " + JoinNames(spec.columns)));
}

Result<std::unique_ptr<Transform>> MakeSelectTransform(const TransformSpec& spec,
                                                       const Schema& input) {
  if (spec.columns.empty()) return Err(Status::Invalid("no columns to select"));
  std::vector<size_t> sources;
  Schema output;
  std::set<size_t> seen;
  for (const std::string& name : spec.columns) {
    SLUICE_ASSIGN_OR_RETURN(size_t index, FindColumn(input, name));
    if (!seen.insert(index).second) {
      return Err(Status::Invalid("column '{}' is selected twice", input.fields[index].name));
    }
    sources.push_back(index);
    output.fields.push_back(input.fields[index]);
  }
  return std::unique_ptr<Transform>(new ProjectTransform(
      input.size(), std::move(sources), std::move(output), "select " + JoinNames(spec.columns)));
}

}  // namespace sluice
