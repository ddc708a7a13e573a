// JsonSchemaInference: column names and types from sample JSON-lines records, for sources
// given no `schema`. Columns come in the order keys first appear. Types, per key:
//   only integers                      -> int64 (uint64 if one exceeds INT64_MAX; decimal if
//                                          values need both signs and more than 64 bits)
//   integers too large for uint64      -> decimal (unconstrained: no digit is lost)
//   any fraction or exponent           -> float64
//   only true/false                    -> bool
//   only objects/arrays                -> json
//   only strings, a mix, or only null  -> string
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/schema.h"

namespace sluice {

class JsonSchemaInference {
 public:
  // Adds one line; lines that are not JSON objects are ignored (reading rejects them later).
  void Add(std::string_view line);
  // The columns seen so far; empty when no line had a key.
  Schema Result() const;

  // Kinds of values seen for a key, as bits.
  enum Seen : uint32_t {
    kNull = 1,
    kBool = 2,
    kNegativeInt = 4,
    kInt = 8,       // 0..INT64_MAX
    kBigUInt = 16,  // INT64_MAX+1..UINT64_MAX
    kFloat = 32,
    kHugeInt = 64,  // an integer literal beyond uint64 (nlohmann hands it over as a float)
    kString = 128,
    kNested = 256,
  };

 private:
  std::vector<std::pair<std::string, uint32_t>> keys_;
  std::unordered_map<std::string, size_t> index_;
  friend class InferenceSax;
};

}  // namespace sluice
