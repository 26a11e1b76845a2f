#pragma once
// Helpers of the end-to-end tests: start the real opensandbox-apiserver binary on a temporary
// data directory, run the real kubectl (and curl) against it, and clean up every process.

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
  pid_t pid_ = -1;
  int port_ = 0;
};

// The path of a binary built next to the tests (<build>/bin/<name>).
std::string BuiltBinary(const std::string& name);

}  // namespace osbx::e2e
