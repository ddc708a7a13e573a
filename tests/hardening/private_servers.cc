#include "private_servers.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

namespace sluice::hardening {

std::string ScriptsDir() {
  // Ninja names sources relative to the build folder, which holds the sluice binary.
  std::filesystem::path source(__FILE__);
  if (source.is_relative()) source = std::filesystem::path(SLUICE_BINARY).parent_path() / source;
  return (source.parent_path().parent_path().parent_path() / "scripts").lexically_normal().string();
}

int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string PrivateServers::Start() {
  char pattern[] = "/tmp/sluice-private-XXXXXX";
  const char* dir = mkdtemp(pattern);
  if (dir == nullptr) return "mkdtemp failed";
  dir_ = dir;
  // PostgreSQL runs as `postgres` when the tests run as root: it must reach its folder.
  std::filesystem::permissions(dir_, std::filesystem::perms(0755));
  const std::string script = ScriptsDir() + "/test-servers.sh";
  int rc = 1;
  for (int attempt = 0; attempt < 3 && rc != 0; ++attempt) {
    if (attempt > 0) Shell(script + " stop " + dir_ + " >/dev/null 2>&1");
    rc = Shell(script + " start " + dir_ + " >" + dir_ + "/start.log 2>&1");
  }
  if (rc != 0) return "private servers did not start: " + ReadWholeFile(dir_ + "/start.log");
  std::map<std::string, std::string> vars;
  std::ifstream in(dir_ + "/env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const size_t eq = line.find('=');
    if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  servers_ = testing::TestServers{vars["SLUICE_TEST_MYSQL_URL"], vars["SLUICE_TEST_PG_URL"],
                                  std::atoi(vars["SLUICE_TEST_MYSQL_PORT"].c_str()),
                                  std::atoi(vars["SLUICE_TEST_PG_PORT"].c_str())};
  if (servers_.mysql_url.empty() || servers_.pg_url.empty()) {
    return "private servers started but " + dir_ + "/env names no URLs";
  }
  return "";
}

void PrivateServers::Stop() {
  ResumeAll();
  if (dir_.empty()) return;
  Shell(ScriptsDir() + "/test-servers.sh stop " + dir_ + " >/dev/null 2>&1");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
}

int PrivateServers::MariadbPid() const {
  return std::atoi(ReadWholeFile(dir_ + "/mariadb/pid").c_str());
}

PrivateServers* SuiteServers::servers_ = nullptr;
std::string SuiteServers::error_;

void SuiteServers::SetUp() {
  servers_ = new PrivateServers();
  error_ = servers_->Start();
}

void SuiteServers::TearDown() {
  delete servers_;  // stops them
  servers_ = nullptr;
  error_.clear();
}

bool PrivateServers::Pause(int pid) {
  if (pid <= 0 || kill(pid, SIGSTOP) != 0) return false;
  paused_.push_back(pid);
  return true;
}

void PrivateServers::ResumeAll() {
  for (int pid : paused_) kill(pid, SIGCONT);
  paused_.clear();
}

}  // namespace sluice::hardening
