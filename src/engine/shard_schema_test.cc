#include "engine/shard_schema.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sluice {
namespace {

DataType Of(TypeId id) {
  return DataType::Of(id);
}
DataType Dec(uint16_t precision, uint16_t scale) {
  return DataType::Decimal(precision, scale);
}
DataType Str(uint16_t length) {
  return DataType{TypeId::kString, length, 0};
}
DataType Ts(TypeId id, uint16_t scale) {
  return DataType{id, 0, scale};
}

// The widened type's name, or "none"; checked in both argument orders.
std::string Widen(const DataType& a, const DataType& b) {
  const std::optional<DataType> ab = WidenType(a, b);
  const std::optional<DataType> ba = WidenType(b, a);
  EXPECT_EQ(ab, ba) << TypeName(a) << " vs " << TypeName(b) << " is not symmetric";
  return ab ? TypeName(*ab) : "none";
}

constexpr TypeId kAllTypes[] = {
    TypeId::kBool,    TypeId::kInt8,      TypeId::kInt16,       TypeId::kInt32,  TypeId::kInt64,
    TypeId::kUInt8,   TypeId::kUInt16,    TypeId::kUInt32,      TypeId::kUInt64, TypeId::kFloat32,
    TypeId::kFloat64, TypeId::kDecimal,   TypeId::kString,      TypeId::kBytes,  TypeId::kDate,
    TypeId::kTime,    TypeId::kTimestamp, TypeId::kTimestampTz, TypeId::kJson,   TypeId::kUuid,
};

TEST(WidenTypeTest, SameTypeIsItself) {
  for (TypeId id : kAllTypes) {
    EXPECT_EQ(WidenType(Of(id), Of(id)), Of(id)) << TypeIdName(id);
  }
}

TEST(WidenTypeTest, SignedIntegersTakeTheWider) {
  EXPECT_EQ(Widen(Of(TypeId::kInt32), Of(TypeId::kInt64)), "int64");
  EXPECT_EQ(Widen(Of(TypeId::kInt8), Of(TypeId::kInt16)), "int16");
  EXPECT_EQ(Widen(Of(TypeId::kInt8), Of(TypeId::kInt64)), "int64");
  EXPECT_EQ(Widen(Of(TypeId::kUInt8), Of(TypeId::kUInt32)), "uint32");
  EXPECT_EQ(Widen(Of(TypeId::kUInt32), Of(TypeId::kUInt64)), "uint64");
}

TEST(WidenTypeTest, SignedAndUnsignedNeedTheNextSignedSize) {
  EXPECT_EQ(Widen(Of(TypeId::kUInt8), Of(TypeId::kInt8)), "int16");
  EXPECT_EQ(Widen(Of(TypeId::kUInt16), Of(TypeId::kInt16)), "int32");
  EXPECT_EQ(Widen(Of(TypeId::kUInt32), Of(TypeId::kInt32)), "int64");
  EXPECT_EQ(Widen(Of(TypeId::kUInt8), Of(TypeId::kInt32)), "int32");
  EXPECT_EQ(Widen(Of(TypeId::kUInt32), Of(TypeId::kInt64)), "int64");
  EXPECT_EQ(Widen(Of(TypeId::kUInt16), Of(TypeId::kInt8)), "int32");
}

TEST(WidenTypeTest, UInt64AndASignedIntegerIsDecimal20) {
  for (TypeId s : {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64}) {
    EXPECT_EQ(Widen(Of(TypeId::kUInt64), Of(s)), "decimal(20,0)") << TypeIdName(s);
  }
}

TEST(WidenTypeTest, IntegersAndDecimals) {
  // int32 needs 10 integer digits; scale 2 on top.
  EXPECT_EQ(Widen(Of(TypeId::kInt32), Dec(5, 2)), "decimal(12,2)");
  EXPECT_EQ(Widen(Of(TypeId::kInt64), Dec(10, 2)), "decimal(21,2)");
  EXPECT_EQ(Widen(Of(TypeId::kUInt64), Dec(5, 2)), "decimal(22,2)");
  EXPECT_EQ(Widen(Of(TypeId::kInt8), Dec(30, 4)), "decimal(30,4)");
  // An unconstrained decimal stays unconstrained.
  EXPECT_EQ(Widen(Of(TypeId::kInt64), Dec(0, 0)), TypeName(Dec(0, 0)));
}

TEST(WidenTypeTest, DecimalsKeepTheMostIntegerDigitsAndTheLargestScale) {
  EXPECT_EQ(Widen(Dec(10, 2), Dec(12, 4)), "decimal(12,4)");
  EXPECT_EQ(Widen(Dec(10, 2), Dec(8, 4)), "decimal(12,4)");
  EXPECT_EQ(Widen(Dec(10, 0), Dec(3, 3)), "decimal(13,3)");
  EXPECT_EQ(Widen(Dec(0, 2), Dec(10, 4)), TypeName(Dec(0, 4)));
}

TEST(WidenTypeTest, FloatsAndSmallIntegersBecomeDouble) {
  EXPECT_EQ(Widen(Of(TypeId::kFloat32), Of(TypeId::kFloat64)), "float64");
  EXPECT_EQ(Widen(Of(TypeId::kFloat32), Of(TypeId::kInt32)), "float64");
  EXPECT_EQ(Widen(Of(TypeId::kFloat64), Of(TypeId::kUInt32)), "float64");
  EXPECT_EQ(Widen(Of(TypeId::kFloat64), Of(TypeId::kInt8)), "float64");
  // 64-bit integers are not exact in a double; decimals and doubles have no common exact type.
  EXPECT_EQ(Widen(Of(TypeId::kFloat64), Of(TypeId::kInt64)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kFloat32), Of(TypeId::kUInt64)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kFloat64), Dec(10, 2)), "none");
}

