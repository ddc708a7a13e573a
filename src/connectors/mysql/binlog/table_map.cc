#include "connectors/mysql/binlog/table_map.h"

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/event_header.h"

namespace sluice::mysql::binlog {
namespace {

// Optional metadata field types (binlog_row_metadata).
enum class OptionalField : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
};

Status Malformed(const Event& event, size_t offset, std::string_view what) {
  return Status::DataError("TABLE_MAP event is truncated or malformed at byte {} of {} ({})",
                           offset, event.bytes.size(), what);
}

// Reads the per-type metadata of one column.
bool ReadColumnMetadata(ByteReader& r, TableMapColumn& c) {
  uint64_t a = 0, b = 0;
  c.real_type = c.type;
  switch (c.type) {
    case FieldType::kFloat:
    case FieldType::kDouble:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
    case FieldType::kGeometry:
    case FieldType::kJson:
    case FieldType::kVector:
      if (!r.Le(1, a)) return false;
      c.length = static_cast<uint32_t>(a);
      return true;
    case FieldType::kTimestamp2:
    case FieldType::kDateTime2:
    case FieldType::kTime2:
      if (!r.Le(1, a)) return false;
      c.scale = static_cast<uint8_t>(a);
      return true;
    case FieldType::kVarchar:
    case FieldType::kVarString:
      if (!r.Le(2, a)) return false;
      c.length = static_cast<uint32_t>(a);
      return true;
    case FieldType::kBit:  // bits % 8, then whole bytes
      if (!r.Le(1, a) || !r.Le(1, b)) return false;
      c.length = static_cast<uint32_t>(b * 8 + a);
      return true;
    case FieldType::kNewDecimal:
      if (!r.Le(1, a) || !r.Le(1, b)) return false;
      c.precision = static_cast<uint8_t>(a);
      c.scale = static_cast<uint8_t>(b);
      return true;
    case FieldType::kEnum:
    case FieldType::kSet:
    case FieldType::kString:
      if (!r.Le(1, a) || !r.Le(1, b)) return false;
      // STRING packs its real type and max length in two bytes; lengths over 255 borrow two
      // bits of the type byte, stored inverted (bits 4-5 are always set in the real types).
      if (c.type == FieldType::kString && (a & 0x30) != 0x30) {
        c.real_type = static_cast<FieldType>(a | 0x30);
        c.length = static_cast<uint32_t>(b | (((a & 0x30) ^ 0x30) << 4));
      } else {
        c.real_type = c.type == FieldType::kString ? static_cast<FieldType>(a) : c.type;
        c.length = static_cast<uint32_t>(b);
      }
      return true;
    default:
      return true;
  }
}

bool IsEnumOrSet(const TableMapColumn& c) {
  return c.real_type == FieldType::kEnum || c.real_type == FieldType::kSet;
}

// Collations by column index for `pick` columns: the default, then (index, collation) pairs.
bool ReadDefaultCharset(ByteReader field, std::vector<TableMapColumn>& columns,
                        bool (*pick)(const TableMapColumn&)) {
  uint64_t def = 0;
  if (!field.Packed(def)) return false;
  std::vector<TableMapColumn*> picked;
  for (TableMapColumn& c : columns) {
    if (pick(c)) {
      c.collation = static_cast<uint32_t>(def);
      picked.push_back(&c);
    }
  }
  while (!field.empty()) {
    uint64_t index = 0, collation = 0;
    if (!field.Packed(index) || !field.Packed(collation)) return false;
    if (index >= picked.size()) return field.Fail();
    picked[index]->collation = static_cast<uint32_t>(collation);
  }
  return true;
}

bool ReadColumnCharsets(ByteReader field, std::vector<TableMapColumn>& columns,
                        bool (*pick)(const TableMapColumn&)) {
  for (TableMapColumn& c : columns) {
    if (!pick(c)) continue;
    uint64_t collation = 0;
    if (!field.Packed(collation)) return false;
    c.collation = static_cast<uint32_t>(collation);
  }
  return true;
}

bool ReadString(ByteReader& field, std::string& out) {
  uint64_t n = 0;
  std::string_view bytes;
  if (!field.Packed(n) || !field.Bytes(n, bytes)) return false;
  out.assign(bytes);
  return true;
}

bool ReadStrValues(ByteReader field, std::vector<TableMapColumn>& columns, FieldType kind) {
  for (TableMapColumn& c : columns) {
    if (c.real_type != kind) continue;
    uint64_t count = 0;
    if (!field.Packed(count) || count > field.remaining()) return field.Fail();
    c.values.resize(count);
    for (std::string& v : c.values) {
      if (!ReadString(field, v)) return false;
    }
  }
  return true;
}

bool ReadOptionalField(OptionalField type, ByteReader field, TableMap& map) {
  auto& cols = map.columns;
  switch (type) {
    case OptionalField::kSignedness: {
      // One bit per numeric column, most significant bit first.
      size_t bit = 0;
      std::string_view bits = field.rest();
      for (TableMapColumn& c : cols) {
        if (!c.is_numeric()) continue;
        if (bit / 8 >= bits.size()) return field.Fail();
        c.is_unsigned = (static_cast<uint8_t>(bits[bit / 8]) >> (7 - bit % 8)) & 1;
        ++bit;
      }
      map.has_signedness = true;
      return true;
    }
    case OptionalField::kDefaultCharset:
      return ReadDefaultCharset(field, cols,
                                [](const TableMapColumn& c) { return c.is_character(); });
    case OptionalField::kColumnCharset:
      return ReadColumnCharsets(field, cols,
                                [](const TableMapColumn& c) { return c.is_character(); });
    case OptionalField::kEnumAndSetDefaultCharset:
      return ReadDefaultCharset(field, cols, IsEnumOrSet);
    case OptionalField::kEnumAndSetColumnCharset:
      return ReadColumnCharsets(field, cols, IsEnumOrSet);
    case OptionalField::kColumnName:
      for (TableMapColumn& c : cols) {
        if (!ReadString(field, c.name)) return false;
      }
      map.has_names = true;
      return true;
    case OptionalField::kSetStrValue:
      return ReadStrValues(field, cols, FieldType::kSet);
    case OptionalField::kEnumStrValue:
      return ReadStrValues(field, cols, FieldType::kEnum);
    case OptionalField::kSimplePrimaryKey:
      while (!field.empty()) {
        uint64_t index = 0;
        if (!field.Packed(index)) return false;
        map.primary_key.push_back(static_cast<uint32_t>(index));
      }
      return true;
    case OptionalField::kPrimaryKeyWithPrefix:
      while (!field.empty()) {
        uint64_t index = 0, prefix = 0;
        if (!field.Packed(index) || !field.Packed(prefix)) return false;
        map.primary_key.push_back(static_cast<uint32_t>(index));
      }
      return true;
    default:  // geometry subtypes, visibility, and types newer than this decoder: not needed
      return true;
  }
}

}  // namespace

