#include "core/time_zone.h"

#include <gtest/gtest.h>

#include "core/value_text.h"

namespace sluice {
namespace {

constexpr int64_t kUs = 1'000'000;

int64_t LocalMicros(int y, unsigned m, unsigned d, int h, int min, int s) {
  return DaysFromCivil(y, m, d) * kMicrosPerDay + ((h * 60LL + min) * 60 + s) * kUs;
}

TEST(TimeZoneTest, UtcIsIdentity) {
  TimeZone utc = TimeZone::Utc();
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.OffsetAt(1'700'000'000), 0);
  EXPECT_EQ(utc.LocalToUtcMicros(123456789), 123456789);
  EXPECT_EQ(utc.UtcToLocalMicros(-5), -5);
  auto loaded = TimeZone::Load("UTC");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->OffsetAt(0), 0);
}

TEST(TimeZoneTest, DefaultConstructedBehavesAsUtc) {
  TimeZone tz;
  EXPECT_EQ(tz.OffsetAt(1000), 0);
  EXPECT_EQ(tz.LocalToUtcMicros(42), 42);
}

TEST(TimeZoneTest, FixedOffsets) {
  struct Case {
    const char* name;
    int32_t seconds;
  } cases[] = {{"+08:00", 8 * 3600},
               {"-0530", -(5 * 3600 + 30 * 60)},
               {"+08", 8 * 3600},
               {"-03:30", -(3 * 3600 + 30 * 60)},
               {"+00:00", 0}};
  for (const Case& c : cases) {
    auto tz = TimeZone::Load(c.name);
    ASSERT_TRUE(tz.has_value()) << c.name;
    EXPECT_EQ(tz->name(), c.name);
    EXPECT_EQ(tz->OffsetAt(0), c.seconds) << c.name;
    EXPECT_EQ(tz->OffsetAt(1'700'000'000), c.seconds) << c.name;
    EXPECT_EQ(tz->LocalToUtcMicros(0), -int64_t{c.seconds} * kUs) << c.name;
    EXPECT_EQ(tz->UtcToLocalMicros(0), int64_t{c.seconds} * kUs) << c.name;
  }
}

TEST(TimeZoneTest, UnknownNamesAreNotFound) {
  for (const char* name : {"", "Mars/Olympus", "+8", "+25:00", "+08:61", "08:00", "+08:00x"}) {
    auto tz = TimeZone::Load(name);
    ASSERT_FALSE(tz.has_value()) << name;
    EXPECT_EQ(tz.error().code(), StatusCode::kNotFound) << name;
  }
}

TEST(TimeZoneTest, ShanghaiIsEightHoursAhead) {
  auto tz = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(tz.has_value()) << tz.error().message();
  EXPECT_EQ(tz->OffsetAt(1'709'251'200), 8 * 3600);  // 2024-03-01T00:00:00Z
  const int64_t local = LocalMicros(2024, 3, 1, 8, 0, 0);
  EXPECT_EQ(tz->LocalToUtcMicros(local), LocalMicros(2024, 3, 1, 0, 0, 0));
  EXPECT_EQ(tz->UtcToLocalMicros(LocalMicros(2024, 3, 1, 0, 0, 0)), local);
  std::string out;
  FormatTimestampTzIn(LocalMicros(2024, 3, 1, 0, 0, 0), *tz, out);
  EXPECT_EQ(out, "2024-03-01 08:00:00+08:00");
}

TEST(TimeZoneTest, NewYorkDstGapMovesForward) {
  auto tz = TimeZone::Load("America/New_York");
  ASSERT_TRUE(tz.has_value()) << tz.error().message();
  // 2024-03-10 02:30 does not exist; it becomes 03:30 EDT = 07:30 UTC.
  EXPECT_EQ(tz->LocalToUtcMicros(LocalMicros(2024, 3, 10, 2, 30, 0) + 7),
            LocalMicros(2024, 3, 10, 7, 30, 0) + 7);
  // Just before and after the gap.
  EXPECT_EQ(tz->LocalToUtcMicros(LocalMicros(2024, 3, 10, 1, 59, 59)),
            LocalMicros(2024, 3, 10, 6, 59, 59));
  EXPECT_EQ(tz->LocalToUtcMicros(LocalMicros(2024, 3, 10, 3, 0, 0)),
            LocalMicros(2024, 3, 10, 7, 0, 0));
  EXPECT_EQ(tz->OffsetAt(LocalMicros(2024, 1, 15, 12, 0, 0) / kUs), -5 * 3600);
  EXPECT_EQ(tz->OffsetAt(LocalMicros(2024, 7, 15, 12, 0, 0) / kUs), -4 * 3600);
}

TEST(TimeZoneTest, NewYorkRepeatedHourTakesEarlierInstant) {
  auto tz = TimeZone::Load("America/New_York");
  ASSERT_TRUE(tz.has_value());
  // 2024-11-03 01:30 happens twice: EDT (05:30 UTC) then EST (06:30 UTC).
  EXPECT_EQ(tz->LocalToUtcMicros(LocalMicros(2024, 11, 3, 1, 30, 0)),
            LocalMicros(2024, 11, 3, 5, 30, 0));
  std::string out;
  FormatTimestampTzIn(LocalMicros(2024, 11, 3, 6, 30, 0), *tz, out);
  EXPECT_EQ(out, "2024-11-03 01:30:00-05:00");
}

TEST(TimeZoneTest, NegativeMicrosRoundTrip) {
  auto tz = TimeZone::Load("Asia/Kolkata");
  ASSERT_TRUE(tz.has_value());
  const int64_t utc = -1'234'567;  // 1969-12-31T23:59:58.765433Z
  const int64_t local = tz->UtcToLocalMicros(utc);
  EXPECT_EQ(local - utc, (5 * 3600 + 30 * 60) * kUs);
  EXPECT_EQ(tz->LocalToUtcMicros(local), utc);
}

TEST(TimeZoneTest, CopiesShareTheZone) {
  auto tz = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(tz.has_value());
  TimeZone copy = *tz;
  EXPECT_EQ(copy.name(), "Europe/Berlin");
  EXPECT_EQ(copy.OffsetAt(1'719'792'000), 2 * 3600);  // 2024-07-01, CEST
}

}  // namespace
}  // namespace sluice