TEST(WidenTypeTest, DateAndTimestampIsTheTimestamp) {
  EXPECT_EQ(Widen(Of(TypeId::kDate), Ts(TypeId::kTimestamp, 0)), "timestamp");
  EXPECT_EQ(WidenType(Of(TypeId::kDate), Ts(TypeId::kTimestamp, 3)), Ts(TypeId::kTimestamp, 3));
  EXPECT_EQ(WidenType(Ts(TypeId::kTimestamp, 6), Of(TypeId::kDate)), Ts(TypeId::kTimestamp, 6));
  EXPECT_EQ(WidenType(Ts(TypeId::kTimestamp, 3), Ts(TypeId::kTimestamp, 6)),
            Ts(TypeId::kTimestamp, 6));
  EXPECT_EQ(WidenType(Ts(TypeId::kTime, 0), Ts(TypeId::kTime, 3)), Ts(TypeId::kTime, 3));
  // An instant and a wall-clock time are different things; so are a date and an instant.
  EXPECT_EQ(Widen(Of(TypeId::kTimestamp), Of(TypeId::kTimestampTz)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kDate), Of(TypeId::kTimestampTz)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kTime), Of(TypeId::kTimestamp)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kDate), Of(TypeId::kTime)), "none");
}

TEST(WidenTypeTest, TextLikesBecomeString) {
  EXPECT_EQ(Widen(Of(TypeId::kString), Of(TypeId::kJson)), "string");
  EXPECT_EQ(Widen(Of(TypeId::kJson), Of(TypeId::kUuid)), "string");
  EXPECT_EQ(Widen(Of(TypeId::kUuid), Of(TypeId::kString)), "string");
  EXPECT_EQ(WidenType(Str(10), Of(TypeId::kUuid)), Of(TypeId::kString));
  // Lengths: the longer one; an unbounded one makes the result unbounded.
  EXPECT_EQ(WidenType(Str(10), Str(20)), Str(20));
  EXPECT_EQ(WidenType(Str(20), Str(10)), Str(20));
  EXPECT_EQ(WidenType(Str(10), Str(0)), Str(0));
  EXPECT_EQ(WidenType(DataType{TypeId::kBytes, 16, 0}, DataType{TypeId::kBytes, 0, 0}),
            Of(TypeId::kBytes));
}

TEST(WidenTypeTest, IncompatibleKinds) {
  EXPECT_EQ(Widen(Of(TypeId::kString), Of(TypeId::kInt64)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kString), Of(TypeId::kBytes)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kString), Of(TypeId::kDate)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kBool), Of(TypeId::kInt32)), "none");
  EXPECT_EQ(Widen(Dec(10, 2), Of(TypeId::kString)), "none");
  EXPECT_EQ(Widen(Of(TypeId::kJson), Of(TypeId::kBytes)), "none");
}

