#include "connectors/jsonl/json_schema_inference.h"

#include <nlohmann/json.hpp>

namespace sluice {

using json = nlohmann::json;

// Records the kind of each top-level value; nested containers only count as kNested.
class InferenceSax {
 public:
  explicit InferenceSax(JsonSchemaInference& inference) : inf_(inference) {}

  bool null() { return Mark(JsonSchemaInference::kNull); }
  bool boolean(bool) { return Mark(JsonSchemaInference::kBool); }
  bool number_integer(json::number_integer_t v) {
    return Mark(v < 0 ? JsonSchemaInference::kNegativeInt : JsonSchemaInference::kInt);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Mark(v > static_cast<uint64_t>(INT64_MAX) ? JsonSchemaInference::kBigUInt
                                                     : JsonSchemaInference::kInt);
  }
  bool number_float(json::number_float_t, const std::string& text) {
    const bool integral = text.find_first_of(".eE") == std::string::npos;
    return Mark(integral ? JsonSchemaInference::kHugeInt : JsonSchemaInference::kFloat);
  }
  bool string(std::string&) { return Mark(JsonSchemaInference::kString); }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) { return Open(true); }
  bool start_array(std::size_t) { return Open(false); }
  bool end_object() { return --depth_ >= 0; }
  bool end_array() { return --depth_ >= 0; }
  bool key(std::string& k) {
    if (depth_ != 1) return true;
    auto [it, inserted] = inf_.index_.emplace(k, inf_.keys_.size());
    if (inserted) inf_.keys_.emplace_back(k, 0);
    current_ = it->second;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception&) { return false; }

 private:
  bool Mark(uint32_t bit) {
    if (depth_ == 0) return false;  // not an object: ignore the line
    if (depth_ == 1) inf_.keys_[current_].second |= bit;
    return true;
  }
  bool Open(bool object) {
    if (depth_ == 0 && !object) return false;
    if (depth_ == 1) inf_.keys_[current_].second |= JsonSchemaInference::kNested;
    ++depth_;
    return true;
  }

  JsonSchemaInference& inf_;
  int depth_ = 0;
  size_t current_ = 0;
};

void JsonSchemaInference::Add(std::string_view line) {
  // Kinds recorded before a syntax error stay: the line's earlier values are still evidence.
  InferenceSax sax(*this);
  try {
    (void)json::sax_parse(line.data(), line.data() + line.size(), &sax);
  } catch (const std::exception&) {
    // A sample line that is not JSON teaches nothing; reading will reject it with the reason.
  }
}

namespace {

DataType Resolve(uint32_t seen) {
  using S = JsonSchemaInference;
  const uint32_t values = seen & ~static_cast<uint32_t>(S::kNull);
  constexpr uint32_t kNumbers = S::kNegativeInt | S::kInt | S::kBigUInt | S::kFloat | S::kHugeInt;
  if (values == 0 || values == S::kString) return DataType::Of(TypeId::kString);
  if (values == S::kNested) return DataType::Of(TypeId::kJson);
  if (values == S::kBool) return DataType::Of(TypeId::kBool);
  if ((values & ~kNumbers) != 0) return DataType::Of(TypeId::kString);
  if (values & S::kHugeInt) return DataType::Decimal(0, 0);
  if (values & S::kFloat) return DataType::Of(TypeId::kFloat64);
  if ((values & S::kBigUInt) && (values & S::kNegativeInt)) return DataType::Decimal(0, 0);
  if (values & S::kBigUInt) return DataType::Of(TypeId::kUInt64);
  return DataType::Of(TypeId::kInt64);
}

}  // namespace

Schema JsonSchemaInference::Result() const {
  Schema schema;
  for (const auto& [name, seen] : keys_) schema.fields.push_back(Field{name, Resolve(seen), true});
  return schema;
}

}  // namespace sluice
