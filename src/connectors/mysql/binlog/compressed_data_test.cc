// MariaDB's compressed event data, built here with zlib's own compress() in the layout the
// server writes (a header byte, the length big-endian, the zlib stream), and damaged.
#include "connectors/mysql/binlog/compressed_data.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace sluice::mysql::binlog {
namespace {

// `text` compressed, its length in `length_size` bytes.
std::string Compressed(const std::string& text, int length_size, uint8_t algorithm = 0) {
  uLongf size = compressBound(text.size());
  std::string stream(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(stream.data()), &size,
                     reinterpret_cast<const Bytef*>(text.data()), text.size()),
            Z_OK);
  stream.resize(size);
  std::string out(1, static_cast<char>(0x80 | (algorithm << 4) | length_size));
  for (int i = length_size - 1; i >= 0; --i) {
    out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  }
  return out + stream;
}

std::string Inflated(const std::string& data) {
  std::string buffer;
  Result<std::string_view> out = InflateMariaCompressed(data, buffer);
  return out ? std::string(*out) : "error: " + out.error().message();
}

TEST(InflateMariaCompressed, EveryLengthSize) {
  const std::string small = "INSERT INTO t VALUES (1)";
  const std::string mid(300, 'x');  // more than one length byte holds
  std::string big;
  for (int i = 0; i < 70000; ++i) big += static_cast<char>(i * 7);  // bytes with zeros
  EXPECT_EQ(Inflated(Compressed(small, 1)), small);
  EXPECT_EQ(Inflated(Compressed(mid, 2)), mid);
  EXPECT_EQ(Inflated(Compressed(big, 3)), big);
  EXPECT_EQ(Inflated(Compressed(big, 4)), big);
  EXPECT_EQ(Inflated(Compressed("", 1)), "");
}

TEST(InflateMariaCompressed, DamagedDataIsAnErrorNeverACrash) {
  const std::string good = Compressed(std::string(1000, 'q') + "tail", 2);
  EXPECT_EQ(Inflated(""), "error: compressed data is empty");
  EXPECT_EQ(Inflated(good.substr(1)),
            "error: compressed data starts with 0x03, not a header (bit 7 unset)");
  EXPECT_EQ(Inflated(Compressed("abc", 1, 1)),
            "error: compression algorithm 1 is not supported (only zlib, 0)");
  EXPECT_EQ(Inflated(std::string(1, '\x80') + good.substr(3)),
            "error: compressed data header declares a 0-byte length in " +
                std::to_string(good.size() - 2) + " bytes");
  EXPECT_EQ(Inflated("\x82\x01"),
            "error: compressed data header declares a 2-byte length in 2 bytes");
  // A length the stream does not match, either way.
  std::string longer = good;
  longer[2] = static_cast<char>(longer[2] + 1);
  EXPECT_EQ(Inflated(longer),
            "error: compressed data does not inflate to the 1005 bytes it declares");
  std::string shorter = good;
  shorter[2] = static_cast<char>(shorter[2] - 1);
  EXPECT_EQ(Inflated(shorter),
            "error: compressed data does not inflate to the 1003 bytes it declares");
  // A length past what a server writes is refused before anything is allocated.
  EXPECT_EQ(Inflated("\x84\x7f\xff\xff\xff" + good.substr(3)),
            "error: compressed data declares 2147483647 uncompressed bytes");
  // Every truncation and every flipped byte of the stream: an error, or (a flip zlib's
  // checksum cannot see) the declared length exactly.
  for (size_t cut = 3; cut < good.size(); ++cut) {
    EXPECT_EQ(Inflated(good.substr(0, cut)).rfind("error: ", 0), 0u) << "cut at " << cut;
  }
  for (size_t at = 3; at < good.size(); ++at) {
    std::string flipped = good;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    const std::string out = Inflated(flipped);
    EXPECT_TRUE(out.rfind("error: ", 0) == 0 || out.size() == 1004) << "flip at " << at;
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog
