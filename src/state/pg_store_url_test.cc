#include "state/pg_store_url.h"

#include <gtest/gtest.h>

#include "state/pg_state_schema.h"

namespace sluice {
namespace {

TEST(PgStoreUrlTest, DescribesWithoutThePassword) {
  auto url = PgStoreUrl::Parse("postgresql://etl:s3cret@db1:6432/state?sslmode=disable");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->Describe(), "postgresql://etl@db1:6432/state");
  auto bare = PgStoreUrl::Parse("postgres://db1/state");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->Describe(), "postgresql://db1:5432/state");
}

TEST(PgStoreUrlTest, PasswordsWithDelimitersWorkWrittenAsTheyAreOrEncoded) {
  for (const std::string written : {"p%40s%3As%2Fw%3Fo%23rd", "p@s:s/w?o#rd"}) {
    auto url = PgStoreUrl::Parse("postgresql://etl:" + written + "@db1:5432/state");
    ASSERT_TRUE(url.has_value()) << url.error().message();
    EXPECT_EQ(url->Describe(), "postgresql://etl@db1:5432/state") << written;
    // libpq gets it encoded, so no part of it is taken for the host or the database.
    EXPECT_EQ(url->conninfo(), "postgresql://etl:p%40s%3As%2Fw%3Fo%23rd@db1:5432/state");
    const std::string scrubbed =
        url->Scrub("a p@s:s/w?o#rd b p%40s%3As%2Fw%3Fo%23rd c p%40s%3as%2fw%3fo%23rd d");
    EXPECT_EQ(scrubbed.find("p@s"), std::string::npos) << scrubbed;
    EXPECT_EQ(scrubbed.find("p%40s%3As"), std::string::npos) << scrubbed;
    EXPECT_TRUE(scrubbed.starts_with("a *** b *** c")) << scrubbed;
  }
}

TEST(PgStoreUrlTest, AQueryPasswordIsScrubbedToo) {
  auto url = PgStoreUrl::Parse("postgresql://etl@db1/state?password=hunter%32x&sslmode=disable");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->Scrub("x hunter2x y hunter%32x z"), "x *** y *** z");
}

TEST(PgStoreUrlTest, ErrorsNeverEchoTheUrl) {
  for (const std::string text :
       {"postgresql://etl:bad%zzsecret@db1/state", "postgresql://et%zzl:secret@db1/state",
        "postgresql://etl:secret@db1/state?password=secret%zz", "postgresql://etl:secret@[::1/x",
        "mysql://etl:secret@db1/state", "postgres:secret"}) {
    auto url = PgStoreUrl::Parse(text);
    ASSERT_FALSE(url.has_value()) << text;
    EXPECT_EQ(url.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(url.error().message().find("secret"), std::string::npos) << url.error().message();
  }
}

TEST(PgStoreUrlTest, ScrubsEveryOccurrence) {
  auto url = PgStoreUrl::Parse("postgresql://u:ab@h/d");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->Scrub("abab xab ab"), "****** x*** ***");
}

TEST(PgStateSchemaTest, FirstSearchPathSchema) {
  EXPECT_EQ(FirstSearchPathSchema("\"$user\", public"), "public");
  EXPECT_EQ(FirstSearchPathSchema("sluice_state"), "sluice_state");
  EXPECT_EQ(FirstSearchPathSchema("Sluice_State, public"), "sluice_state");
  EXPECT_EQ(FirstSearchPathSchema("\"My \"\"Schema\"\"\",x"), "My \"Schema\"");
  EXPECT_EQ(FirstSearchPathSchema("  \"$user\" ,  \"a,b\""), "a,b");
  EXPECT_EQ(FirstSearchPathSchema("\"$user\""), std::nullopt);
  EXPECT_EQ(FirstSearchPathSchema(""), std::nullopt);
}

TEST(PgStateSchemaTest, TableNamesAreQuotedAndQualified) {
  const PgStateTables t = PgStateTables::In("my \"s\"");
  EXPECT_EQ(t.jobs, "\"my \"\"s\"\"\".sluice_state_jobs");
  EXPECT_EQ(t.Sql("SELECT 1 FROM {leases} JOIN {pending} ON true -- {schema}"),
            "SELECT 1 FROM \"my \"\"s\"\"\".sluice_state_leases JOIN "
            "\"my \"\"s\"\"\".sluice_state_pending_positions ON true -- \"my \"\"s\"\"\"");
}

}  // namespace
}  // namespace sluice
