// FilePosition: where a binlog-files stream stands: the end of the last transaction it
// returned whole, as `<file>:<offset>` (the file as the job names it in `binlog_files`, the
// byte offset of the next event to read in it). Stored as that text in the target's
// _sluice_positions (stream "binlog_files"), parsed once against the job's file list, and
// ordered by (the file's place in that list, offset): never as strings, and not by the file
// name's number (archived files may be named anything).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::mysql::binlog_files {

struct FilePosition {
  size_t index = 0;  // in the job's binlog_files
  uint64_t offset = 0;

  // `<file>:<offset>`, the file as `files` names it.
  std::string ToString(const std::vector<std::string>& files) const;
  // `text` names one of `files` (as written there, or by its last path component when exactly
  // one file has it: an archive moved to another folder still resumes). Errors say why.
  static Result<FilePosition> Parse(std::string_view text, const std::vector<std::string>& files);

  std::strong_ordering operator<=>(const FilePosition& other) const = default;
  bool operator==(const FilePosition& other) const = default;
};

}  // namespace sluice::mysql::binlog_files
