#include "engine/schema_follow.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Schema Of(std::vector<std::string> names) {
  Schema s;
  for (std::string& n : names)
    s.fields.push_back(Field{std::move(n), DataType::Of(TypeId::kInt64)});
  return s;
}

TEST(NewlyDroppedColumns, OnlyTheColumnsThisChangeDropped) {
  Schema before = Of({"id", "d", "e"});
  before.fields[2].dropped_at_source = true;  // dropped by an earlier change
  Schema after = before;
  EXPECT_TRUE(NewlyDroppedColumns(before, after).empty());  // an ADD only: nothing to relax
  after.fields[1].dropped_at_source = true;
  after.fields.push_back(Field{"r", DataType::Of(TypeId::kInt64)});
  after.fields.back().dropped_at_source = true;  // restored at a start: new to `before`
  EXPECT_EQ(NewlyDroppedColumns(before, after), (std::vector<std::string>{"d", "r"}));
}

}  // namespace
}  // namespace sluice