// Whatever pair widens, the result also holds each input: widening it again changes nothing.
TEST(WidenTypeTest, TheResultAbsorbsBothInputs) {
  for (TypeId a : kAllTypes) {
    for (TypeId b : kAllTypes) {
      const std::optional<DataType> w = WidenType(Of(a), Of(b));
      EXPECT_EQ(w, WidenType(Of(b), Of(a))) << TypeIdName(a) << " " << TypeIdName(b);
      if (!w) continue;
      EXPECT_EQ(WidenType(Of(a), *w), w) << TypeIdName(a) << " " << TypeIdName(b);
      EXPECT_EQ(WidenType(*w, Of(b)), w) << TypeIdName(a) << " " << TypeIdName(b);
    }
  }
}

// The union's type of a column must not depend on the order the shards are listed in.
TEST(WidenTypeTest, UnionOfThreeShardsDoesNotDependOnTheirOrder) {
  const std::vector<Schema> shards = {
      Schema{{Field{"v", Of(TypeId::kInt32)}}},
      Schema{{Field{"v", Of(TypeId::kUInt32)}}},
      Schema{{Field{"v", Of(TypeId::kFloat32)}}},
  };
  const std::vector<std::vector<size_t>> orders = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};
  for (const std::vector<size_t>& order : orders) {
    std::vector<Schema> schemas;
    std::vector<std::string> names;
    for (size_t i : order) {
      schemas.push_back(shards[i]);
      names.push_back("s." + std::to_string(i));
    }
    Result<SchemaUnion> u = UnionSchemas(schemas, names);
    ASSERT_TRUE(u.has_value()) << order[0] << order[1] << order[2] << ": " << u.error().message();
    EXPECT_EQ(u->schema.fields[0].type, Of(TypeId::kFloat64));
  }
}

// --- UnionSchemas ----------------------------------------------------------------------------

Field F(std::string name, TypeId id, bool nullable = true) {
  return Field{std::move(name), DataType::Of(id), nullable};
}

