#include "transforms/transform.h"

#include <fmt/format.h>

#include "expr/suggest.h"
#include "transforms/transform_kinds.h"

namespace sluice {

namespace {

Result<std::unique_ptr<Transform>> MakeTransform(const TransformSpec& spec, const Schema& input,
                                                 const ExprContext& context,
                                                 const std::string& label) {
  switch (spec.kind) {
    case TransformSpec::Kind::kFilter:
      return MakeFilterTransform(spec, input, context, label);
    case TransformSpec::Kind::kSet:
      return MakeSetTransform(spec, input, context, label);
    case TransformSpec::Kind::kRename:
      return MakeRenameTransform(spec, input);
    case TransformSpec::Kind::kDrop:
      return MakeDropTransform(spec, input);
    case TransformSpec::Kind::kSelect:
      return MakeSelectTransform(spec, input);
  }
  return Err(Status::Internal("unknown transform kind"));
}

}  // namespace

std::string TransformLabel(const TransformSpec& spec, size_t index) {
  return spec.Label(index);
}

Result<size_t> FindColumn(const Schema& schema, const std::string& name) {
  std::optional<size_t> index = schema.IndexOf(name);
  if (!index) {
    return Err(
        Status::NotFound("unknown column '{}'{}", name, expr::DidYouMean(name, schema.Names())));
  }
  return *index;
}

void Transform::Link(const Transform* previous, std::shared_ptr<const Schema> chain_input) {
  previous_ = previous;
  chain_input_ = std::move(chain_input);
}

const Schema& Transform::output_schema() const {
  std::call_once(built_once_, [this] {
    // Back to the nearest step whose schema is built (or the chain's input), then forward.
    std::vector<const Transform*> path;
    const Transform* from = this;
    while (from != nullptr && !from->built_.load(std::memory_order_acquire)) {
      path.push_back(from);
      from = from->previous_;
    }
    auto schema = std::make_unique<Schema>(from != nullptr ? *from->output_ : *chain_input_);
    for (auto it = path.rbegin(); it != path.rend(); ++it) (*it)->Reshape(*schema);
    output_ = std::move(schema);
    built_.store(true, std::memory_order_release);
  });
  return *output_;
}

Result<std::vector<std::unique_ptr<Transform>>> BuildTransforms(
    const std::vector<TransformSpec>& specs, const Schema& input, const ExprContext& context) {
  std::vector<std::unique_ptr<Transform>> chain;
  auto chain_input = std::make_shared<const Schema>(input);
  // The one schema that evolves step by step while the chain is built.
  Schema current = input;
  for (size_t i = 0; i < specs.size(); ++i) {
    const TransformSpec& spec = specs[i];
    const std::string label = TransformLabel(spec, i);
    Result<std::unique_ptr<Transform>> t = MakeTransform(spec, current, context, label);
    if (!t.has_value()) {
      // "job.yaml:14:7: transforms[1] (filter): at position 8: unknown column ..."
      std::string where = spec.location.ToString();
      std::string prefix = where.empty() ? label : fmt::format("{}: {}", where, label);
      return Err(t.error().WithContext(prefix));
    }
    (*t)->Link(chain.empty() ? nullptr : chain.back().get(), chain_input);
    (*t)->Reshape(current);
    chain.push_back(std::move(*t));
  }
  return chain;
}

}  // namespace sluice
