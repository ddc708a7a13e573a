#include "connectors/mysql/binlog_stream/modified_column.h"

#include <gtest/gtest.h>

#include "connectors/mysql/binlog/field_type.h"

namespace sluice::mysql::binlog_stream {
namespace {

using binlog::FieldType;
using binlog::TableMapColumn;

constexpr uint32_t kUtf8mb4 = 45;  // utf8mb4_general_ci
constexpr uint32_t kLatin1 = 8;    // latin1_swedish_ci
constexpr uint32_t kBinary = 63;

TableMapColumn Varchar(uint32_t bytes, uint32_t collation = kUtf8mb4) {
  TableMapColumn c;
  c.type = c.real_type = FieldType::kVarchar;
  c.length = bytes;
  c.collation = collation;
  c.name = "v";
  return c;
}

TableMapColumn Fixed(uint32_t bytes, uint32_t collation = kUtf8mb4) {
  TableMapColumn c = Varchar(bytes, collation);
  c.type = c.real_type = FieldType::kString;
  return c;
}

TableMapColumn Blob(uint32_t length_bytes, uint32_t collation = kUtf8mb4) {
  TableMapColumn c = Varchar(length_bytes, collation);
  c.type = c.real_type = FieldType::kBlob;
  return c;
}

TableMapColumn Enum(std::vector<std::string> members) {
  TableMapColumn c = Fixed(1);
  c.real_type = FieldType::kEnum;
  c.values = std::move(members);
  return c;
}

TEST(JudgeModifiedColumn, LongerTextIsFollowedAndLengthened) {
  for (const auto& [before, now] : std::vector<std::pair<TableMapColumn, TableMapColumn>>{
           {Varchar(40), Varchar(160)},                    // VARCHAR(10) -> VARCHAR(40)
           {Varchar(40), Blob(2)},                         // -> TEXT
           {Blob(1), Blob(4)},                             // TINYTEXT -> LONGTEXT
           {Fixed(20), Fixed(80)},                         // CHAR(5) -> CHAR(20)
           {Varchar(10, kBinary), Varchar(300, kBinary)},  // VARBINARY
       }) {
    const ModifiedColumn judged = JudgeModifiedColumn(before, now);
    EXPECT_TRUE(judged.followed) << judged.why_not;
    EXPECT_TRUE(judged.lengthened);
  }
}

TEST(JudgeModifiedColumn, WhatKeepsEveryValueIsFollowed) {
  TableMapColumn not_null = Varchar(40);
  not_null.nullable = false;
  // Same type (a default, a comment, NULL allowed), a collation of the same character set,
  // ENUM members appended.
  TableMapColumn other_collation = Varchar(40, 224);  // utf8mb4_unicode_ci
  for (const auto& [before, now] : std::vector<std::pair<TableMapColumn, TableMapColumn>>{
           {Varchar(40), Varchar(40)},
           {not_null, Varchar(40)},
           {Varchar(40), other_collation},
           {Enum({"a", "b"}), Enum({"a", "b", "c"})},
       }) {
    const ModifiedColumn judged = JudgeModifiedColumn(before, now);
    EXPECT_TRUE(judged.followed) << judged.why_not;
    EXPECT_FALSE(judged.lengthened);
  }
}

TEST(JudgeModifiedColumn, WhatMayChangeValuesStopsSayingWhat) {
  TableMapColumn not_null = Varchar(40);
  not_null.nullable = false;
  TableMapColumn integer;
  integer.type = integer.real_type = FieldType::kLong;
  const std::pair<TableMapColumn, TableMapColumn> stops[] = {
      {Varchar(160), Varchar(40)},
      {Blob(2), Varchar(400)},
      {Varchar(40), not_null},
      {Varchar(40), Varchar(40, kLatin1)},
      {Varchar(40), Varchar(40, kBinary)},
      {Varchar(40), integer},
      {Varchar(40), Fixed(40)},                // VARCHAR -> CHAR drops trailing spaces
      {Fixed(4, kBinary), Fixed(8, kBinary)},  // BINARY pads with zero bytes
      {Enum({"a", "b"}), Enum({"b", "a"})},
      {Enum({"a", "b"}), Enum({"a"})},
  };
  for (const auto& [before, now] : stops) {
    const ModifiedColumn judged = JudgeModifiedColumn(before, now);
    EXPECT_FALSE(judged.followed);
    EXPECT_FALSE(judged.why_not.empty());
  }
  EXPECT_EQ(JudgeModifiedColumn(Varchar(160), Varchar(40)).why_not, "it became shorter");
  EXPECT_EQ(JudgeModifiedColumn(Varchar(40), integer).why_not, "its type changed");
}

TEST(TypeOfLengthened, CharactersAtTheFewestBytesEachNeverTooFew) {
  // utf8 collations take 3 bytes (utf8mb4 holds fewer characters than that says: never more).
  EXPECT_EQ(TypeOfLengthened(Varchar(160), TypeId::kString), (DataType{TypeId::kString, 53, 0}));
  EXPECT_EQ(TypeOfLengthened(Varchar(40, kLatin1), TypeId::kString),
            (DataType{TypeId::kString, 40, 0}));
  EXPECT_EQ(TypeOfLengthened(Varchar(300, kBinary), TypeId::kBytes),
            (DataType{TypeId::kBytes, 300, 0}));
  EXPECT_EQ(TypeOfLengthened(Blob(2), TypeId::kString), DataType::Of(TypeId::kString));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
