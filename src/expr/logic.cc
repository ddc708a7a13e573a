#include "expr/logic.h"

namespace sluice::expr {

namespace {

const DataType kBoolType = DataType::Of(TypeId::kBool);

bool IsFalse(const Column& c, size_t row) {
  return !c.IsNull(row) && !c.GetBool(row);
}
bool IsTrue(const Column& c, size_t row) {
  return !c.IsNull(row) && c.GetBool(row);
}

class AndOrNode final : public Node {
 public:
  AndOrNode(bool is_and, size_t offset, NodePtr left, NodePtr right)
      : Node(kBoolType, offset),
        is_and_(is_and),
        left_(std::move(left)),
        right_(std::move(right)) {}

  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const override {
    ScratchColumn ls;
    ScratchColumn rs;
    RowErrors right_errors;
    const Column& a = left_->Eval(batch, rows, *ls, errors);
    const Column& b = right_->Eval(batch, rows, *rs, right_errors);
    scratch.Reset(type_);
    scratch.Reserve(rows);
    // The value that decides the result on its own: FALSE for AND, TRUE for OR.
    const bool decisive = !is_and_;
    for (size_t i = 0; i < rows; ++i) {
      const bool a_null = a.IsNull(i);
      const bool b_null = b.IsNull(i);
      if ((!a_null && a.GetBool(i) == decisive) || (!b_null && b.GetBool(i) == decisive)) {
        scratch.AppendBool(decisive);
      } else if (a_null || b_null) {
        scratch.AppendNull();
      } else {
        scratch.AppendBool(!decisive);
      }
    }
    if (!right_errors.empty()) {
      std::vector<uint8_t> evaluated(rows);
      for (size_t i = 0; i < rows; ++i) {
        evaluated[i] = is_and_ ? !IsFalse(a, i) : !IsTrue(a, i);
      }
      KeepErrorsWhere(right_errors, evaluated, errors);
    }
    return scratch;
  }
  bool foldable() const override { return left_->is_constant() && right_->is_constant(); }

 private:
  bool is_and_;
  NodePtr left_;
  NodePtr right_;
};

class NotNode final : public ComputeNode {
 public:
  NotNode(size_t offset, NodePtr operand) : ComputeNode(kBoolType, offset, {std::move(operand)}) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    (void)errors;
    const Column& a = *args[0];
    for (size_t i = 0; i < rows; ++i) {
      if (a.IsNull(i)) {
        out.AppendNull();
      } else {
        out.AppendBool(!a.GetBool(i));
      }
    }
  }
};

class IsNullNode final : public ComputeNode {
 public:
  IsNullNode(bool negated, size_t offset, NodePtr operand)
      : ComputeNode(kBoolType, offset, {std::move(operand)}), negated_(negated) {}

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    (void)errors;
    const Column& a = *args[0];
    for (size_t i = 0; i < rows; ++i) out.AppendBool(a.IsNull(i) != negated_);
  }

 private:
  bool negated_;
};

constexpr int32_t kUndecided = -1;

