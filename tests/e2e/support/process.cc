#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace sluice::e2e {
namespace {

std::string ReadWhole(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int OpenOutput(const std::string& path) {
  const char* target = path.empty() ? "/dev/null" : path.c_str();
  return ::open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

// The parent's environment with `overrides` applied, as "NAME=value" strings.
std::vector<std::string> BuildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (overrides.count(name) == 0) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ProcessResult::Describe() const {
  if (timed_out) return "timed out (killed)";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

Process Process::Start(const ProcessSpec& spec) {
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed.
  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = BuildEnvironment(spec.env);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  int out_fd = OpenOutput(spec.stdout_path);
  int err_fd = OpenOutput(spec.stderr_path);
  int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  pid_t pid = ::fork();
  if (pid == 0) {
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(127);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(in_fd);
  return Process(pid, spec);
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_),
      reaped_(other.reaped_),
      reaped_status_(other.reaped_status_),
      spec_(std::move(other.spec_)) {
  other.pid_ = -1;
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) (void)Kill();
}

bool Process::Running() {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    reaped_status_ = status;
    return false;
  }
  return r == 0;
}

ProcessResult Process::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(200);
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ProcessResult r = Kill();
      r.timed_out = true;
      return r;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  return Collect(reaped_status_);
}

ProcessResult Process::Kill() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    reaped_status_ = status;
  }
  return Collect(reaped_status_);
}

void Process::Signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

ProcessResult Process::Collect(int wait_status) {
  ProcessResult r;
  if (pid_ < 0) {
    r.stderr_text = std::string("fork failed: ") + std::strerror(errno);
    return r;
  }
  if (WIFEXITED(wait_status)) r.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) r.signal = WTERMSIG(wait_status);
  r.stdout_text = ReadWhole(spec_.stdout_path);
  r.stderr_text = ReadWhole(spec_.stderr_path);
  return r;
}

ProcessResult RunProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  Process p = Process::Start(spec);
  return p.Wait(timeout);
}

}  // namespace sluice::e2e
