#pragma once
// ChildProcess: one run of a built binary for the crash test, with its output appended to a log
// file, that can be killed with SIGKILL (no cleanup, no graceful stop) and started again.

#include <sys/types.h>

#include <string>
#include <vector>

namespace osbx::crash {

class ChildProcess {
 public:
  // `argv[0]` is the binary's path; output of every run is appended to `log_path`.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  // Kills the process if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Forks and execs; false when the fork failed.
  [[nodiscard]] bool Start();
  // SIGKILL, then reaps it. No-op when not running.
  void Kill();
  // SIGTERM, then reaps it.
  void Terminate();
  // Whether the process is still alive (reaps it when it has exited).
  bool Alive();
  int starts() const { return starts_; }

 private:
  void SignalAndReap(int signal);

  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace osbx::crash
