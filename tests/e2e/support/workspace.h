// A scratch directory for one test, and the file operations the tests need in it.
//
// Created under $TMPDIR (or /tmp); removed by the destructor unless Keep() was called (a
// failed test keeps its directory so it can be looked at) or SLUICE_E2E_KEEP is set.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::e2e {

class Workspace {
 public:
  // `prefix` names the directory, e.g. "sluice-e2e-csv_quoting-".
  static std::expected<Workspace, std::string> Create(const std::string& prefix);
  Workspace(Workspace&& other) noexcept;
  Workspace& operator=(Workspace&&) = delete;
  Workspace(const Workspace&) = delete;
  ~Workspace();

  const std::string& root() const { return root_; }
  std::string Path(const std::string& relative) const { return root_ + "/" + relative; }
  void Keep() { keep_ = true; }

 private:
  explicit Workspace(std::string root) : root_(std::move(root)) {}
  std::string root_;
  bool keep_ = false;
};

// Writes `content` to `path`, creating parent directories.
std::expected<void, std::string> WriteFile(const std::string& path, const std::string& content);
// The whole file, or an error if it cannot be read.
std::expected<std::string, std::string> ReadFile(const std::string& path);
// Paths matching a glob pattern (glob(3) syntax), relative patterns taken under `dir`.
std::vector<std::string> Glob(const std::string& dir, const std::string& pattern);
// The lines of `text`, without their '\n'; a final newline does not add an empty line.
std::vector<std::string> SplitLines(std::string_view text);
// Every file (relative path -> content) and directory under `dir`: to prove a command wrote
// nothing.
std::map<std::string, std::string> Snapshot(const std::string& dir);

}  // namespace sluice::e2e
