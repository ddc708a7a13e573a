// The text forms of MariaDB's UUID, INET6 and INET4. The INET6 texts are what MariaDB 10.11
// printed for the same values; the UUID storage forms follow the server's documented rule.
// binlog_fixed_binary_run_test.cc checks thousands more of each against the server itself.
#include "connectors/mysql/binlog/fixed_binary_text.h"

#include <gtest/gtest.h>

namespace sluice::mysql::binlog {
namespace {

std::string Text(FixedBinaryText type, std::string_view stored) {
  std::string out;
  std::string why;
  EXPECT_TRUE(AppendFixedBinaryText(type, stored, out, why)) << why;
  return out;
}

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST(FixedBinaryTextTest, Inet6IsWrittenAsMariaDbWritesIt) {
  const auto t = FixedBinaryText::kInet6;
  EXPECT_EQ(Text(t, ""), "::");  // all zero bytes stripped by the binlog
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), "::1");
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), "::100");
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), "::0.1.0.0");
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})), "::ffff:0.0.0.0");
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 2, 3, 4})),
            "::ffff:0:102:304");
  // A lone zero group is written `::` (inet_ntop keeps it as 0); of equal runs the first.
  EXPECT_EQ(Text(t, Bytes({0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7})), "1:2:3:4:5:6:7::");
  EXPECT_EQ(Text(t, Bytes({0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4})), "1::2:0:0:3:4");
  EXPECT_EQ(Text(t, Bytes({0, 0, 0, 1})), "0:1::");
  EXPECT_EQ(Text(t, Bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
            "2001:db8::1");
}

TEST(FixedBinaryTextTest, UuidsOfBothStorageForms) {
  const auto t = FixedBinaryText::kUuid;
  // Version 1, variant bit set: stored nnnnnnnnnnnn-vsss-Vhhh-mmmm-llllllll.
  EXPECT_EQ(Text(t, Bytes({0x42, 0x66, 0x55, 0x44, 0x00, 0x00, 0xa4, 0x56, 0x12, 0xd3, 0xe8, 0x9b,
                           0x12, 0x3e, 0x45, 0x67})),
            "123e4567-e89b-12d3-a456-426655440000");
  // Version 7: stored as it is.
  EXPECT_EQ(Text(t, Bytes({0x01, 0x7f, 0x22, 0xe2, 0x79, 0xb0, 0x7c, 0xc3, 0x98, 0xc4, 0xdc, 0x0c,
                           0x0c, 0x07, 0x39, 0x8f})),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(Text(t, ""), "00000000-0000-0000-0000-000000000000");
}

TEST(FixedBinaryTextTest, Inet4AndOversizedValues) {
  EXPECT_EQ(Text(FixedBinaryText::kInet4, Bytes({10})), "10.0.0.0");
  EXPECT_EQ(Text(FixedBinaryText::kInet4, Bytes({255, 255, 255, 254})), "255.255.255.254");
  std::string out;
  std::string why;
  EXPECT_FALSE(AppendFixedBinaryText(FixedBinaryText::kInet4, "12345", out, why));
  EXPECT_EQ(why, "5 bytes where the type holds 4");
  EXPECT_EQ(FixedBinaryTextOf("inet6"), FixedBinaryText::kInet6);
  EXPECT_EQ(FixedBinaryTextOf("binary"), FixedBinaryText::kNone);
}

}  // namespace
}  // namespace sluice::mysql::binlog
