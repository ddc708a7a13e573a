#include "expr/binder.h"

#include <gtest/gtest.h>

#include "expr/expr_test_util.h"
#include "expr/parser.h"

namespace sluice::testing {
namespace {

// Binds `text` against a schema with one int64 column `n`.
expr::NodePtr BindText(std::string_view text, const ExprContext& context) {
  Schema schema;
  schema.fields = {{"n", DataType::Of(TypeId::kInt64), true}};
  auto ast = expr::Parse(text);
  EXPECT_TRUE(ast.has_value());
  expr::Binder binder(text, schema, &context);
  auto node = binder.Bind(**ast);
  EXPECT_TRUE(node.has_value()) << node.error().message();
  return node.has_value() ? *node : nullptr;
}

TEST(BinderTest, FoldsLiteralOnlySubtrees) {
  ExprContext context;
  context.bizdate = "20240131";
  EXPECT_TRUE(BindText("'x' || '20240131'", context)->is_constant());
  EXPECT_TRUE(BindText("'x_' || bizdate()", context)->is_constant());
  EXPECT_TRUE(BindText("upper(substr('abc', 2)) = 'BC' AND 1 + 2 * 3 = 7", context)->is_constant());
  EXPECT_TRUE(BindText("CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", context)->is_constant());
  EXPECT_TRUE(BindText("n IS NULL OR TRUE", context) != nullptr);
  EXPECT_FALSE(BindText("n + 1", context)->is_constant());
  // A constant that fails stays unfolded, so it fails per row (and only where evaluated).
  EXPECT_FALSE(BindText("1 / 0", context)->is_constant());
  EXPECT_FALSE(BindText("CAST('x' AS INT)", context)->is_constant());
}

TEST(BinderTest, CompactDatesMeetTemporalValues) {
  ExprTester t;
  t.Col("d", TypeId::kDate, {"2024-01-31", "2024-01-30"});
  EXPECT_EQ(t.Eval("d = bizdate()"), (Strings{"true", "false"}));
  EXPECT_EQ(t.Eval("d >= '20240131'"), (Strings{"true", "false"}));
  EXPECT_EQ(t.CompileError("d = '20241331'"),
            "at position 5: '20241331' is not a valid date (expected YYYY-MM-DD)");
}

}  // namespace
}  // namespace sluice::testing
