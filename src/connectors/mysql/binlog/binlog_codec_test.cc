// Unit tests of the byte-level codecs: CRC32, DECIMAL, TIME2/DATETIME2/TIMESTAMP2, binary JSON,
// the bounds-checked reader. Hand-made bytes whose meaning is documented by the servers.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/checksum.h"
#include "connectors/mysql/binlog/decimal_binary.h"
#include "connectors/mysql/binlog/json_binary.h"
#include "connectors/mysql/binlog/json_diff.h"
#include "connectors/mysql/binlog/temporal_binary.h"

namespace sluice::mysql::binlog {
namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s += static_cast<char>(b);
  return s;
}

std::string Invert(std::string s) {
  for (char& c : s) c = static_cast<char>(~c);
  return s;
}

TEST(BinlogChecksumTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  // Chunked equals whole (the slice-by-8 path and the byte path agree).
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  EXPECT_EQ(Crc32(text.substr(13), Crc32(text.substr(0, 13))), Crc32(text));
  EXPECT_EQ(Crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(BinlogDecimalTest, DecodesPositiveNegativeAndZero) {
  // DECIMAL(14,4) 1234567890.1234: '1' in one byte, 234567890 in four, 1234 in two.
  const std::string pos = Bytes({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2});
  ASSERT_EQ(DecimalBinarySize(14, 4), 7u);
  std::string out;
  ASSERT_TRUE(AppendDecimalText(pos, 14, 4, out));
  EXPECT_EQ(out, "1234567890.1234");
  out.clear();
  std::string neg = Invert(pos);
  ASSERT_TRUE(AppendDecimalText(neg, 14, 4, out));
  EXPECT_EQ(out, "-1234567890.1234");
  // Zero: DECIMAL(5,2) 0.00 is 0x80 0x00 0x00; no "-0.00".
  out.clear();
  ASSERT_TRUE(AppendDecimalText(Bytes({0x80, 0x00, 0x00}), 5, 2, out));
  EXPECT_EQ(out, "0.00");
  // Scale 0 has no point; leading zero groups vanish.
  out.clear();
  ASSERT_TRUE(AppendDecimalText(Bytes({0x80, 0x00, 0x00, 0x00, 0x07}), 10, 0, out));
  EXPECT_EQ(out, "7");
  // A group above 999999999 is refused and leaves the output alone.
  out = "x";
  EXPECT_FALSE(AppendDecimalText(Bytes({0x80, 0xFF, 0xFF, 0xFF, 0xFF}), 9, 0, out));
  EXPECT_EQ(out, "x");
  EXPECT_FALSE(AppendDecimalText(Bytes({0x80}), 14, 4, out));  // wrong size
}

// The server's encoding of a DECIMAL(precision, scale) number given as its sign and digits
// (`int_digits` at most precision - scale of them, `frac_digits` exactly scale), written the
// long way from the format's description (decimal_binary.h), apart from the decoder.
std::string EncodeDecimal(bool negative, const std::string& int_digits,
                          const std::string& frac_digits, int precision, int scale) {
  static constexpr int kBytes[] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  const int intg = precision - scale;
  const std::string padded = std::string(intg - int_digits.size(), '0') + int_digits;
  std::string out;
  const auto put = [&](const std::string& digits) {
    const uint32_t v = digits.empty() ? 0 : static_cast<uint32_t>(std::stoul(digits));
    for (int i = kBytes[digits.size()] - 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
  };
  put(padded.substr(0, intg % 9));
  for (int at = intg % 9; at < intg; at += 9) put(padded.substr(at, 9));
  for (int at = 0; at + 9 <= scale; at += 9) put(frac_digits.substr(at, 9));
  put(frac_digits.substr(scale - scale % 9));
  out[0] = static_cast<char>(out[0] ^ 0x80);
  return negative ? Invert(out) : out;
}

// Random numbers of random precision and scale, with runs of zeros (whole zero groups, zero
// integer parts, zero fractions, negative zero): the decoder prints them as the server does.
TEST(BinlogDecimalTest, RandomNumbersOfEveryShapeDecodeExactly) {
  std::mt19937 rng(20261207);
  const auto digit = [&](int zero_odds) {
    return static_cast<char>(rng() % zero_odds == 0 ? '0' : '0' + rng() % 10);
  };
  for (int n = 0; n < 200000; ++n) {
    const int precision = 1 + static_cast<int>(rng() % 65);
    const int scale = static_cast<int>(rng() % (std::min(precision, 30) + 1));
    const int zero_odds = 1 + static_cast<int>(rng() % 4);  // 1: all zeros
    std::string int_digits(rng() % (precision - scale + 1), '0');
    for (char& c : int_digits) c = digit(zero_odds);
    std::string frac_digits(scale, '0');
    for (char& c : frac_digits) c = digit(zero_odds);
    const bool negative = rng() % 2 == 0;
    const std::string bytes = EncodeDecimal(negative, int_digits, frac_digits, precision, scale);
    ASSERT_EQ(bytes.size(), DecimalBinarySize(precision, scale));

    const size_t first = int_digits.find_first_not_of('0');
    std::string want = first == std::string::npos ? "0" : int_digits.substr(first);
    if (scale > 0) want += "." + frac_digits;
    if (negative &&
        (first != std::string::npos || frac_digits.find_first_not_of('0') != std::string::npos)) {
      want = "-" + want;
    }
    std::string got = "prefix:";
    ASSERT_TRUE(AppendDecimalText(bytes, precision, scale, got)) << precision << "," << scale;
    ASSERT_EQ(got, "prefix:" + want) << "DECIMAL(" << precision << "," << scale << ")";
  }
}

TEST(BinlogTemporalTest, Time2NegativeAndFractional) {
  int64_t us = 0;
  {
    const std::string r_bytes = Bytes({0x80, 0x00, 0x00});
    ByteReader r(r_bytes);  // TIME(0) 00:00:00
    ASSERT_TRUE(ReadTime2(r, 0, us));
    EXPECT_EQ(us, 0);
  }
  {
    const std::string r_bytes = Bytes({0x7F, 0xFF, 0xFF});
    ByteReader r(r_bytes);  // TIME(0) -00:00:01
    ASSERT_TRUE(ReadTime2(r, 0, us));
    EXPECT_EQ(us, -1000000);
  }
  {
    // TIME(6) 838:59:59.999999: hms = 838<<12 | 59<<6 | 59, plus the 2^47 offset.
    const int64_t hms = (838 << 12) | (59 << 6) | 59;
    const uint64_t v = (uint64_t{1} << 47) + (static_cast<uint64_t>(hms) << 24) + 999999;
    std::string b;
    for (int i = 5; i >= 0; --i) b += static_cast<char>((v >> (8 * i)) & 0xFF);
    ByteReader r(b);
    ASSERT_TRUE(ReadTime2(r, 6, us));
    EXPECT_EQ(us, ((838LL * 60 + 59) * 60 + 59) * 1000000 + 999999);
    const uint64_t n = (uint64_t{1} << 47) - ((static_cast<uint64_t>(hms) << 24) + 999999);
    b.clear();
    for (int i = 5; i >= 0; --i) b += static_cast<char>((n >> (8 * i)) & 0xFF);
    ByteReader rn(b);
    ASSERT_TRUE(ReadTime2(rn, 6, us));
    EXPECT_EQ(us, -(((838LL * 60 + 59) * 60 + 59) * 1000000 + 999999));
  }
  {
    // TIME(2) -00:00:00.50: the integer part borrows one second, the fraction is 0x100 - 50.
    const std::string r_bytes = Bytes({0x7F, 0xFF, 0xFF, 0x100 - 50});
    ByteReader r(r_bytes);
    ASSERT_TRUE(ReadTime2(r, 2, us));
    EXPECT_EQ(us, -500000);
  }
  {
    const std::string r_bytes = Bytes({0x80, 0x00});
    ByteReader r(r_bytes);  // truncated
    EXPECT_FALSE(ReadTime2(r, 0, us));
    EXPECT_FALSE(r.ok());
  }
}

TEST(BinlogTemporalTest, DateTime2AndTimestamp2) {
  // DATETIME(3) 2024-02-29 13:45:07.123.
  const int64_t ym = 2024 * 13 + 2;
  const int64_t packed = ((ym << 5 | 29) << 17) | (13 << 12) | (45 << 6) | 7;
  const uint64_t v = (uint64_t{1} << 39) + static_cast<uint64_t>(packed);
  std::string b;
  for (int i = 4; i >= 0; --i) b += static_cast<char>((v >> (8 * i)) & 0xFF);
  b += Bytes({0x04, 0xCE});  // 1230 hundreds of micros... 123 ms = 1230 * 100 us
  ByteReader r(b);
  DateTimeParts p;
  ASSERT_TRUE(ReadDateTime2(r, 3, p));
  EXPECT_EQ(p.year, 2024u);
  EXPECT_EQ(p.month, 2u);
  EXPECT_EQ(p.day, 29u);
  EXPECT_EQ(p.hour, 13u);
  EXPECT_EQ(p.minute, 45u);
  EXPECT_EQ(p.second, 7u);
  EXPECT_EQ(p.micros, 123000u);
  EXPECT_TRUE(IsCalendarDate(p));
  p.day = 30;
  EXPECT_FALSE(IsCalendarDate(p));

  const std::string t_bytes = Bytes({0x7F, 0xFF, 0xFF, 0xFF, 0x0F, 0x42, 0x3F});
  ByteReader t(t_bytes);  // 2038-01-19 03:14:07.999999
  int64_t seconds = 0, micros = 0;
  ASSERT_TRUE(ReadTimestamp2(t, 6, seconds, micros));
  EXPECT_EQ(seconds, 2147483647);
  EXPECT_EQ(micros, 999999);
}

TEST(BinlogJsonTest, ObjectsArraysScalars) {
  // {"a": [1, 2]} as a small object holding a small array of inlined int16s.
  const std::string doc = Bytes({0x00,                                  // small object
                                 0x01, 0x00, 0x16, 0x00,                // 1 member, 22 bytes
                                 0x0b, 0x00, 0x01, 0x00,                // key at 11, length 1
                                 0x02, 0x0c, 0x00,                      // array at 12
                                 'a',                                   // the key
                                 0x02, 0x00, 0x0a, 0x00,                // 2 elements, 10 bytes
                                 0x05, 0x01, 0x00, 0x05, 0x02, 0x00});  // int16 1, int16 2
  std::string out, why;
  ASSERT_TRUE(AppendJsonText(doc, out, why)) << why;
  EXPECT_EQ(out, "{\"a\": [1, 2]}");

  out.clear();
  ASSERT_TRUE(AppendJsonText(Bytes({0x0c, 0x04, 'a', '"', '\n', 'b'}), out, why)) << why;
  EXPECT_EQ(out, "\"a\\\"\\nb\"");
  out.clear();
  ASSERT_TRUE(AppendJsonText(Bytes({0x04, 0x01}), out, why));
  EXPECT_EQ(out, "true");
  out.clear();
  ASSERT_TRUE(
      AppendJsonText(Bytes({0x0a, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), out, why));
  EXPECT_EQ(out, "18446744073709551615");
  out.clear();
  ASSERT_TRUE(AppendJsonText(Bytes({0x0b, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F}), out, why));
  EXPECT_EQ(out, "1.5");
}

TEST(BinlogJsonTest, RefusesBadOffsetsAndDeepNesting) {
  std::string out, why;
  // An object whose size runs past the end.
  EXPECT_FALSE(AppendJsonText(Bytes({0x00, 0x01, 0x00, 0x40, 0x00}), out, why));
  // A value offset past the end of the container.
  EXPECT_FALSE(AppendJsonText(Bytes({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x50, 0x00}), out, why));
  // 200 nested arrays: refused, not a stack overflow.
  auto nest = [](int levels) {
    std::string data = Bytes({0x00, 0x00, 0x04, 0x00});  // []
    for (int i = 0; i < levels; ++i) {
      const size_t size = 7 + data.size();
      data = Bytes({0x01, 0x00, static_cast<int>(size & 0xFF), static_cast<int>(size >> 8), 0x02,
                    0x07, 0x00}) +
             data;
    }
    return Bytes({0x02}) + data;
  };
  out.clear();
  ASSERT_TRUE(AppendJsonText(nest(3), out, why)) << why;
  EXPECT_EQ(out, "[[[[]]]]");
  EXPECT_FALSE(AppendJsonText(nest(200), out, why));
  EXPECT_NE(why.find("nesting"), std::string::npos) << why;
  // Unknown type.
  EXPECT_FALSE(AppendJsonText(Bytes({0x42}), out, why));
}

// A diff: operation, path length, path, and for replace/insert the value's length and bytes.
std::string Diff(int op, std::string_view path, const std::string& value = "") {
  std::string d = Bytes({op, static_cast<int>(path.size())});
  d += path;
  if (op != 2) d += Bytes({static_cast<int>(value.size())}) + value;
  return d;
}

TEST(BinlogJsonDiffTest, AppliesReplaceInsertRemove) {
  const std::string int42 = Bytes({0x05, 0x2a, 0x00});
  const std::string str_x = Bytes({0x0c, 0x01, 'x'});
  std::string out, why;
  ASSERT_TRUE(ApplyJsonDiffs("{\"a\": 1, \"b\": [1, 2, 3]}", Diff(0, "$.a", int42), out, why))
      << why;
  EXPECT_EQ(out, "{\"a\": 42, \"b\": [1, 2, 3]}");
  out.clear();
  // Inserted members take MySQL's key order (shorter first); array inserts shift.
  ASSERT_TRUE(ApplyJsonDiffs(
      "{\"b\": [1, 2, 3], \"long\": null}",
      Diff(1, "$.zz", str_x) + Diff(1, "$.b[1]", int42) + Diff(2, "$.b[0]") + Diff(2, "$.long"),
      out, why))
      << why;
  EXPECT_EQ(out, "{\"b\": [42, 2, 3], \"zz\": \"x\"}");
  out.clear();
  ASSERT_TRUE(
      ApplyJsonDiffs("{\"a b\": {\"c\": [true]}}", Diff(0, "$.\"a b\".c[last]", int42), out, why))
      << why;
  EXPECT_EQ(out, "{\"a b\": {\"c\": [42]}}");
  // A path the before image lacks, a bad path, a truncated diff: errors.
  EXPECT_FALSE(ApplyJsonDiffs("{\"a\": 1}", Diff(0, "$.q.r", int42), out, why));
  EXPECT_FALSE(ApplyJsonDiffs("{\"a\": 1}", Diff(0, "a", int42), out, why));
  EXPECT_FALSE(ApplyJsonDiffs("{\"a\": 1}", Diff(0, "$.a", int42).substr(0, 5), out, why));
  EXPECT_FALSE(ApplyJsonDiffs("{\"a\": ", Diff(0, "$.a", int42), out, why));
}

TEST(BinlogByteReaderTest, NeverReadsPastTheEnd) {
  const std::string bytes = Bytes({0x01, 0xFC, 0x10});
  ByteReader r(bytes, 100);
  uint64_t v = 0;
  ASSERT_TRUE(r.Le(1, v));
  EXPECT_FALSE(r.Packed(v));  // 0xFC needs two more bytes, one is there
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.fail_offset(), 102u);
  std::string_view s;
  EXPECT_FALSE(r.Bytes(1, s));  // stays failed
}

}  // namespace
}  // namespace sluice::mysql::binlog
