#include "engine/shard_schema.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice {
namespace {

int Rank(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
      return 3;
    default:
      return 4;
  }
}

TypeId SignedOfRank(int rank) {
  static constexpr TypeId kSigned[] = {TypeId::kInt8, TypeId::kInt16, TypeId::kInt32,
                                       TypeId::kInt64};
  return kSigned[std::clamp(rank, 1, 4) - 1];
}

// Decimal digits an integer type needs.
uint16_t IntegerDigits(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 3;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return 5;
    case TypeId::kInt32:
    case TypeId::kUInt32:
      return 10;
    case TypeId::kInt64:
      return 19;
    default:
      return 20;  // uint64
  }
}

DataType WiderDecimal(const DataType& a, const DataType& b) {
  if (a.precision == 0 || b.precision == 0) return DataType::Decimal(0, std::max(a.scale, b.scale));
  const uint16_t scale = std::max(a.scale, b.scale);
  const uint16_t integer = std::max(a.precision - a.scale, b.precision - b.scale);
  return DataType::Decimal(static_cast<uint16_t>(integer + scale), scale);
}

std::optional<DataType> WidenIntegers(const DataType& a, const DataType& b) {
  const bool a_signed = IsSignedInteger(a.id);
  const bool b_signed = IsSignedInteger(b.id);
  if (a_signed == b_signed) return Rank(a.id) >= Rank(b.id) ? a : b;
  const DataType& s = a_signed ? a : b;
  const DataType& u = a_signed ? b : a;
  if (Rank(s.id) > Rank(u.id)) return s;
  if (u.id == TypeId::kUInt64) return DataType::Decimal(20, 0);
  return DataType::Of(SignedOfRank(Rank(u.id) + 1));
}

bool IsTextLike(TypeId id) {
  return id == TypeId::kString || id == TypeId::kJson || id == TypeId::kUuid;
}

}  // namespace

std::optional<DataType> WidenType(const DataType& a, const DataType& b) {
  if (a.id == b.id) {
    if (a.id == TypeId::kDecimal) return WiderDecimal(a, b);
    DataType wider = a;
    const bool unbounded = a.precision == 0 || b.precision == 0;
    const bool length = a.id == TypeId::kString || a.id == TypeId::kBytes;
    wider.precision = length && unbounded ? 0 : std::max(a.precision, b.precision);
    wider.scale = std::max(a.scale, b.scale);
    return wider;
  }
  if (IsInteger(a.id) && IsInteger(b.id)) return WidenIntegers(a, b);
  if (IsInteger(a.id) && b.id == TypeId::kDecimal) {
    return WiderDecimal(DataType::Decimal(IntegerDigits(a.id), 0), b);
  }
  if (a.id == TypeId::kDecimal && IsInteger(b.id)) return WidenType(b, a);
  if (IsFloating(a.id) && IsFloating(b.id)) return DataType::Of(TypeId::kFloat64);
  // Integers up to 32 bits are exact in a double; wider ones are not.
  if (IsFloating(a.id) && IsInteger(b.id) && Rank(b.id) <= 3) return DataType::Of(TypeId::kFloat64);
  if (IsInteger(a.id) && IsFloating(b.id) && Rank(a.id) <= 3) return DataType::Of(TypeId::kFloat64);
  if ((a.id == TypeId::kDate && b.id == TypeId::kTimestamp) ||
      (a.id == TypeId::kTimestamp && b.id == TypeId::kDate)) {
    return a.id == TypeId::kTimestamp ? a : b;
  }
  if (IsTextLike(a.id) && IsTextLike(b.id)) return DataType::Of(TypeId::kString);
  return std::nullopt;
}

