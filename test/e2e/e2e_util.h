#pragma once
// Helpers of the end-to-end tests: start the real opensandbox-apiserver binary on a temporary
// data directory, run the real kubectl (and curl) against it, and clean up every process.
// When a test fails, or the server dies under it, the server's log is kept outside the temporary
// directory and its tail printed with how the process ended (CheckServerAfterTest).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace osbx::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `command` through /bin/sh, capturing stdout and stderr.
CommandResult RunShell(const std::string& command);

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The API server process of one test: by default the opensandbox-apiserver binary; `command`
// (binary name under <build>/bin, then its arguments) runs another binary that serves the API,
// e.g. {"opensandbox-controller", "standalone"}. "--data-dir DIR --port 0" is appended.
class ApiServerProcess {
 public:
  explicit ApiServerProcess(std::string data_dir, std::vector<std::string> command = {});
  // Kills the process (SIGKILL) if it still runs.
  ~ApiServerProcess();
  ApiServerProcess(const ApiServerProcess&) = delete;
  ApiServerProcess& operator=(const ApiServerProcess&) = delete;

  // Starts the binary with --port 0 and waits until it reports its URL. False on failure.
  bool Start();
  // SIGTERM and wait.
  void Stop();
  // SIGKILL and wait.
  void Kill();
  bool running() const { return pid_ > 0; }
  // Polls without blocking: false once the process has ended (its wait status is kept).
  [[nodiscard]] bool Alive();
  // How the last run ended: "running", "exited with status N" or "killed by signal N (NAME)".
  std::string ExitDescription() const;
  // The server's combined stdout/stderr of its latest start (inside the temporary directory).
  std::string log_path() const { return data_dir_ + ".log"; }
  // Copies the log to KeptLogDir()/<name>.log and returns a report: how the process ended,
  // where the log was kept and its last `tail_lines` lines.
  std::string KeepLog(const std::string& name, int tail_lines = 60) const;
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string kubeconfig() const { return data_dir_ + "/kubeconfig"; }

  // Runs kubectl with this server's kubeconfig and a private cache directory.
  CommandResult Kubectl(const std::string& args) const;
  // The kubectl command prefix (for shell scripts run in the background).
  std::string KubectlPrefix() const;
  // curl of `path` (with query) with the bearer token and the server's CA; `extra` adds options.
  CommandResult Curl(const std::string& path, const std::string& extra = "") const;

 private:
  std::string data_dir_;
  std::vector<std::string> command_;
  void Reap(int wait_status);

  pid_t pid_ = -1;
  int port_ = 0;
  bool ended_ = false;   // the last run has been reaped
  int wait_status_ = 0;  // its waitpid status, valid when ended_
};

// Where failed tests' server logs are kept: $OSBX_E2E_LOG_DIR, else <build>/e2e-logs when
// OSBX_BUILD_DIR is set, else /tmp/osbx-e2e-logs.
std::string KeptLogDir();

// For a fixture's TearDown: a server that died under the test fails it; after any failure the
// server's log is kept and reported (named after the running test).
void CheckServerAfterTest(ApiServerProcess& server);

// The path of a binary built next to the tests (<build>/bin/<name>).
std::string BuiltBinary(const std::string& name);

}  // namespace osbx::e2e
