#include "connectors/mysql/binlog_files/file_position.h"

#include <charconv>
#include <filesystem>

#include <fmt/format.h>

namespace sluice::mysql::binlog_files {

std::string FilePosition::ToString(const std::vector<std::string>& files) const {
  return (index < files.size() ? files[index] : std::string("?")) + ":" + std::to_string(offset);
}

Result<FilePosition> FilePosition::Parse(std::string_view text,
                                         const std::vector<std::string>& files) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Err(Status::Invalid("binlog files position '{}' is not <file>:<offset>", text));
  }
  const std::string_view file = text.substr(0, colon);
  const std::string_view digits = text.substr(colon + 1);
  FilePosition p;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p.offset);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Err(
        Status::Invalid("binlog files position '{}': offset '{}' is not a number", text, digits));
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] == file) {
      p.index = i;
      return p;
    }
  }
  const std::string base = std::filesystem::path(std::string(file)).filename().string();
  size_t found = files.size();
  for (size_t i = 0; i < files.size(); ++i) {
    if (std::filesystem::path(files[i]).filename().string() != base) continue;
    if (found != files.size()) {
      return Err(Status::Invalid(
          "the committed position {} names file {}, which binlog_files holds twice ({} and "
          "{}): name the files so that each is found once",
          text, base, files[found], files[i]));
    }
    found = i;
  }
  if (found == files.size()) {
    return Err(Status::Invalid(
        "the committed position {} is in file {}, which binlog_files no longer lists: list it "
        "(and the files after it) again, or reset the job's state to read the files afresh",
        text, file));
  }
  p.index = found;
  return p;
}

}  // namespace sluice::mysql::binlog_files