bool TableMapColumn::is_character() const {
  switch (type) {
    case FieldType::kString:
      return real_type == FieldType::kString;
    case FieldType::kVarchar:
    case FieldType::kVarString:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
      return true;
    default:
      return false;
  }
}

bool TableMapColumn::is_numeric() const {
  switch (type) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kInt24:
    case FieldType::kLong:
    case FieldType::kLongLong:
    case FieldType::kFloat:
    case FieldType::kDouble:
    case FieldType::kNewDecimal:
      return true;
    default:
      return false;
  }
}

size_t TableIdSize(const FormatDescription& format, EventType type) {
  return format.PostHeaderLength(type, 8) == 6 ? 4 : 6;
}

Result<TableMap> ParseTableMap(const Event& event, const FormatDescription& format) {
  ByteReader r(event.body, kEventHeaderSize);
  TableMap map;
  const uint8_t post = format.PostHeaderLength(EventType::kTableMap, 8);
  const size_t id_size = TableIdSize(format, EventType::kTableMap);
  r.Le(id_size, map.table_id);
  r.U(2, map.flags);
  if (post > id_size + 2) r.Skip(post - id_size - 2);
  uint64_t schema_length = 0, table_length = 0, column_count = 0, meta_length = 0;
  std::string_view schema, table, types, meta, nulls;
  r.Le(1, schema_length);
  r.Bytes(schema_length, schema);
  r.Skip(1);
  r.Le(1, table_length);
  r.Bytes(table_length, table);
  r.Skip(1);
  r.Packed(column_count);
  if (!r.ok() || column_count > r.remaining()) {
    return Err(Malformed(event, r.ok() ? r.offset() : r.fail_offset(), "names or column count"));
  }
  map.schema.assign(schema);
  map.table.assign(table);
  r.Bytes(column_count, types);
  r.Packed(meta_length);
  const size_t meta_offset = r.offset();
  r.Bytes(meta_length, meta);
  r.Bytes((column_count + 7) / 8, nulls);
  if (!r.ok()) return Err(Malformed(event, r.fail_offset(), "column types"));
  map.columns.resize(column_count);
  ByteReader m(meta, meta_offset);
  for (size_t i = 0; i < column_count; ++i) {
    TableMapColumn& c = map.columns[i];
    c.type = static_cast<FieldType>(types[i]);
    c.nullable = (static_cast<uint8_t>(nulls[i / 8]) >> (i % 8)) & 1;
    if (!ReadColumnMetadata(m, c)) {
      return Err(Malformed(event, m.fail_offset(), "metadata of column " + std::to_string(i + 1)));
    }
  }
  // Optional metadata: type, packed length, value; to the end of the event.
  while (!r.empty()) {
    uint64_t type = 0, length = 0;
    std::string_view value;
    r.Le(1, type);
    r.Packed(length);
    const size_t value_offset = r.offset();
    if (!r.Bytes(length, value)) return Err(Malformed(event, r.fail_offset(), "optional metadata"));
    ByteReader field(value, value_offset);
    if (!ReadOptionalField(static_cast<OptionalField>(type), field, map)) {
      return Err(Malformed(event, value_offset, "optional metadata field " + std::to_string(type)));
    }
  }
  return map;
}

}  // namespace sluice::mysql::binlog
