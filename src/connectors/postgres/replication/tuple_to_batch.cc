#include "connectors/postgres/replication/tuple_to_batch.h"

#include <fmt/format.h>

#include "connectors/postgres/pg_wire.h"
#include "connectors/postgres/replication/pg_text_values.h"
#include "core/time_zone.h"
#include "core/value_text.h"

namespace sluice::postgres::replication {
namespace {

struct BuiltinArray {
  uint32_t array_oid;
  uint32_t element_oid;
  const char* name;
};

// pg_type.dat's array types of the built-in scalars sluice reads; their oids are fixed.
constexpr BuiltinArray kBuiltinArrays[] = {
    {1000, oid::kBool, "_bool"},
    {1001, oid::kBytea, "_bytea"},
    {1002, oid::kChar, "_char"},
    {1003, oid::kName, "_name"},
    {1005, oid::kInt2, "_int2"},
    {1007, oid::kInt4, "_int4"},
    {1009, oid::kText, "_text"},
    {1014, oid::kBpchar, "_bpchar"},
    {1015, oid::kVarchar, "_varchar"},
    {1016, oid::kInt8, "_int8"},
    {1021, oid::kFloat4, "_float4"},
    {1022, oid::kFloat8, "_float8"},
    {1028, oid::kOid, "_oid"},
    {1231, oid::kNumeric, "_numeric"},
    {1182, oid::kDate, "_date"},
    {1183, oid::kTime, "_time"},
    {1115, oid::kTimestamp, "_timestamp"},
    {1185, oid::kTimestampTz, "_timestamptz"},
    {1187, oid::kInterval, "_interval"},
    {2951, oid::kUuid, "_uuid"},
    {199, oid::kJson, "_json"},
    {3807, oid::kJsonb, "_jsonb"},
    {1041, oid::kInet, "_inet"},
    {791, oid::kMoney, "_money"},
    {1270, oid::kTimeTz, "_timetz"},
    {143, oid::kXml, "_xml"},
};

const BuiltinArray* FindBuiltinArray(uint32_t type_oid) {
  for (const BuiltinArray& a : kBuiltinArrays) {
    if (a.array_oid == type_oid) return &a;
  }
  return nullptr;
}

bool IsBuiltinScalar(uint32_t t) {
  switch (t) {
    case oid::kBool:
    case oid::kBytea:
    case oid::kChar:
    case oid::kName:
    case oid::kInt8:
    case oid::kInt2:
    case oid::kInt4:
    case oid::kText:
    case oid::kOid:
    case oid::kJson:
    case oid::kXml:
    case oid::kCidr:
    case oid::kMacaddr8:
    case oid::kMoney:
    case oid::kMacaddr:
    case oid::kInet:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kBpchar:
    case oid::kVarchar:
    case oid::kDate:
    case oid::kTime:
    case oid::kTimestamp:
    case oid::kTimestampTz:
    case oid::kInterval:
    case oid::kTimeTz:
    case oid::kBit:
    case oid::kVarbit:
    case oid::kNumeric:
    case oid::kUuid:
    case oid::kPgLsn:
    case oid::kJsonb:
      return true;
    default:
      return false;
  }
}

// How to_json renders elements of this type (json_categorize_type): only these numeric types
// become JSON numbers; oid and money, for instance, become strings.
ArrayElement ElementOf(uint32_t element_oid) {
  switch (element_oid) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kNumeric:
      return ArrayElement::kNumber;
    case oid::kBool:
      return ArrayElement::kBool;
    case oid::kJson:
    case oid::kJsonb:
      return ArrayElement::kJson;
    case oid::kDate:
      return ArrayElement::kDate;
    case oid::kTimestamp:
      return ArrayElement::kTimestamp;
    case oid::kTimestampTz:
      return ArrayElement::kTimestampTz;
    default:
      return ArrayElement::kString;
  }
}

ColumnPlan PlanFor(const PgType& t, const DataType& type) {
  switch (t.oid) {
    case oid::kNumeric:
      return {TextForm::kNumeric};
    case oid::kMoney:
      return {TextForm::kMoney};
    case oid::kBytea:
      return {TextForm::kBytea};
    case oid::kDate:
      return {TextForm::kDate};
    case oid::kTimestamp:
      return {TextForm::kTimestamp};
    case oid::kTimestampTz:
      return {TextForm::kTimestampTz};
    default:
      break;
  }
  if (t.category == 'A' && type.id == TypeId::kJson) {
    const BuiltinArray* a = FindBuiltinArray(t.oid);
    // Arrays of user types (enums, mostly) render as strings.
    return {TextForm::kArray, a ? ElementOf(a->element_oid) : ArrayElement::kString};
  }
  if (IsVarWidth(type.id) && type.id != TypeId::kUuid && type.id != TypeId::kDecimal) {
    return {TextForm::kText};
  }
  return {TextForm::kParse};
}

// The special values of numeric, date and timestamp text; nullptr for an ordinary value.
const char* SpecialReason(TextForm form, std::string_view text) {
  switch (form) {
    case TextForm::kNumeric:
      if (text == "NaN") return "numeric NaN";
      if (text == "Infinity") return "numeric Infinity";
      if (text == "-Infinity") return "numeric -Infinity";
      return nullptr;
    case TextForm::kDate:
      if (text == "infinity") return "date infinity";
      if (text == "-infinity") return "date -infinity";
      return nullptr;
    case TextForm::kTimestamp:
    case TextForm::kTimestampTz:
      if (text == "infinity") return "timestamp infinity";
      if (text == "-infinity") return "timestamp -infinity";
      return nullptr;
    default:
      return nullptr;
  }
}

// The batch path's kept form of a special value (pg_wire.h): numbers as the decimal text
// PostgreSQL prints, infinities as the binary formats' sentinels.
void AppendKeptSpecial(TextForm form, std::string_view text, Column& column) {
  const bool negative = text.front() == '-';
  if (form == TextForm::kNumeric) {
    column.AppendBytes(text);
  } else if (form == TextForm::kDate) {
    column.AppendInt(negative ? kDateMinusInfinity : kDateInfinity);
  } else {
    column.AppendInt(negative ? kTimestampMinusInfinity : kTimestampInfinity);
  }
}

// Appends one non-NULL text value; on error appends nothing.
Status AppendText(const ColumnPlan& plan, std::string_view text, Column& column) {
  switch (plan.form) {
    case TextForm::kParse:
      return ParseAndAppend(text, column, TimeZone::Utc());
    case TextForm::kText:
      column.AppendBytes(text);
      return Status::OK();
    case TextForm::kNumeric:
      return ParseAndAppend(text, column, TimeZone::Utc());
    case TextForm::kMoney: {
      SLUICE_ASSIGN_OR_RETURN(std::string decimal, MoneyToDecimalText(text));
      return ParseAndAppend(decimal, column, TimeZone::Utc());
    }
    case TextForm::kBytea: {
      std::string& data = column.MutableData();
      const size_t before = data.size();
      Status st = AppendByteaHex(text, data);
      if (!st.ok()) {
        data.resize(before);
        return st;
      }
      column.CommitVar();
      return Status::OK();
    }
    case TextForm::kDate: {
      SLUICE_ASSIGN_OR_RETURN(const int32_t days, ParsePgDate(text));
      column.AppendInt(days);
      return Status::OK();
    }
    case TextForm::kTimestamp: {
      SLUICE_ASSIGN_OR_RETURN(const int64_t micros, ParsePgTimestamp(text));
      column.AppendInt(micros);
      return Status::OK();
    }
    case TextForm::kTimestampTz: {
      SLUICE_ASSIGN_OR_RETURN(const int64_t micros, ParsePgTimestampTz(text));
      column.AppendInt(micros);
      return Status::OK();
    }
    case TextForm::kArray: {
      std::string& data = column.MutableData();
      const size_t before = data.size();
      Status st = ArrayTextToJson(text, plan.element, data);
      if (!st.ok()) {
        data.resize(before);
        return st;
      }
      column.CommitVar();
      return Status::OK();
    }
  }
  return Status::Internal("unhandled text form");
}

}  // namespace

