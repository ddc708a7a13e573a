// Options: the settings of one component (a source, a target), as written in the job file.
//
// Every component declares its keys once as OptionSpecs (name, kind, default, help). The job
// parser checks a section against those specs (unknown keys, missing keys, wrong kinds, each
// reported with file, line and column) and hands the component an Options holding only valid
// keys. The same specs print `sluice connectors --help`-style documentation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

// Where a value was written: "job.yaml:12:5". Empty for values set in code or on the CLI.
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string ToString() const;
};

enum class OptionKind {
  kString,
  kInt,
  kBool,
  kStringList,  // a YAML sequence of scalars, or a single scalar taken as a one-element list
  kStringMap,   // a YAML mapping of scalars (e.g. rename: {a: b})
  kObject,      // a nested mapping with its own specs (e.g. incremental: {column: x})
};

struct OptionSpec {
  std::string name;
  OptionKind kind = OptionKind::kString;
  bool required = false;
  std::string default_value;  // text form; empty = no default
  std::string description;
  std::vector<OptionSpec> children;  // for kObject
  // kObject: a single value written instead of the mapping sets this child ("checkpoint: 1s"
  // is "checkpoint: {interval: 1s}"); empty = a mapping is required.
  std::string scalar_child;
  // With `required`: not required when this other key of the section is given (mysql's `url`
  // unless `binlog_files`). Empty: always required.
  std::string required_unless;
};

// A value after parameter substitution (${bizdate} and friends are already replaced).
struct OptionValue {
  OptionKind kind = OptionKind::kString;
  std::string scalar;                                    // kString, kInt, kBool
  std::vector<std::string> list;                         // kStringList
  std::vector<std::pair<std::string, std::string>> map;  // kStringMap, in file order
  std::map<std::string, OptionValue> object;             // kObject
  SourceLocation location;
};

class Options {
 public:
  Options() = default;
  explicit Options(std::map<std::string, OptionValue> values, SourceLocation section = {})
      : values_(std::move(values)), section_(std::move(section)) {}

  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  const OptionValue* Find(const std::string& key) const;

  // Typed getters. A missing key returns `fallback`; a value of the wrong form returns an
  // InvalidArgument error naming the key and where it was written.
  std::string GetString(const std::string& key, const std::string& fallback = "") const;
  Result<int64_t> GetInt(const std::string& key, int64_t fallback) const;
  Result<bool> GetBool(const std::string& key, bool fallback) const;
  std::vector<std::string> GetList(const std::string& key) const;
  std::vector<std::pair<std::string, std::string>> GetMap(const std::string& key) const;
  // A nested object as Options of its own (empty if absent).
  Options GetObject(const std::string& key) const;

  // An error that points at `key` in the job file: "job.yaml:7:10: source.table: <message>".
  Status ErrorAt(const std::string& key, const std::string& message) const;

  void Set(const std::string& key, OptionValue value) { values_[key] = std::move(value); }
  void SetString(const std::string& key, std::string value);
  void Erase(const std::string& key) { values_.erase(key); }
  const std::map<std::string, OptionValue>& values() const { return values_; }
  const SourceLocation& section() const { return section_; }
  // Dotted path of this section for messages ("source", "target", "source.incremental").
  std::string path;

 private:
  std::map<std::string, OptionValue> values_;
  SourceLocation section_;
};

}  // namespace sluice
