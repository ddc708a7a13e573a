// LSN text: PostgreSQL's %X/%X form, round trips, and the text pg_lsn refuses.
#include "connectors/postgres/replication/lsn.h"

#include <gtest/gtest.h>

namespace sluice::postgres::replication {
namespace {

TEST(LsnTest, FormatsAsPostgresDoes) {
  EXPECT_EQ(Lsn{0x16B3748}.ToString(), "0/16B3748");
  EXPECT_EQ(Lsn{0}.ToString(), "0/0");
  EXPECT_EQ(Lsn{0x1'00000000}.ToString(), "1/0");
  EXPECT_EQ(Lsn{0xFFFFFFFF'FFFFFFFF}.ToString(), "FFFFFFFF/FFFFFFFF");
  EXPECT_EQ(Lsn{0xA'0000000B}.ToString(), "A/B");
}

TEST(LsnTest, ParsesAndRoundTrips) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x16B3748}, uint64_t{0x1'00000000},
                     uint64_t{0x12345678'9ABCDEF0}, ~uint64_t{0}}) {
    Result<Lsn> parsed = Lsn::Parse(Lsn{v}.ToString());
    ASSERT_TRUE(parsed.has_value()) << v;
    EXPECT_EQ(parsed->value, v);
  }
  Result<Lsn> lower = Lsn::Parse("0/16b3748");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->value, 0x16B3748u);
  Result<Lsn> padded = Lsn::Parse("00000001/00000002");
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(padded->value, 0x1'00000002u);
}

TEST(LsnTest, RefusesBadText) {
  for (const char* bad :
       {"", "/", "0/", "/0", "0", "016B3748", "0/16B3748 ", " 0/1", "0//1", "0/1/2", "g/1", "0/x1",
        "-1/0", "+1/0", "123456789/0", "0/123456789", "0x1/0"}) {
    Result<Lsn> r = Lsn::Parse(bad);
    ASSERT_FALSE(r.has_value()) << "'" << bad << "'";
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("is not a valid LSN"), std::string::npos);
  }
}

TEST(LsnTest, OrdersAsNumbersNotText) {
  // As text "0/9" > "0/16B3748"; as positions it is smaller.
  EXPECT_LT(*Lsn::Parse("0/9"), *Lsn::Parse("0/16B3748"));
  EXPECT_LT(*Lsn::Parse("0/FFFFFFFF"), *Lsn::Parse("1/0"));
  EXPECT_EQ(*Lsn::Parse("1/A"), (Lsn{0x1'0000000A}));
  EXPECT_FALSE(Lsn{}.valid());
}

}  // namespace
}  // namespace sluice::postgres::replication
