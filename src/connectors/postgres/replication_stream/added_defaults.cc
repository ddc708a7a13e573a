#include "connectors/postgres/replication_stream/added_defaults.h"

#include <string>

namespace sluice::postgres::replication_stream {
namespace {

constexpr const char* kAttributes =
    "SELECT a.attname, a.atthasmissing, coalesce(array_to_string(a.attmissingval, ''), ''), "
    "coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity <> '', a.attgenerated <> '' "
    "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped";

// The sluice types whose PostgreSQL text every SQL target reads back as the same value.
bool PortableText(TypeId id) {
  return IsNumeric(id) || id == TypeId::kBool || id == TypeId::kString || id == TypeId::kDate ||
         id == TypeId::kTime || id == TypeId::kTimestamp || id == TypeId::kJson ||
         id == TypeId::kUuid;
}

}  // namespace

void SetAddedDefault(const AttributeDefault& a, Field& field) {
  field.added_default.reset();
  field.added_default_unknown.clear();
  const std::string described = a.identity    ? std::string("GENERATED AS IDENTITY")
                                : a.generated ? "GENERATED ALWAYS AS (" + a.default_expr + ")"
                                              : "DEFAULT " + a.default_expr;
  if (a.has_missing && !a.identity && !a.generated) {
    if (!PortableText(field.type.id)) {
      field.added_default_unknown = described;
    } else if (field.type.id == TypeId::kBool) {
      field.added_default.emplace(1, a.missing == "t" ? '1' : '0');
    } else {
      field.added_default = a.missing;
    }
    return;
  }
  if (a.identity || a.generated || !a.default_expr.empty()) {
    field.added_default_unknown = described;
  }
}

Status ReadAddedDefaults(PgConnection& conn, uint32_t oid, Schema& schema, size_t from) {
  if (from >= schema.size()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query(kAttributes, "postgres source: reading column defaults", {std::to_string(oid)}));
  for (size_t i = from; i < schema.size(); ++i) {
    Field& field = schema.fields[i];
    for (int row = 0; row < r.rows(); ++row) {
      if (r.Text(row, 0) != field.name) continue;
      AttributeDefault a;
      a.has_missing = r.Bool(row, 1);
      a.missing = r.Str(row, 2);
      a.default_expr = r.Str(row, 3);
      a.identity = r.Bool(row, 4);
      a.generated = r.Bool(row, 5);
      SetAddedDefault(a, field);
    }
  }
  return Status::OK();
}

}  // namespace sluice::postgres::replication_stream
