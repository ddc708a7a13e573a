#include "support/workspace.h"

#include <glob.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::e2e {

namespace fs = std::filesystem;

std::expected<Workspace, std::string> Workspace::Create(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return std::unexpected("cannot create a temporary directory " + pattern);
  }
  return Workspace(pattern);
}

Workspace::Workspace(Workspace&& other) noexcept
    : root_(std::move(other.root_)), keep_(other.keep_) {
  other.root_.clear();
}

Workspace::~Workspace() {
  if (root_.empty() || keep_ || std::getenv("SLUICE_E2E_KEEP") != nullptr) return;
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::expected<void, std::string> WriteFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return std::unexpected("cannot write " + path);
  return {};
}

std::expected<std::string, std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read " + path + " (does it exist?)");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> Glob(const std::string& dir, const std::string& pattern) {
  std::string full = pattern.starts_with('/') ? pattern : dir + "/" + pattern;
  glob_t g{};
  std::vector<std::string> out;
  if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string relative = fs::relative(it->path(), dir).string();
    if (it->is_directory()) {
      files[relative + "/"] = "(directory)";  // creating an empty directory is a write too
      continue;
    }
    auto content = ReadFile(it->path().string());
    files[relative] = content.value_or("<unreadable>");
  }
  return files;
}

}  // namespace sluice::e2e