std::optional<PgType> BuiltinPgType(uint32_t type_oid, int32_t typmod) {
  PgType t;
  t.oid = type_oid;
  t.typmod = typmod;
  if (IsBuiltinScalar(type_oid)) {
    t.category = type_oid == oid::kText || type_oid == oid::kVarchar || type_oid == oid::kBpchar ||
                         type_oid == oid::kName
                     ? 'S'
                     : 'U';
    return t;
  }
  if (const BuiltinArray* a = FindBuiltinArray(type_oid)) {
    t.name = a->name;
    t.declared = a->name;
    t.category = 'A';
    return t;
  }
  return std::nullopt;
}

Result<TuplePlan> PlanTuple(const CachedRelation& relation, const TypeResolver& resolver,
                            bool unknown_as_text) {
  TuplePlan plan;
  plan.relation = relation.QualifiedName();
  plan.schema.fields.reserve(relation.columns.size());
  plan.columns.reserve(relation.columns.size());
  for (const CachedColumn& c : relation.columns) {
    const std::string where = fmt::format("{}.{}", plan.relation, c.name);
    std::optional<PgType> type = BuiltinPgType(c.type_oid, c.typmod);
    if (!type) {
      if (!resolver) {
        return Err(
            Status::Invalid("{}: type oid {} is not built in and no type resolver was "
                            "given",
                            where, c.type_oid));
      }
      Result<PgType> resolved = resolver(c.type_oid, c.typmod);
      if (!resolved) return Err(resolved.error().WithContext(where));
      type = std::move(*resolved);
    }
    Result<ReadMapping> mapping = MapForRead(*type, unknown_as_text);
    if (!mapping) return Err(mapping.error().WithContext(where));
    Field field;
    field.name = c.name;
    field.type = mapping->type;
    plan.schema.fields.push_back(std::move(field));
    plan.columns.push_back(PlanFor(*type, mapping->type));
  }
  return plan;
}