class CaseNode final : public Node {
 public:
  CaseNode(DataType type, size_t offset, std::vector<NodePtr> conditions,
           std::vector<NodePtr> values, NodePtr else_value)
      : Node(type, offset),
        conditions_(std::move(conditions)),
        values_(std::move(values)),
        else_(std::move(else_value)) {}

  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const override {
    // chosen[i]: the WHEN branch row i takes; conditions_.size() for ELSE.
    std::vector<int32_t> chosen(rows, kUndecided);
    std::vector<uint8_t> mask(rows);
    size_t undecided = rows;
    RowErrors branch_errors;
    for (size_t k = 0; k < conditions_.size() && undecided > 0; ++k) {
      ScratchColumn cs;
      branch_errors.clear();
      const Column& c = conditions_[k]->Eval(batch, rows, *cs, branch_errors);
      for (size_t i = 0; i < rows; ++i) mask[i] = chosen[i] == kUndecided;
      KeepErrorsWhere(branch_errors, mask, errors);
      for (size_t i = 0; i < rows; ++i) {
        if (chosen[i] == kUndecided && IsTrue(c, i)) {
          chosen[i] = static_cast<int32_t>(k);
          --undecided;
        }
      }
    }
    const int32_t else_index = static_cast<int32_t>(conditions_.size());
    for (int32_t& ch : chosen) {
      if (ch == kUndecided) ch = else_index;
    }
    // Compute only the branches some row took; a branch nobody took cannot fail anyone.
    std::vector<ScratchColumn> scratches(values_.size() + 1);
    std::vector<const Column*> results(values_.size() + 1, nullptr);
    for (size_t k = 0; k <= values_.size(); ++k) {
      const Node* node = k < values_.size() ? values_[k].get() : else_.get();
      if (node == nullptr) continue;
      bool used = false;
      for (size_t i = 0; i < rows && !used; ++i) used = chosen[i] == static_cast<int32_t>(k);
      if (!used) continue;
      branch_errors.clear();
      results[k] = &node->Eval(batch, rows, *scratches[k], branch_errors);
      if (!branch_errors.empty()) {
        for (size_t i = 0; i < rows; ++i) mask[i] = chosen[i] == static_cast<int32_t>(k);
        KeepErrorsWhere(branch_errors, mask, errors);
      }
    }
    scratch.Reset(type_);
    scratch.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) {
      const Column* r = results[static_cast<size_t>(chosen[i])];
      if (r == nullptr) {
        scratch.AppendNull();
      } else {
        scratch.AppendFrom(*r, i);
      }
    }
    return scratch;
  }
  bool foldable() const override {
    return AllConstant(conditions_) && AllConstant(values_) && (!else_ || else_->is_constant());
  }

 private:
  std::vector<NodePtr> conditions_;
  std::vector<NodePtr> values_;
  NodePtr else_;
};

class CoalesceNode final : public Node {
 public:
  CoalesceNode(DataType type, size_t offset, std::vector<NodePtr> args)
      : Node(type, offset), args_(std::move(args)) {}

  const Column& Eval(const Batch& batch, size_t rows, Column& scratch,
                     RowErrors& errors) const override {
    std::vector<int32_t> chosen(rows, kUndecided);
    std::vector<uint8_t> pending(rows, 1);
    size_t left = rows;
    std::vector<ScratchColumn> scratches(args_.size());
    std::vector<const Column*> results(args_.size(), nullptr);
    RowErrors arg_errors;
    for (size_t k = 0; k < args_.size() && left > 0; ++k) {
      arg_errors.clear();
      const Column& c = args_[k]->Eval(batch, rows, *scratches[k], arg_errors);
      results[k] = &c;
      KeepErrorsWhere(arg_errors, pending, errors);
      for (size_t i = 0; i < rows; ++i) {
        if (pending[i] && !c.IsNull(i)) {
          chosen[i] = static_cast<int32_t>(k);
          pending[i] = 0;
          --left;
        }
      }
    }
    scratch.Reset(type_);
    scratch.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) {
      if (chosen[i] == kUndecided) {
        scratch.AppendNull();
      } else {
        scratch.AppendFrom(*results[static_cast<size_t>(chosen[i])], i);
      }
    }
    return scratch;
  }
  bool foldable() const override { return AllConstant(args_); }

 private:
  std::vector<NodePtr> args_;
};

}  // namespace

NodePtr MakeAndOr(bool is_and, size_t offset, NodePtr left, NodePtr right) {
  return std::make_shared<AndOrNode>(is_and, offset, std::move(left), std::move(right));
}

NodePtr MakeNot(size_t offset, NodePtr operand) {
  return std::make_shared<NotNode>(offset, std::move(operand));
}

NodePtr MakeIsNull(bool negated, size_t offset, NodePtr operand) {
  return std::make_shared<IsNullNode>(negated, offset, std::move(operand));
}

NodePtr MakeCase(DataType type, size_t offset, std::vector<NodePtr> conditions,
                 std::vector<NodePtr> values, NodePtr else_value) {
  return std::make_shared<CaseNode>(type, offset, std::move(conditions), std::move(values),
                                    std::move(else_value));
}

NodePtr MakeCoalesce(DataType type, size_t offset, std::vector<NodePtr> args) {
  return std::make_shared<CoalesceNode>(type, offset, std::move(args));
}

}  // namespace sluice::expr
