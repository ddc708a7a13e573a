// Test helper: builds a batch from text values and evaluates expressions against it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/value_text.h"
#include "expr/expression.h"

namespace sluice::testing {

using Cell = std::optional<std::string>;  // nullopt = NULL

class ExprTester {
 public:
  ExprTester() { context_.bizdate = "20240131"; }

  // Adds a column whose values are given as canonical text (parsed like a CSV reader would).
  ExprTester& Col(const std::string& name, DataType type, const std::vector<Cell>& values) {
    schema_.fields.push_back(Field{name, type, true});
    Column c(type);
    for (const Cell& v : values) {
      if (!v) {
        c.AppendNull();
      } else {
        Status st = ParseAndAppend(*v, c, context_.zone);
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    }
    batch_.columns.push_back(std::move(c));
    return *this;
  }
  ExprTester& Col(const std::string& name, TypeId id, const std::vector<Cell>& values) {
    return Col(name, DataType::Of(id), values);
  }
  ExprContext& context() { return context_; }
  const Schema& schema() const { return schema_; }

  // Values of `text` for every row: canonical text, "NULL" for NULL; row errors go to
  // `errors` (as "row: message"). A compile error is returned as "ERROR: message".
  std::vector<std::string> Eval(std::string_view text, std::vector<std::string>* errors = nullptr,
                                DataType* type = nullptr) {
    auto compiled = Expression::Compile(text, schema_, context_);
    if (!compiled.has_value()) return {"ERROR: " + compiled.error().message()};
    if (type) *type = (*compiled)->result_type();
    Batch batch = batch_;
    if (batch.columns.empty()) batch.row_count_without_columns = 1;
    Column result;
    std::vector<RowError> row_errors;
    Status st = (*compiled)->Evaluate(batch, result, row_errors);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(result.type(), (*compiled)->result_type()) << text;
    std::vector<std::string> out;
    for (size_t i = 0; i < result.size(); ++i) {
      if (result.IsNull(i)) {
        out.push_back("NULL");
      } else {
        std::string s;
        FormatValue(result, i, s);
        out.push_back(s);
      }
    }
    if (errors) {
      errors->clear();
      for (const RowError& e : row_errors) {
        errors->push_back(std::to_string(e.row) + ": " + e.message);
      }
    } else {
      EXPECT_TRUE(row_errors.empty()) << text << ": " << row_errors.front().message;
    }
    return out;
  }

  // The single value of an expression over a one-row batch (or over row 0).
  std::string One(std::string_view text) {
    std::vector<std::string> errors;
    std::vector<std::string> v = Eval(text, &errors);
    if (!errors.empty()) return "ROW ERROR " + errors.front();
    return v.empty() ? "<no rows>" : v.front();
  }

  // The compile error of `text`, or "" if it compiles.
  std::string CompileError(std::string_view text) {
    auto compiled = Expression::Compile(text, schema_, context_);
    return compiled.has_value() ? "" : compiled.error().message();
  }

  DataType TypeOf(std::string_view text) {
    auto compiled = Expression::Compile(text, schema_, context_);
    EXPECT_TRUE(compiled.has_value()) << compiled.error().message();
    return compiled.has_value() ? (*compiled)->result_type() : DataType{};
  }

 private:
  Schema schema_;
  Batch batch_;
  ExprContext context_;
};

using Strings = std::vector<std::string>;

}  // namespace sluice::testing