Result<AppendedRow> AppendTuple(const TupleData& tuple, const TuplePlan& plan, RowKind kind,
                                SpecialValues special, Batch& batch) {
  const size_t ncols = plan.columns.size();
  if (tuple.size() != ncols || batch.columns.size() != ncols) {
    return Err(Status::DataError("{}: a tuple of {} columns for a relation of {} (batch {})",
                                 plan.relation, tuple.size(), ncols, batch.columns.size()));
  }
  // Refuse before appending anything, so that an error never leaves a half row.
  for (size_t c = 0; c < ncols; ++c) {
    if (tuple[c].kind == TupleValueKind::kBinary) {
      return Err(
          Status::DataError("{}.{}: a binary value; the slot must be read without the "
                            "'binary' option",
                            plan.relation, plan.schema.fields[c].name));
    }
  }
  const size_t rows_before = batch.num_rows();
  if (batch.row_kinds.size() < rows_before) batch.row_kinds.resize(rows_before, RowKind::kInsert);
  batch.row_kinds.push_back(kind);
  if (ncols == 0) ++batch.row_count_without_columns;  // a table without columns has rows too
  AppendedRow result;
  for (size_t c = 0; c < ncols; ++c) {
    Column& column = batch.columns[c];
    const TupleValue& v = tuple[c];
    if (v.kind == TupleValueKind::kNull) {
      column.AppendNull();
      continue;
    }
    if (v.kind == TupleValueKind::kUnchanged) {
      column.AppendUnchanged();
      continue;
    }
    const ColumnPlan& cp = plan.columns[c];
    std::string reason;
    const char* why = SpecialReason(cp.form, v.bytes);
    if (why) {
      if (special == SpecialValues::kKeep) {
        AppendKeptSpecial(cp.form, v.bytes, column);
        continue;
      }
      if (special == SpecialValues::kNull) {
        column.AppendNull();
        ++result.substituted;
        continue;
      }
      reason = why;
    } else {
      Status st = AppendText(cp, v.bytes, column);
      if (st.ok()) continue;
      reason = st.message();
    }
    column.AppendNull();
    if (!result.bad) {
      result.bad = true;
      result.bad_column = c;
      result.reason = fmt::format("{}.{}: {}", plan.relation, plan.schema.fields[c].name, reason);
      result.special = why != nullptr;
    }
  }
  return result;
}

}  // namespace sluice::postgres::replication
