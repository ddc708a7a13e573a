#include "connectors/file_common/text_codec.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string Encode(std::string_view raw, BytesEncoding e) {
  std::string out;
  EncodeBytes(raw, e, out);
  return out;
}

std::string Decode(std::string_view text, BytesEncoding e) {
  std::string out;
  Status st = DecodeBytes(text, e, out);
  return st.ok() ? out : "ERROR: " + st.message();
}

TEST(TextCodecTest, Base64) {
  const BytesEncoding b64 = BytesEncoding::kBase64;
  EXPECT_EQ(Encode("", b64), "");
  EXPECT_EQ(Encode("f", b64), "Zg==");
  EXPECT_EQ(Encode("fo", b64), "Zm8=");
  EXPECT_EQ(Encode("foo", b64), "Zm9v");
  EXPECT_EQ(Encode("foobar", b64), "Zm9vYmFy");
  EXPECT_EQ(Encode(std::string("\x00\xFF\xFE", 3), b64), "AP/+");
  for (std::string raw : {std::string(""), std::string("f"), std::string("fo"),
                          std::string("\x00\x01\x02\xFF", 4), std::string(1000, '\x7F')}) {
    EXPECT_EQ(Decode(Encode(raw, b64), b64), raw);
  }
  EXPECT_EQ(Decode("Zm8", b64), "fo");  // padding optional
  EXPECT_EQ(Decode("Zm9v!", b64), "ERROR: 'Zm9v!' is not valid base64");
  EXPECT_EQ(Decode("Z", b64), "ERROR: 'Z' is not valid base64");
  EXPECT_EQ(Decode("Zg=", b64), "ERROR: 'Zg=' is not valid base64");
}

TEST(TextCodecTest, Hex) {
  const BytesEncoding hex = BytesEncoding::kHex;
  EXPECT_EQ(Encode(std::string("\x00\xAB\x10", 3), hex), "00ab10");
  EXPECT_EQ(Decode("00ab10", hex), std::string("\x00\xAB\x10", 3));
  EXPECT_EQ(Decode("00AB10", hex), std::string("\x00\xAB\x10", 3));
  EXPECT_EQ(Decode("\\x00ab", hex), std::string("\x00\xAB", 2));
  EXPECT_EQ(Decode("0x00ab", hex), std::string("\x00\xAB", 2));
  EXPECT_EQ(Decode("abc", hex), "ERROR: 'abc' is not valid hex");
  EXPECT_EQ(Decode("zz", hex), "ERROR: 'zz' is not valid hex");
}

TEST(TextCodecTest, EncodingNames) {
  EXPECT_EQ(ParseBytesEncoding("hex"), BytesEncoding::kHex);
  EXPECT_EQ(ParseBytesEncoding("base64"), BytesEncoding::kBase64);
  EXPECT_EQ(ParseBytesEncoding("b64").error().message(),
            "unknown bytes encoding 'b64' (expected base64 or hex)");
}

TEST(TextCodecTest, JsonStrings) {
  std::string out;
  AppendJsonString("plain \xF0\x9F\x98\x80 \xE4\xB8\xAD", out);
  EXPECT_EQ(out, "\"plain \xF0\x9F\x98\x80 \xE4\xB8\xAD\"");
  out.clear();
  AppendJsonString(std::string("q\"b\\n\nr\rt\t\x01\x1F", 12), out);
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\nr\\rt\\t\\u0001\\u001f\"");
}

}  // namespace
}  // namespace sluice