namespace {

// One shard's version of a union column.
struct Occurrence {
  size_t shard;
  DataType type;
};

// Where the union type of a column comes from, for messages: "int64 in s.b", or, when no shard
// has exactly that type, "int16 (widened for s.a, s.b)".
struct Provenance {
  DataType type;
  std::vector<size_t> shards;  // the shards merged so far
  bool exact = true;           // shards.back() has exactly `type`
};

std::string Describe(const Provenance& p, const std::vector<std::string>& names) {
  if (p.exact) return fmt::format("{} in {}", TypeName(p.type), names[p.shards.back()]);
  std::string list;
  for (size_t s : p.shards) list += (list.empty() ? "" : ", ") + names[s];
  return fmt::format("{} (widened for {})", TypeName(p.type), list);
}

// Floating and decimal types are merged first: widening integers among themselves first can
// give a type that then fits neither (int32 + uint32 -> int64, which no double holds exactly,
// though a double holds both), or a needlessly wide decimal. This makes the union's type
// independent of the order the shards are listed in.
bool MergedFirst(const DataType& type) {
  return IsFloating(type.id) || type.id == TypeId::kDecimal;
}

Result<DataType> UnionType(const std::string& column, std::vector<Occurrence> occurrences,
                           const std::vector<std::string>& names, std::vector<std::string>& notes) {
  std::stable_partition(occurrences.begin(), occurrences.end(),
                        [](const Occurrence& o) { return MergedFirst(o.type); });
  Provenance have{occurrences.front().type, {occurrences.front().shard}, true};
  for (size_t i = 1; i < occurrences.size(); ++i) {
    const Occurrence& o = occurrences[i];
    if (o.type == have.type) {
      if (!have.exact) have.shards.push_back(o.shard);
      continue;
    }
    const std::optional<DataType> wider = WidenType(have.type, o.type);
    if (!wider) {
      return Err(Status::Invalid(
          "shards disagree on column '{}': {} but {} in {}; no type holds both exactly (cast "
          "one in the source, or route the shards to different tables)",
          column, Describe(have, names), TypeName(o.type), names[o.shard]));
    }
    notes.push_back(fmt::format("{}: {}, {} in {} -> {}", column, Describe(have, names),
                                TypeName(o.type), names[o.shard], TypeName(*wider)));
    if (*wider == o.type) {
      have = Provenance{o.type, {o.shard}, true};
    } else if (*wider != have.type) {
      have.type = *wider;
      have.shards.push_back(o.shard);
      have.exact = false;
    }
  }
  return have.type;
}

}  // namespace

Result<SchemaUnion> UnionSchemas(const std::vector<Schema>& shards,
                                 const std::vector<std::string>& names) {
  SchemaUnion u;
  // Every shard's version of each union column, in shard order.
  std::vector<std::vector<Occurrence>> occurrences;
  for (size_t s = 0; s < shards.size(); ++s) {
    for (const Field& field : shards[s].fields) {
      std::optional<size_t> at = u.schema.IndexOf(field.name);
      if (!at) {
        u.schema.fields.push_back(field);
        // Columns only later shards have are NULL in the earlier shards' rows.
        u.schema.fields.back().nullable = field.nullable || s > 0;
        occurrences.push_back({Occurrence{s, field.type}});
        continue;
      }
      Field& have = u.schema.fields[*at];
      have.nullable = have.nullable || field.nullable;
      // Shards that disagree on the engine's own type keep only the sluice type.
      if (have.native_engine != field.native_engine || have.native_type != field.native_type) {
        have.ClearNative();
      }
      if (have.null_rule.empty()) have.null_rule = field.null_rule;
      occurrences[*at].push_back(Occurrence{s, field.type});
    }
  }
  for (size_t c = 0; c < u.schema.fields.size(); ++c) {
    Field& field = u.schema.fields[c];
    const DataType first = field.type;
    SLUICE_ASSIGN_OR_RETURN(field.type,
                            UnionType(field.name, std::move(occurrences[c]), names, u.notes));
    if (field.type != first) field.ClearNative();  // widened: no longer the source's type
  }
  // A column some shards lack is NULL in their rows, so it must be nullable.
  for (size_t s = 0; s < shards.size(); ++s) {
    ShardColumns columns;
    for (Field& field : u.schema.fields) {
      std::optional<size_t> at = shards[s].IndexOf(field.name);
      columns.index.push_back(at ? static_cast<int>(*at) : -1);
      if (!at) {
        field.nullable = true;
        u.notes.push_back(fmt::format("{}: missing in {}, read as NULL", field.name, names[s]));
      }
    }
    u.shards.push_back(std::move(columns));
  }
  return u;
}

}  // namespace sluice
