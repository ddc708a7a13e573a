#include "connectors/file_common/line_reader.h"

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"

namespace sluice {
namespace {

std::vector<std::string> Lines(const std::string& path, size_t chunk) {
  LineReader reader;
  EXPECT_TRUE(reader.Open(path, chunk).ok());
  std::vector<std::string> out;
  while (true) {
    auto line = reader.Next();
    EXPECT_TRUE(line.has_value());
    if (!line || !*line) break;
    out.push_back(std::to_string(reader.line_number()) + ":" + std::string(**line));
  }
  return out;
}

TEST(LineReaderTest, SameLinesWhateverTheChunkSize) {
  testing::TempDir dir;
  testing::WriteFile(dir / "a", "\xEF\xBB\xBF{\"a\":1}\r\n\nsecond line\nlast without newline");
  const std::vector<std::string> expected = {"1:{\"a\":1}", "2:", "3:second line",
                                             "4:last without newline"};
  for (size_t chunk : {1, 2, 3, 4, 16, 1 << 20}) {
    EXPECT_EQ(Lines(dir / "a", chunk), expected) << "chunk " << chunk;
  }
  testing::WriteFile(dir / "empty", "");
  EXPECT_TRUE(Lines(dir / "empty", 4).empty());
  testing::WriteFile(dir / "nl", "x\n");
  EXPECT_EQ(Lines(dir / "nl", 1), std::vector<std::string>{"1:x"});
}

TEST(LineReaderTest, MissingFileIsAnIoError) {
  LineReader reader;
  Status st = reader.Open("/nonexistent/file.jsonl");
  EXPECT_EQ(st.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace sluice
