#include "expr/functions.h"

namespace sluice::expr {

namespace {

const std::vector<FunctionDef>& Table() {
  static const std::vector<FunctionDef> table = [] {
    std::vector<FunctionDef> t;
    AddStringFunctions(t);
    AddRegexpAndHashFunctions(t);
    AddTemporalFunctions(t);
    AddNumericFunctions(t);
    AddConditionalFunctions(t);
    return t;
  }();
  return table;
}

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : Table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> FunctionNames() {
  std::vector<std::string> names;
  for (const FunctionDef& f : Table()) names.emplace_back(f.name);
  return names;
}

}  // namespace sluice::expr