TEST(UnionSchemasTest, IdenticalShardsNeedNoNotes) {
  const Schema s{{F("id", TypeId::kInt64, false), F("name", TypeId::kString)}};
  Result<SchemaUnion> u = UnionSchemas({s, s}, {"a.t", "b.t"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema, s);  // not-null stays not-null when every shard says so
  EXPECT_TRUE(u->notes.empty());
  ASSERT_EQ(u->shards.size(), 2u);
  EXPECT_EQ(u->shards[1].index, (std::vector<int>{0, 1}));
}

TEST(UnionSchemasTest, ColumnsInAnotherOrderFollowTheFirstShard) {
  const Schema a{{F("id", TypeId::kInt64), F("name", TypeId::kString), F("qty", TypeId::kInt64)}};
  const Schema b{{F("qty", TypeId::kInt64), F("id", TypeId::kInt64), F("name", TypeId::kString)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"shop_1.orders", "shop_2.orders"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema.Names(), (std::vector<std::string>{"id", "name", "qty"}));
  EXPECT_EQ(u->shards[0].index, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(u->shards[1].index, (std::vector<int>{1, 2, 0}));
  EXPECT_TRUE(u->notes.empty());
}

TEST(UnionSchemasTest, NamesMatchCaseInsensitively) {
  const Schema a{{F("ID", TypeId::kInt64), F("Name", TypeId::kString)}};
  const Schema b{{F("name", TypeId::kString), F("id", TypeId::kInt64)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"a.t", "b.t"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema.Names(), (std::vector<std::string>{"ID", "Name"}));
  EXPECT_EQ(u->shards[1].index, (std::vector<int>{1, 0}));
}

TEST(UnionSchemasTest, AMissingColumnIsNullAndNullable) {
  const Schema a{{F("id", TypeId::kInt64, false), F("note", TypeId::kString, false)}};
  const Schema b{{F("id", TypeId::kInt64, false)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"shop_1.orders", "shop_2.orders"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema.Names(), (std::vector<std::string>{"id", "note"}));
  EXPECT_FALSE(u->schema.fields[0].nullable);
  EXPECT_TRUE(u->schema.fields[1].nullable);
  EXPECT_EQ(u->shards[1].index, (std::vector<int>{0, -1}));
  EXPECT_EQ(u->notes, (std::vector<std::string>{"note: missing in shop_2.orders, read as NULL"}));
}

TEST(UnionSchemasTest, AColumnOnlyALaterShardHasComesLast) {
  const Schema a{{F("id", TypeId::kInt64, false)}};
  const Schema b{{F("extra", TypeId::kString, false), F("id", TypeId::kInt64, false)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"s1.t", "s2.t"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema.Names(), (std::vector<std::string>{"id", "extra"}));
  EXPECT_TRUE(u->schema.fields[1].nullable);
  EXPECT_EQ(u->shards[0].index, (std::vector<int>{0, -1}));
  EXPECT_EQ(u->shards[1].index, (std::vector<int>{1, 0}));
  EXPECT_EQ(u->notes, (std::vector<std::string>{"extra: missing in s1.t, read as NULL"}));
}

TEST(UnionSchemasTest, CompatibleTypesAreWidenedWithANote) {
  const Schema a{{F("id", TypeId::kInt64), F("qty", TypeId::kInt32)}};
  const Schema b{{F("id", TypeId::kInt64), F("qty", TypeId::kInt64)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"shop_1.orders_0", "shop_2.orders_1"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->schema.fields[1].type, Of(TypeId::kInt64));
  EXPECT_EQ(u->notes, (std::vector<std::string>{
                          "qty: int32 in shop_1.orders_0, int64 in shop_2.orders_1 -> int64"}));
}

TEST(UnionSchemasTest, IncompatibleTypesNameTheColumnAndBothShards) {
  const Schema a{{F("id", TypeId::kInt64), F("code", TypeId::kInt64)}};
  const Schema b{{F("id", TypeId::kInt64), F("code", TypeId::kString)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"shop_1.orders", "shop_2.orders"});
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(u.error().message(),
            "shards disagree on column 'code': int64 in shop_1.orders but string in "
            "shop_2.orders; no type holds both exactly (cast one in the source, or route the "
            "shards to different tables)");
}

// After a widening, a conflict names a shard that really has the type it quotes.
TEST(UnionSchemasTest, ConflictAfterWideningQuotesTheWidenedType) {
  const Schema a{{F("code", TypeId::kInt32)}};
  const Schema b{{F("code", TypeId::kInt64)}};
  const Schema c{{F("code", TypeId::kString)}};
  Result<SchemaUnion> u = UnionSchemas({a, b, c}, {"s.a", "s.b", "s.c"});
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().message(),
            "shards disagree on column 'code': int64 in s.b but string in s.c; no type holds "
            "both exactly (cast one in the source, or route the shards to different tables)");
}

// A conflict with a type no shard has quotes how it came about.
TEST(UnionSchemasTest, ConflictWithAWidenedTypeNamesTheShardsBehindIt) {
  const Schema a{{F("code", TypeId::kInt8)}};
  const Schema b{{F("code", TypeId::kUInt8)}};
  const Schema c{{F("code", TypeId::kString)}};
  Result<SchemaUnion> u = UnionSchemas({a, b, c}, {"s.a", "s.b", "s.c"});
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().message(),
            "shards disagree on column 'code': int16 (widened for s.a, s.b) but string in s.c; no "
            "type holds both exactly (cast one in the source, or route the shards to different "
            "tables)");
}

// A column NULL may occur in, in any shard, is nullable in the union: a NOT NULL target column
// would refuse that shard's NULLs.
TEST(UnionSchemasTest, NullableInAnyShardIsNullable) {
  const Schema a{{F("id", TypeId::kInt64, false), F("v", TypeId::kString, false)}};
  const Schema b{{F("id", TypeId::kInt64, false), F("v", TypeId::kString, true)}};
  Result<SchemaUnion> u = UnionSchemas({a, b}, {"s.a", "s.b"});
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_FALSE(u->schema.fields[0].nullable);
  EXPECT_TRUE(u->schema.fields[1].nullable);
}

TEST(UnionSchemasTest, DecimalsAndIntegersGiveTheNarrowestDecimalInAnyOrder) {
  const Schema i32{{F("v", TypeId::kInt32)}};
  const Schema u32{{F("v", TypeId::kUInt32)}};
  const Schema dec{{Field{"v", Dec(5, 2)}}};
  for (const std::vector<Schema>& shards :
       {std::vector<Schema>{i32, u32, dec}, std::vector<Schema>{dec, i32, u32},
        std::vector<Schema>{u32, dec, i32}}) {
    Result<SchemaUnion> u = UnionSchemas(shards, {"s.1", "s.2", "s.3"});
    ASSERT_TRUE(u.has_value()) << u.error().message();
    EXPECT_EQ(u->schema.fields[0].type, Dec(12, 2));
  }
}

}  // namespace
}  // namespace sluice
