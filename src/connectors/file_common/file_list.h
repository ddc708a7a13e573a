// Expanding a source `path` option into the files to read.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

// `path` is one file, a directory (its regular files, not recursive, sorted by name, hidden
// files and sluice temp files skipped) or a glob pattern such as "in/*.csv" (sorted). Matching
// nothing is a NotFound error: a job reading zero files is far more often a typo than intent.
Result<std::vector<std::string>> ListInputFiles(const std::string& path);

// Whether `name` is a temp file a file sink is writing ("x.csv.sluice-tmp-<run>").
bool IsSluiceTempFile(const std::string& name);

}  // namespace sluice
