// Streaming replication CopyData payloads: XLogData, keepalives, the status update's exact bytes.
#include "connectors/postgres/replication/replication_frames.h"

#include <gtest/gtest.h>

#include "connectors/postgres/pg_wire.h"

namespace sluice::postgres::replication {
namespace {

// 2024-01-01 00:00:00 UTC.
constexpr int64_t kUnix2024 = 1704067200LL * 1'000'000;
constexpr int64_t kPg2024 = kUnix2024 - 946684800LL * 1'000'000;

TEST(ReplicationFramesTest, EpochConversion) {
  EXPECT_EQ(PgEpochToUnixMicros(0), 946684800LL * 1'000'000);
  EXPECT_EQ(PgEpochToUnixMicros(kPg2024), kUnix2024);
  EXPECT_EQ(UnixMicrosToPgEpoch(kUnix2024), kPg2024);
  EXPECT_EQ(PgEpochToUnixMicros(INT64_MAX), INT64_MAX);  // saturates, never wraps
  EXPECT_EQ(UnixMicrosToPgEpoch(INT64_MIN), INT64_MIN);
}

TEST(ReplicationFramesTest, StandbyStatusUpdateBytes) {
  StandbyStatus s;
  s.written = Lsn{0x1'02030405};
  s.flushed = Lsn{0x16B3748};
  s.applied = Lsn{0x16B3700};
  s.client_time_us = kUnix2024;
  s.reply_requested = true;
  const std::string got = BuildStandbyStatusUpdate(s);
  std::string want = "r";
  want += std::string("\x00\x00\x00\x01\x02\x03\x04\x05", 8);
  want += std::string("\x00\x00\x00\x00\x01\x6B\x37\x48", 8);
  want += std::string("\x00\x00\x00\x00\x01\x6B\x37\x00", 8);
  PutI64(want, kPg2024);
  want += '\x01';
  ASSERT_EQ(got.size(), 34u);
  EXPECT_EQ(got, want);
  // 757382400000000 = 0x0002B0D5_D4E94000 microseconds from 2000-01-01 to 2024-01-01.
  EXPECT_EQ(got.substr(25, 8), std::string("\x00\x02\xB0\xD5\xD4\xE9\x40\x00", 8));
  s.reply_requested = false;
  EXPECT_EQ(BuildStandbyStatusUpdate(s).back(), '\0');
}

std::string XLogBytes(std::string_view payload) {
  std::string b = "w";
  PutU64(b, 0x16B3748);
  PutU64(b, 0x16B3800);
  PutI64(b, kPg2024);
  b.append(payload);
  return b;
}

TEST(ReplicationFramesTest, DecodesXLogData) {
  const std::string bytes = XLogBytes("B-payload");
  Result<ReplicationFrame> f = DecodeReplicationFrame(bytes);
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  const auto& d = std::get<XLogData>(*f);
  EXPECT_EQ(d.wal_start.ToString(), "0/16B3748");
  EXPECT_EQ(d.wal_end.ToString(), "0/16B3800");
  EXPECT_EQ(d.send_time_us, kUnix2024);
  EXPECT_EQ(d.payload, "B-payload");
  EXPECT_EQ(d.payload.data(), bytes.data() + 25);  // a view, not a copy
}

TEST(ReplicationFramesTest, DecodesKeepalive) {
  std::string b = "k";
  PutU64(b, 0x2'00000010);
  PutI64(b, kPg2024);
  b += '\x01';
  Result<ReplicationFrame> f = DecodeReplicationFrame(b);
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  const auto& k = std::get<PrimaryKeepalive>(*f);
  EXPECT_EQ(k.wal_end.ToString(), "2/10");
  EXPECT_EQ(k.send_time_us, kUnix2024);
  EXPECT_TRUE(k.reply_requested);
}

TEST(ReplicationFramesTest, MalformedFramesAreErrorsWithOffsets) {
  std::string keepalive = "k";
  PutU64(keepalive, 1);
  PutI64(keepalive, 2);
  keepalive += '\0';
  const std::string xlog = XLogBytes("");
  for (const std::string& whole : {keepalive, xlog}) {
    for (size_t len = 0; len < whole.size(); ++len) {
      Result<ReplicationFrame> f = DecodeReplicationFrame(std::string_view(whole).substr(0, len));
      ASSERT_FALSE(f.has_value()) << whole[0] << " cut at " << len;
      EXPECT_NE(f.error().message().find("at offset"), std::string::npos);
    }
  }
  Result<ReplicationFrame> cut = DecodeReplicationFrame(keepalive.substr(0, 12));
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().message(),
            "primary keepalive at offset 9: truncated: send time needs 8 bytes, 3 left");
  Result<ReplicationFrame> extra = DecodeReplicationFrame(keepalive + "x");
  ASSERT_FALSE(extra.has_value());
  EXPECT_EQ(extra.error().message(), "primary keepalive at offset 18: 1 unexpected trailing bytes");
  Result<ReplicationFrame> unknown = DecodeReplicationFrame("z123");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message(), "replication message at offset 0: unknown kind 0x7a");
  std::string bad_flag = keepalive;
  bad_flag.back() = '\x02';
  EXPECT_FALSE(DecodeReplicationFrame(bad_flag).has_value());
}

}  // namespace
}  // namespace sluice::postgres::replication
