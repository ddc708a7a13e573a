#include "cli/summary_printer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sluice {
namespace {

RunSummary Realtime() {
  RunSummary s;
  s.job = "orders_cdc";
  s.run_id = "r1";
  s.realtime = true;
  s.rows_read = 7;
  s.rows_written = 7;
  s.changes_inserted = 3;
  s.changes_updated = 2;
  s.changes_deleted = 1;
  s.lag_ms = 1500;
  s.checkpoints = 2;
  s.position_before = "binlog mysql-bin.000003:100";
  s.position_after = "binlog mysql-bin.000003:900";
  s.status_detail = "slot s retains 12 MB of WAL";
  return s;
}

TEST(SummaryPrinterTest, RealtimeJsonHasChangesLagAndPosition) {
  const auto j = nlohmann::json::parse(SummaryJson(Realtime()));
  EXPECT_EQ(j["changes"]["inserts"], 3);
  EXPECT_EQ(j["changes"]["updates"], 2);
  EXPECT_EQ(j["changes"]["deletes"], 1);
  EXPECT_EQ(j["changes"]["truncates"], 0);
  EXPECT_EQ(j["lag_ms"], 1500);
  EXPECT_EQ(j["checkpoints"], 2);
  EXPECT_EQ(j["position_after"], "binlog mysql-bin.000003:900");
  EXPECT_EQ(j["status_detail"], "slot s retains 12 MB of WAL");
}

TEST(SummaryPrinterTest, RealtimeJsonWithUnknownLagAndNoCheckpoint) {
  RunSummary s = Realtime();
  s.lag_ms = -1;
  s.checkpoints = 0;
  s.position_before.clear();
  s.position_after.clear();
  s.status_detail.clear();
  const auto j = nlohmann::json::parse(SummaryJson(s));
  EXPECT_TRUE(j["lag_ms"].is_null());
  EXPECT_EQ(j["checkpoints"], 0);  // always there for realtime runs
  EXPECT_FALSE(j.contains("status_detail"));
}

TEST(SummaryPrinterTest, BatchJsonHasNoChangeKeys) {
  RunSummary s;
  s.job = "orders";
  const auto j = nlohmann::json::parse(SummaryJson(s));
  EXPECT_FALSE(j.contains("changes"));
  EXPECT_FALSE(j.contains("lag_ms"));
  EXPECT_FALSE(j.contains("checkpoints"));
}

TEST(SummaryPrinterTest, RealtimeTextLine) {
  const std::string text = SummaryText(Realtime());
  EXPECT_NE(text.find("  changes    3 inserts, 2 updates, 1 deletes; lag 1.5 s; slot s retains "
                      "12 MB of WAL\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  position   binlog mysql-bin.000003:100 -> binlog mysql-bin.000003:900 "
                      "(2 checkpoint(s))\n"),
            std::string::npos)
      << text;
  // TRUNCATEs only when there were any.
  RunSummary s = Realtime();
  s.changes_truncated = 2;
  EXPECT_NE(SummaryText(s).find("  changes    3 inserts, 2 updates, 1 deletes, 2 truncates; lag"),
            std::string::npos)
      << SummaryText(s);
}

}  // namespace
}  // namespace sluice
