#include "core/quantity_text.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

int64_t Ms(std::string_view text) {
  Result<int64_t> ms = ParseDurationMillis(text);
  EXPECT_TRUE(ms.has_value()) << text << ": " << ms.error().message();
  return ms.value_or(-1);
}

std::string DurationError(std::string_view text) {
  Result<int64_t> ms = ParseDurationMillis(text);
  EXPECT_FALSE(ms.has_value()) << text;
  return ms ? "" : ms.error().message();
}

int64_t Bytes(std::string_view text) {
  Result<int64_t> bytes = ParseByteSize(text);
  EXPECT_TRUE(bytes.has_value()) << text << ": " << bytes.error().message();
  return bytes.value_or(-1);
}

std::string SizeError(std::string_view text) {
  Result<int64_t> bytes = ParseByteSize(text);
  EXPECT_FALSE(bytes.has_value()) << text;
  return bytes ? "" : bytes.error().message();
}

TEST(QuantityTextTest, Durations) {
  EXPECT_EQ(Ms("500ms"), 500);
  EXPECT_EQ(Ms("1s"), 1000);
  EXPECT_EQ(Ms("2m"), 120'000);
  EXPECT_EQ(Ms("1h30m"), 5'400'000);
  EXPECT_EQ(Ms("1d"), 86'400'000);
  EXPECT_EQ(Ms("0s"), 0);
  EXPECT_EQ(Ms("1m500ms"), 60'500);
}

TEST(QuantityTextTest, BadDurationsSayWhatWasMeant) {
  EXPECT_NE(DurationError("10 min").find("did you mean '10m'?"), std::string::npos);
  EXPECT_NE(DurationError("5sec").find("did you mean '5s'?"), std::string::npos);
  EXPECT_NE(DurationError("2H").find("did you mean '2h'?"), std::string::npos);
  // A bare number could be seconds or milliseconds: refused, with the forms that are accepted.
  EXPECT_NE(DurationError("1000").find("e.g. 500ms"), std::string::npos);
  EXPECT_EQ(DurationError("1000").find("did you mean"), std::string::npos);
  DurationError("");
  DurationError("1.5s");
  DurationError("s");
  DurationError("-1s");
  DurationError("99999999999999999d");  // overflows
}

TEST(QuantityTextTest, Sizes) {
  EXPECT_EQ(Bytes("4096"), 4096);
  EXPECT_EQ(Bytes("10B"), 10);
  EXPECT_EQ(Bytes("64MB"), 64'000'000);
  EXPECT_EQ(Bytes("64MiB"), int64_t{64} << 20);
  EXPECT_EQ(Bytes("1GiB"), int64_t{1} << 30);
  EXPECT_EQ(Bytes("1gib"), int64_t{1} << 30);
  EXPECT_EQ(Bytes("2kb"), 2000);
  EXPECT_EQ(Bytes("1TB"), 1'000'000'000'000);
}

TEST(QuantityTextTest, BadSizesSayWhatWasMeant) {
  EXPECT_NE(SizeError("64M").find("did you mean '64MiB'?"), std::string::npos);
  EXPECT_NE(SizeError("64 MB").find("did you mean '64MB'?"), std::string::npos);
  EXPECT_NE(SizeError("1XB").find("'1XB' is not a size"), std::string::npos);
  SizeError("");
  SizeError("MB");
  SizeError("1MB2");
  SizeError("99999999999999999TiB");
}

}  // namespace
}  // namespace sluice
