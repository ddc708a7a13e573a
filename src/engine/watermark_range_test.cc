#include "engine/watermark_range.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

IncrementalRule Rule(TypeId id, bool keyed, std::string look_back = "") {
  IncrementalRule rule;
  rule.column = "updated";
  rule.type = DataType::Of(id);
  rule.keyed_target = keyed;
  if (!look_back.empty()) {
    Result<LookBack> parsed = ParseLookBack(look_back, rule.column, rule.type);
    EXPECT_TRUE(parsed.has_value()) << parsed.error().message();
    if (parsed) rule.look_back = *parsed;
  }
  return rule;
}

std::string Describe(const Result<std::optional<WatermarkRange>>& range) {
  if (!range) return "error: " + range.error().message();
  if (!*range) return "nothing";
  const WatermarkRange& r = **range;
  return std::string(r.LowOperator()) + " " + r.low.value_or("-") + ", " + r.HighOperator() + " " +
         r.high;
}

const std::string kNoon = "2024-03-01 12:00:00";

TEST(PlanWatermarkRange, AppendIsHalfOpenKeyedIncludesTheMaximum) {
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, false), std::nullopt, kNoon)),
            ">= -, < 2024-03-01 12:00:00");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, true), std::nullopt, kNoon)),
            ">= -, <= 2024-03-01 12:00:00");
  // Nothing newer than the stored watermark: append waits; keyed reads the maximum again.
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, false), kNoon, kNoon)), "nothing");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, true), kNoon, kNoon)),
            ">= 2024-03-01 12:00:00, <= 2024-03-01 12:00:00");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, true), kNoon, std::nullopt)),
            "nothing");
  IncrementalRule strict = Rule(TypeId::kInt64, true);
  strict.strictly_increasing = true;
  EXPECT_EQ(Describe(PlanWatermarkRange(strict, "5", "5")), "nothing");
  EXPECT_EQ(Describe(PlanWatermarkRange(strict, "5", "7")), "> 5, <= 7");
}

TEST(PlanWatermarkRange, LookBackMovesTheLowEnd) {
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestamp, true, "1h30m"), kNoon, kNoon)),
            ">= 2024-03-01 10:30:00, <= 2024-03-01 12:00:00");
  EXPECT_EQ(
      Describe(PlanWatermarkRange(Rule(TypeId::kDate, true, "36h"), "2024-03-10", "2024-03-11")),
      ">= 2024-03-08, <= 2024-03-11");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kTimestampTz, true, "10m"),
                                        "2024-03-01T00:05:00Z", "2024-03-01T00:06:00Z")),
            ">= 2024-02-29T23:55:00Z, <= 2024-03-01T00:06:00Z");
}

TEST(PlanWatermarkRange, LookBackOfNumericColumnsCountsUnits) {
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kInt64, true, "100"), "1000", "1000")),
            ">= 900, <= 1000");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kUInt64, true, "100"), "50", "60")),
            ">= 0, <= 60");
  EXPECT_EQ(Describe(PlanWatermarkRange(Rule(TypeId::kFloat64, true, "2"), "10.5", "11")),
            ">= 7, <= 11");
}

TEST(ParseLookBack, SaysWhatTheColumnNeeds) {
  auto error = [](std::string_view text, TypeId id) {
    Result<LookBack> r = ParseLookBack(text, "c", DataType::Of(id));
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(error("10m", TypeId::kTimestamp), "ok");
  EXPECT_EQ(error("2d", TypeId::kDate), "ok");
  EXPECT_EQ(error("10", TypeId::kTimestamp),
            "look_back '10': watermark column 'c' is of type timestamp, so look_back is a "
            "duration: a count and a unit (s, m, h, d), e.g. 10m or 1h30m");
  EXPECT_EQ(error("10x", TypeId::kTimestamp).substr(0, 16), "look_back '10x':");
  EXPECT_EQ(error("0m", TypeId::kTimestamp).substr(0, 15), "look_back '0m':");
  EXPECT_EQ(error("10m", TypeId::kInt32),
            "look_back '10m': watermark column 'c' is of type int32, so look_back is a count of "
            "its units (a whole number above 0, e.g. 1000)");
  EXPECT_EQ(error("5", TypeId::kString),
            "look_back needs a numeric, date or timestamp watermark column; 'c' is of type "
            "string");
}

}  // namespace
}  // namespace sluice
