// ParseContext: what every part of the job-file parser shares while turning YAML into a
// JobSpec: the file name for locations, the parameters for substitution, and which paths
// were set with --set (their values have no place in the file).
//
// One per LoadJobFile call, on the calling thread; it borrows the ParameterResolver.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/parameters.h"
#include "core/options.h"
#include "core/status.h"

namespace sluice {

// Where values given with --set are reported, e.g. "--set: settings.parallelism: ...".
inline constexpr std::string_view kSetOrigin = "--set";

// "source" + "table" -> "source.table"; "" + "name" -> "name".
std::string JoinPath(std::string_view path, std::string_view key);
// "a single value", "a list", "a mapping" or "nothing", for "expected X, got Y" messages.
std::string DescribeNode(const YAML::Node& node);

class ParseContext {
 public:
  // One key/value pair of a mapping, with where each half was written.
  struct Entry {
    std::string key;
    YAML::Node value;
    SourceLocation key_location;
    SourceLocation value_location;  // the key's location when the value is empty
  };

  ParseContext(std::string file, const ParameterResolver& parameters,
               std::set<std::string> overridden, std::set<std::string> raw)
      : file_(std::move(file)),
        parameters_(parameters),
        overridden_(std::move(overridden)),
        raw_(std::move(raw)) {}

  const std::string& file() const { return file_; }
  const ParameterResolver& parameters() const { return parameters_; }

  // The 1-based location of `node`; nodes created by --set have none in the file.
  SourceLocation Where(const YAML::Node& node) const;
  // The pairs of a mapping in file order. Keys must be plain, unique scalars: yaml-cpp keeps
  // duplicates silently, and a second `table:` overriding the first is always a mistake.
  Result<std::vector<Entry>> Entries(const YAML::Node& map, const std::string& path) const;
  // The text of a scalar value with parameters substituted (except for `raw` paths, such as
  // settings.time_zone, which is read before parameters exist). `where`/`path` are for errors.
  Result<std::string> Text(const YAML::Node& scalar, const std::string& path,
                           const SourceLocation& where) const;
  // "file:line:col: path: message", leaving out the parts that are empty.
  Status Error(const SourceLocation& where, std::string_view path, std::string_view message) const;

 private:
  std::string file_;
  const ParameterResolver& parameters_;
  std::set<std::string> overridden_;  // dotted paths set with --set
  std::set<std::string> raw_;         // dotted paths whose values are not substituted
};

}  // namespace sluice
