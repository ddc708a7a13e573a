#include "engine/stream_summary.h"

#include <gtest/gtest.h>

#include "core/schema_change.h"

namespace sluice {
namespace {

// The columns a PostgreSQL stream commits with its LSN are bookkeeping: the summary and a
// change event's source position show the LSN alone, as before they were committed.
TEST(StreamSummary, PositionsShowThePlaceInTheLogNotTheColumns) {
  const StreamPosition lsn{"pgoutput", "0/16B3748"};
  const StreamPosition known{StreamSchemaTracker::kKnownColumnsStream, "int32 id\nstring v"};
  const StreamPosition dropped{StreamSchemaTracker::kDroppedColumnsStream, "int32 d"};
  EXPECT_EQ(DescribePositions({lsn, known}), "pgoutput 0/16B3748");
  EXPECT_EQ(ChangeEventPosition({lsn, dropped, known}), "0/16B3748");
  EXPECT_EQ(ChangeEventPosition({lsn}), "0/16B3748");
  const StreamPosition gtid{"gtid", "0-1-7"};
  const StreamPosition file{"binlog", "mysql-bin.000003:1234"};
  EXPECT_EQ(ChangeEventPosition({file, gtid}), "binlog mysql-bin.000003:1234, gtid 0-1-7");
  EXPECT_EQ(ChangeEventPosition({}), "");
}

}  // namespace
}  // namespace sluice
