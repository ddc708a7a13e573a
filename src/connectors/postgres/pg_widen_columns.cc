#include "connectors/postgres/pg_widen_columns.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/schema_change.h"

namespace sluice::postgres {
namespace {

constexpr int32_t kVarHeader = 4;  // a length's or a numeric's typmod is its value plus this

// The wider type of text column `c` for `incoming`, or nullopt when it takes it already.
std::optional<std::string> WiderText(const PgColumn& c, const DataType& incoming) {
  // The declared name tells a domain over varchar (named as the domain) from varchar itself.
  const bool varying = c.type.declared.starts_with("character varying(");
  const bool fixed = c.type.declared.starts_with("character(");
  if ((!varying && !fixed) || c.type.typmod < kVarHeader) return std::nullopt;
  const int32_t length = c.type.typmod - kVarHeader;
  if (incoming.precision != 0 && incoming.precision <= length) return std::nullopt;
  // Without a length: text (character without one would be character(1)).
  if (incoming.precision == 0) return "text";
  return fmt::format("{}({})", varying ? "character varying" : "character", incoming.precision);
}

// The sluice type an integer or numeric column of the target holds; nullopt for another.
std::optional<DataType> HeldType(const PgColumn& c) {
  if (c.type.declared == "smallint") return DataType::Of(TypeId::kInt16);
  if (c.type.declared == "integer") return DataType::Of(TypeId::kInt32);
  if (c.type.declared == "bigint") return DataType::Of(TypeId::kInt64);
  if (c.type.oid == oid::kNumeric &&
      (c.type.declared == "numeric" || c.type.declared.starts_with("numeric("))) {
    if (c.type.typmod < kVarHeader) return DataType::Decimal(0, 0);
    const int32_t mod = c.type.typmod - kVarHeader;
    return DataType::Decimal(static_cast<uint16_t>(mod >> 16), static_cast<uint16_t>(mod & 0xffff));
  }
  return std::nullopt;
}

// The wider type of integer or numeric column `c` for `incoming`, or nullopt when it takes it.
std::optional<std::string> WiderNumber(const PgColumn& c, const DataType& incoming) {
  const std::optional<DataType> held = HeldType(c);
  if (!held || Covers(*held, incoming)) return std::nullopt;
  if (incoming.id == TypeId::kDecimal && held->id == TypeId::kDecimal) {
    if (incoming.precision == 0) return "numeric";
    // As many digits before and after the point as either holds.
    const int scale = std::max(held->scale, incoming.scale);
    const int whole = std::max(held->precision - held->scale, incoming.precision - incoming.scale);
    return fmt::format("numeric({},{})", whole + scale, scale);
  }
  if (!IsInteger(incoming.id) || !IsInteger(held->id)) return std::nullopt;
  // smallint, integer, bigint, and numeric(20,0) for an unsigned 64-bit one, as created.
  return CreatedPgType(incoming).declared;
}

}  // namespace

std::vector<std::string> WidenColumnsSql(const PgTable& table, const WriteRequest& request) {
  std::vector<std::string> ddl;
  for (const PgColumn& c : table.columns) {
    const std::optional<size_t> field = request.schema.IndexOf(c.name);
    if (!field || c.generated) continue;
    // Only what the source widened: a column the user made narrower than the source's for
    // values that fit it is theirs.
    if (!request.schema.fields[*field].widened_at_source) continue;
    const DataType& incoming = request.schema.fields[*field].type;
    const std::optional<std::string> type =
        incoming.id == TypeId::kString ? WiderText(c, incoming) : WiderNumber(c, incoming);
    if (!type) continue;
    ddl.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {}", table.Qualified(),
                              QuoteIdent(c.name), *type));
  }
  return ddl;
}

}  // namespace sluice::postgres
