#include "expr/expression.h"

#include <algorithm>

#include "expr/binder.h"
#include "expr/node.h"
#include "expr/parser.h"

namespace sluice {

namespace {

class CompiledExpression final : public Expression {
 public:
  CompiledExpression(std::string text, std::unique_ptr<ExprContext> context, expr::NodePtr root)
      : text_(std::move(text)), context_(std::move(context)), root_(std::move(root)) {}

  const DataType& result_type() const override { return root_->type(); }
  const std::string& text() const override { return text_; }

  Status Evaluate(const Batch& batch, Column& result,
                  std::vector<RowError>& errors) const override {
    errors.clear();
    const size_t rows = batch.num_rows();
    const Column& value = root_->Eval(batch, rows, result, errors);
    if (&value != &result) result = value;  // a plain column reference: copy it out
    if (result.size() != rows) {
      return Status::Internal("expression '{}' produced {} values for {} rows", text_,
                              result.size(), rows);
    }
    if (errors.size() > 1) {
      // One error per row, the first one found (the innermost failure), in row order.
      std::stable_sort(errors.begin(), errors.end(),
                       [](const RowError& a, const RowError& b) { return a.row < b.row; });
      auto last = std::unique(errors.begin(), errors.end(),
                              [](const RowError& a, const RowError& b) { return a.row == b.row; });
      errors.erase(last, errors.end());
    }
    return Status::OK();
  }

 private:
  std::string text_;
  // Owned here because nodes keep pointers to it (zone, now, bizdate).
  std::unique_ptr<ExprContext> context_;
  expr::NodePtr root_;
};

}  // namespace

Result<std::unique_ptr<Expression>> Expression::Compile(std::string_view text, const Schema& input,
                                                        const ExprContext& context) {
  SLUICE_ASSIGN_OR_RETURN(expr::AstPtr ast, expr::Parse(text));
  auto owned_context = std::make_unique<ExprContext>(context);
  expr::Binder binder(text, input, owned_context.get());
  SLUICE_ASSIGN_OR_RETURN(expr::NodePtr root, binder.Bind(*ast));
  return std::unique_ptr<Expression>(
      new CompiledExpression(std::string(text), std::move(owned_context), std::move(root)));
}

}  // namespace sluice
