#include "expr/in_list.h"

#include <algorithm>

#include "expr/compare.h"

namespace sluice::expr {

namespace {

// The set of item values; Key is Int128 (integers, fixed types) or std::string (text).
template <typename Key>
class InSetNode final : public ComputeNode {
 public:
  InSetNode(bool negated, size_t offset, NodePtr value, std::vector<Key> keys, bool has_null)
      : ComputeNode(DataType::Of(TypeId::kBool), offset, {std::move(value)}),
        keys_(std::move(keys)),
        negated_(negated),
        has_null_(has_null),
        unsigned_(IsUnsignedInteger(args_[0]->type().id)) {
    std::sort(keys_.begin(), keys_.end());
  }

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    (void)errors;
    const Column& c = *args[0];
    for (size_t i = 0; i < rows; ++i) {
      if (c.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      bool found = false;
      if constexpr (std::is_same_v<Key, std::string>) {
        std::string_view v = c.GetView(i);
        auto it = std::lower_bound(keys_.begin(), keys_.end(), v,
                                   [](const std::string& k, std::string_view x) { return k < x; });
        found = it != keys_.end() && *it == v;
      } else {
        found = std::binary_search(keys_.begin(), keys_.end(), LoadInt128(c, i, unsigned_));
      }
      if (!found && has_null_) {
        out.AppendNull();
      } else {
        out.AppendBool(found != negated_);
      }
    }
  }

 private:
  std::vector<Key> keys_;
  bool negated_;
  bool has_null_;
  bool unsigned_;
};

}  // namespace

NodePtr MakeInSet(bool negated, size_t offset, NodePtr value, const std::vector<NodePtr>& items) {
  const DataType& vt = value->type();
  bool has_null = false;
  std::vector<Int128> ints;
  std::vector<std::string> texts;
  for (const NodePtr& item : items) {
    const auto* c = dynamic_cast<const ConstantNode*>(item.get());
    if (c == nullptr) return nullptr;
    if (c->is_null()) {
      has_null = true;
      continue;
    }
    std::optional<CompareClass> cls = PlanCompare(vt, c->type());
    if (!cls) return nullptr;
    const Column& v = c->value();
    if (*cls == CompareClass::kBytes) {
      texts.emplace_back(v.GetView(0));
    } else if (*cls == CompareClass::kInt ||
               (*cls == CompareClass::kFixed && vt.id == c->type().id)) {
      ints.push_back(LoadInt128(v, 0, IsUnsignedInteger(c->type().id)));
    } else {
      return nullptr;  // decimals, floats: the exact comparison node handles them
    }
  }
  if (!ints.empty() && !texts.empty()) return nullptr;
  if (IsTextLike(vt.id)) {
    return std::make_shared<InSetNode<std::string>>(negated, offset, std::move(value),
                                                    std::move(texts), has_null);
  }
  if (!texts.empty()) return nullptr;
  return std::make_shared<InSetNode<Int128>>(negated, offset, std::move(value), std::move(ints),
                                             has_null);
}

}  // namespace sluice::expr
