#include "connectors/file_common/file_list.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>

namespace sluice {

namespace fs = std::filesystem;

bool IsSluiceTempFile(const std::string& name) {
  return name.find(".sluice-tmp-") != std::string::npos;
}

namespace {

bool IsGlob(const std::string& path) {
  return path.find_first_of("*?[") != std::string::npos;
}

Result<std::vector<std::string>> ExpandGlob(const std::string& pattern) {
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> files;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::error_code ec;
      const std::string p = g.gl_pathv[i];
      if (fs::is_regular_file(p, ec) && !IsSluiceTempFile(p)) files.push_back(p);
    }
  }
  ::globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) {
    return Err(Status::IoError("cannot expand the pattern '{}'", pattern));
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") || IsSluiceTempFile(name)) continue;
    std::error_code type_ec;
    if (entry.is_regular_file(type_ec)) files.push_back(entry.path().string());
  }
  if (ec) return Err(Status::IoError("cannot list the directory '{}': {}", dir, ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<std::vector<std::string>> ListInputFiles(const std::string& path) {
  if (path.empty()) return Err(Status::Invalid("no input path given"));
  std::vector<std::string> files;
  std::error_code ec;
  if (IsGlob(path) && !fs::exists(path, ec)) {
    SLUICE_ASSIGN_OR_RETURN(files, ExpandGlob(path));
  } else if (fs::is_directory(path, ec)) {
    SLUICE_ASSIGN_OR_RETURN(files, ListDirectory(path));
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
  } else {
    return Err(Status::NotFound("input path '{}' does not exist", path));
  }
  if (files.empty()) return Err(Status::NotFound("no input files match '{}'", path));
  return files;
}

}  // namespace sluice
