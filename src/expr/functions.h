// The function table: every function name, its argument count, and how it binds.
//
// A bind function checks and converts its arguments (through Binder helpers) and returns the
// node that computes it; the binder folds the result when every argument is constant. Each
// *_functions.cc file contributes its entries through one Add...Functions call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expr/binder.h"
#include "expr/node.h"

namespace sluice::expr {

using BindFunction = Result<NodePtr> (*)(Binder& binder, std::vector<NodePtr> args, size_t offset);

struct FunctionDef {
  std::string_view name;  // lowercase
  int min_args = 0;
  int max_args = 0;  // -1: any number
  BindFunction bind = nullptr;
};

// nullptr when there is no such function. `name` must be lowercase.
const FunctionDef* FindFunction(std::string_view name);
std::vector<std::string> FunctionNames();

void AddStringFunctions(std::vector<FunctionDef>& table);
void AddRegexpAndHashFunctions(std::vector<FunctionDef>& table);
void AddTemporalFunctions(std::vector<FunctionDef>& table);
void AddNumericFunctions(std::vector<FunctionDef>& table);
void AddConditionalFunctions(std::vector<FunctionDef>& table);

// concat(args...), shared with the || operator.
Result<NodePtr> BindConcat(Binder& binder, std::vector<NodePtr> args, size_t offset);

}  // namespace sluice::expr
