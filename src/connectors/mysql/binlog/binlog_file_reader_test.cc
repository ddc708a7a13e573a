// BinlogFileReader::SeekTo: a reader opened afresh continues at any event's offset exactly as a
// reader that read up to there (the FORMAT_DESCRIPTION read first, so checksums and post-header
// lengths apply); offsets it cannot continue at are errors naming the file. On MySQL 8.0's file
// of Debian's mariadb-test-data (CRC32, a compressed transaction).
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "connectors/mysql/binlog/binlog_file_reader.h"
#include "connectors/mysql/binlog/table_map.h"

namespace sluice::mysql::binlog {
namespace {

namespace fs = std::filesystem;

const fs::path kFile = "/usr/share/mysql/mysql-test/std_data/mdev35643_mysql_80_binlog.000001";

struct Seen {
  uint64_t offset;
  EventType type;
};

TEST(BinlogFileReaderSeekTest, ContinuesAtEveryEventOffset) {
  if (!fs::exists(kFile)) GTEST_SKIP() << "SKIPPED: mariadb-test-data is not installed";
  std::vector<Seen> events;
  {
    auto reader = BinlogFileReader::Open(kFile.string());
    ASSERT_TRUE(reader.has_value()) << reader.error().message();
    while (true) {
      Result<std::optional<Event>> e = (*reader)->Next();
      ASSERT_TRUE(e.has_value()) << e.error().message();
      if (!*e) break;
      events.push_back(Seen{(*reader)->event_offset(), (*e)->type()});
    }
  }
  ASSERT_GT(events.size(), 10u);
  int table_maps = 0;
  for (size_t i = 1; i < events.size(); ++i) {
    auto reader = BinlogFileReader::Open(kFile.string());
    ASSERT_TRUE(reader.has_value());
    ASSERT_TRUE((*reader)->SeekTo(events[i].offset).ok()) << events[i].offset;
    Result<std::optional<Event>> e = (*reader)->Next();
    ASSERT_TRUE(e.has_value()) << events[i].offset << ": " << e.error().message();
    ASSERT_TRUE(e->has_value());
    EXPECT_EQ((*reader)->event_offset(), events[i].offset);
    EXPECT_EQ((*e)->type(), events[i].type);
    if ((*e)->type() == EventType::kTableMap) {
      // Framed with the file's format (CRC32 stripped): the map parses to its table.
      Result<TableMap> map = ParseTableMap(**e, (*reader)->framer().format());
      ASSERT_TRUE(map.has_value()) << map.error().message();
      EXPECT_EQ(map->schema, "test");
      ++table_maps;
    }
    // And on to the end from there.
    size_t more = 1;
    while (true) {
      Result<std::optional<Event>> next = (*reader)->Next();
      ASSERT_TRUE(next.has_value()) << next.error().message();
      if (!*next) break;
      ++more;
    }
    EXPECT_EQ(more, events.size() - i);
  }
  EXPECT_GT(table_maps, 0);
}

TEST(BinlogFileReaderSeekTest, RefusesOffsetsItCannotContinueAt) {
  if (!fs::exists(kFile)) GTEST_SKIP() << "SKIPPED: mariadb-test-data is not installed";
  const uint64_t size = fs::file_size(kFile);
  {
    auto reader = BinlogFileReader::Open(kFile.string());
    ASSERT_TRUE(reader.has_value());
    ASSERT_TRUE((*reader)->SeekTo(size).ok());  // the end: nothing more
    Result<std::optional<Event>> e = (*reader)->Next();
    ASSERT_TRUE(e.has_value());
    EXPECT_FALSE(e->has_value());
  }
  for (const uint64_t bad : {uint64_t{10}, size + 1}) {
    auto reader = BinlogFileReader::Open(kFile.string());
    ASSERT_TRUE(reader.has_value());
    const Status st = (*reader)->SeekTo(bad);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(
        st.message().find("binlog " + kFile.string() + ": byte offset " + std::to_string(bad)),
        std::string::npos)
        << st.message();
  }
}

}  // namespace
}  // namespace sluice::mysql::binlog
