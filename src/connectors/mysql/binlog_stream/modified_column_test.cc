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
    EXPECT_TRUE(judged.widened);
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
    EXPECT_FALSE(judged.widened);
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

TableMapColumn Integer(FieldType type, bool unsigned_) {
  TableMapColumn c;
  c.type = c.real_type = type;
  c.is_unsigned = unsigned_ ? 1 : 0;
  c.name = "n";
  return c;
}

TableMapColumn Decimal(uint8_t precision, uint8_t scale) {
  TableMapColumn c;
  c.type = c.real_type = FieldType::kNewDecimal;
  c.precision = precision;
  c.scale = scale;
  c.name = "p";
  return c;
}

TEST(JudgeModifiedColumn, WiderIntegersAndDecimalsAreFollowed) {
  for (const auto& [before, now] : std::vector<std::pair<TableMapColumn, TableMapColumn>>{
           {Integer(FieldType::kLong, false), Integer(FieldType::kLongLong, false)},
           {Integer(FieldType::kTiny, false), Integer(FieldType::kInt24, false)},
           {Integer(FieldType::kLong, true), Integer(FieldType::kLongLong, true)},
           {Integer(FieldType::kLong, true), Integer(FieldType::kLongLong, false)},
           {Decimal(10, 2), Decimal(12, 2)},
           {Decimal(10, 2), Decimal(12, 4)},
       }) {
    const ModifiedColumn judged = JudgeModifiedColumn(before, now);
    EXPECT_TRUE(judged.followed) << judged.why_not;
    EXPECT_TRUE(judged.widened);
  }
  const std::pair<TableMapColumn, TableMapColumn> stops[] = {
      {Integer(FieldType::kLongLong, false), Integer(FieldType::kLong, false)},
      {Integer(FieldType::kLong, false), Integer(FieldType::kLong, true)},
      {Integer(FieldType::kLong, false), Integer(FieldType::kLongLong, true)},
      {Integer(FieldType::kLong, true), Integer(FieldType::kLong, false)},
      {Decimal(10, 2), Decimal(10, 1)},
      {Decimal(10, 2), Decimal(11, 4)},
  };
  for (const auto& [before, now] : stops) {
    const ModifiedColumn judged = JudgeModifiedColumn(before, now);
    EXPECT_FALSE(judged.followed);
    EXPECT_FALSE(judged.why_not.empty());
  }
  EXPECT_EQ(JudgeModifiedColumn(Integer(FieldType::kLong, false), Integer(FieldType::kLong, true))
                .why_not,
            "its signedness changed");
  // Signedness unknown (no binlog_row_metadata=FULL): not followed.
  TableMapColumn unknown = Integer(FieldType::kLongLong, false);
  unknown.is_unsigned = -1;
  EXPECT_FALSE(JudgeModifiedColumn(Integer(FieldType::kLong, false), unknown).followed);
}

TEST(TypeOfWidened, CharactersAtTheFewestBytesEachNeverTooFew) {
  EXPECT_EQ(TypeOfWidened(Integer(FieldType::kInt24, true), TypeId::kUInt16),
            DataType::Of(TypeId::kUInt32));
  EXPECT_EQ(TypeOfWidened(Integer(FieldType::kLongLong, false), TypeId::kInt32),
            DataType::Of(TypeId::kInt64));
  EXPECT_EQ(TypeOfWidened(Decimal(12, 4), TypeId::kDecimal), DataType::Decimal(12, 4));
  // utf8 collations take 3 bytes (utf8mb4 holds fewer characters than that says: never more).
  EXPECT_EQ(TypeOfWidened(Varchar(160), TypeId::kString), (DataType{TypeId::kString, 53, 0}));
  EXPECT_EQ(TypeOfWidened(Varchar(40, kLatin1), TypeId::kString),
            (DataType{TypeId::kString, 40, 0}));
  EXPECT_EQ(TypeOfWidened(Varchar(300, kBinary), TypeId::kBytes),
            (DataType{TypeId::kBytes, 300, 0}));
  EXPECT_EQ(TypeOfWidened(Blob(2), TypeId::kString), DataType::Of(TypeId::kString));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
