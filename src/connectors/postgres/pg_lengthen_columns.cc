#include "connectors/postgres/pg_lengthen_columns.h"

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

constexpr int32_t kVarHeader = 4;  // a length's typmod is the length plus this header

}  // namespace

std::vector<std::string> LengthenColumnsSql(const PgTable& table, const WriteRequest& request) {
  std::vector<std::string> ddl;
  for (const PgColumn& c : table.columns) {
    const std::optional<size_t> field = request.schema.IndexOf(c.name);
    if (!field || c.generated) continue;
    // Only what the source lengthened: a column the user made shorter than the source's
    // declared length, for values that fit, is theirs.
    if (!request.schema.fields[*field].lengthened_at_source) continue;
    const DataType& incoming = request.schema.fields[*field].type;
    if (incoming.id != TypeId::kString) continue;
    // The declared name tells a domain over varchar (named as the domain) from varchar itself.
    const bool varying = c.type.declared.starts_with("character varying(");
    const bool fixed = c.type.declared.starts_with("character(");
    if ((!varying && !fixed) || c.type.typmod < kVarHeader) continue;
    const int32_t length = c.type.typmod - kVarHeader;
    if (incoming.precision != 0 && incoming.precision <= length) continue;
    const std::string type =
        incoming.precision == 0 ? "text"
                                : fmt::format("{}({})", varying ? "character varying" : "character",
                                              incoming.precision);
    ddl.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {}", table.Qualified(),
                              QuoteIdent(c.name), type));
  }
  return ddl;
}

}  // namespace sluice::postgres
