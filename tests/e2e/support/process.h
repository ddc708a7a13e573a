// Running the sluice binary as a child process, the way a user or a scheduler does.
//
// The child's stdout and stderr go to files (never pipes): a chatty child can then never block
// on a full pipe while the parent waits, and the crash test can kill it at any instant.
// Everything here runs on the test's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sluice::e2e {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the program path
  std::string cwd;
  std::map<std::string, std::string> env;  // added to (or replacing) the parent's environment
  std::string stdout_path;                 // where the child's stdout goes ("" = /dev/null)
  std::string stderr_path;
};

struct ProcessResult {
  int exit_code = -1;  // when the child exited normally
  int signal = 0;      // when a signal ended it
  bool timed_out = false;
  std::string stdout_text;  // read back from the files after the child ended
  std::string stderr_text;
  std::string Describe() const;  // "exit 2", "killed by signal 9", "timed out"
};

// A started child. Wait() or Kill() it; the destructor kills and reaps one still running so a
// failing test leaves no stray process behind.
class Process {
 public:
  static Process Start(const ProcessSpec& spec);  // pid() < 0 when fork failed
  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  // Waits at most `timeout`; a child still running then is killed and reported as timed out.
  ProcessResult Wait(std::chrono::milliseconds timeout);
  // True while the child has not exited (reaps it if it has).
  bool Running();
  // SIGKILL, then reap: the "kill -9" of the crash test.
  ProcessResult Kill();
  // Sends `sig` (e.g. SIGTERM) and returns at once; Wait() for the outcome.
  void Signal(int sig);

 private:
  explicit Process(pid_t pid, ProcessSpec spec) : pid_(pid), spec_(std::move(spec)) {}
  ProcessResult Collect(int wait_status);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int reaped_status_ = 0;
  ProcessSpec spec_;
};

// Start + Wait.
ProcessResult RunProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout);

}  // namespace sluice::e2e
