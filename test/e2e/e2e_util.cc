#include "test/e2e/e2e_util.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace osbx::e2e {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The last `count` lines of the file at `path`.
std::string Tail(const std::string& path, int count) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (static_cast<int>(lines.size()) > count) lines.pop_front();
  }
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace

CommandResult RunShell(const std::string& command) {
  char out_path[] = "/tmp/osbx-e2e-out-XXXXXX";
  char err_path[] = "/tmp/osbx-e2e-err-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  close(out_fd);
  close(err_fd);
  std::string full = "(" + command + ") >" + out_path + " 2>" + err_path + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadAll(out_path);
  result.err = ReadAll(err_path);
  unlink(out_path);
  unlink(err_path);
  return result;
}

TempDir::TempDir() {
  char pattern[] = "/tmp/osbx-e2e-XXXXXX";
  path_ = mkdtemp(pattern);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string BuiltBinary(const std::string& name) {
  if (const char* build = std::getenv("OSBX_BUILD_DIR")) {
    return std::string(build) + "/bin/" + name;
  }
  fs::path self = fs::read_symlink("/proc/self/exe");
  return (self.parent_path().parent_path() / "bin" / name).string();
}

ApiServerProcess::ApiServerProcess(std::string data_dir, std::vector<std::string> command)
    : data_dir_(std::move(data_dir)), command_(std::move(command)) {}

ApiServerProcess::~ApiServerProcess() {
  if (pid_ > 0) Kill();
}

bool ApiServerProcess::Start() {
  std::string log = data_dir_ + ".log";
  std::vector<std::string> args = command_;
  if (args.empty()) args = {"opensandbox-apiserver", "--bookmark-interval-ms", "1000"};
  std::string binary = BuiltBinary(args[0]);
  args[0] = binary;
  for (const char* extra : {"--data-dir", data_dir_.c_str(), "--port", "0"}) args.push_back(extra);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  unlink(log.c_str());  // a restart must not read the previous run's address
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stdout);
    (void)f;
    dup2(STDOUT_FILENO, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  pid_ = pid;
  ended_ = false;
  // Wait (bounded) for the "listening on https://127.0.0.1:PORT" line.
  for (int i = 0; i < 200; ++i) {
    std::string text = ReadAll(log);
    size_t at = text.find("https://127.0.0.1:");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      port_ = std::atoi(text.c_str() + at + 18);
      return true;
    }
    if (!Alive()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void ApiServerProcess::Reap(int wait_status) {
  pid_ = -1;
  ended_ = true;
  wait_status_ = wait_status;
}

bool ApiServerProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  Reap(status);
  return false;
}

void ApiServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  Reap(status);
}

void ApiServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  Reap(status);
}

std::string ApiServerProcess::ExitDescription() const {
  if (pid_ > 0) return "running";
  if (!ended_) return "not started";
  if (WIFEXITED(wait_status_))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_)) {
    const int sig = WTERMSIG(wait_status_);
    std::string out = "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
    if (WCOREDUMP(wait_status_)) out += ", core dumped";
    return out;
  }
  return "ended with wait status " + std::to_string(wait_status_);
}

std::string ApiServerProcess::KeepLog(const std::string& name, int tail_lines) const {
  std::error_code ec;
  const fs::path dir = KeptLogDir();
  fs::create_directories(dir, ec);
  const fs::path kept = dir / (name + ".log");
  fs::copy_file(log_path(), kept, fs::copy_options::overwrite_existing, ec);
  std::string where =
      ec ? "the log could not be kept (" + ec.message() + ")" : "log kept at " + kept.string();
  return "server " + (command_.empty() ? std::string("opensandbox-apiserver") : command_[0]) + " " +
         ExitDescription() + "; " + where + "; last " + std::to_string(tail_lines) + " lines:\n" +
         Tail(log_path(), tail_lines);
}

std::string KeptLogDir() {
  if (const char* dir = std::getenv("OSBX_E2E_LOG_DIR")) return dir;
  if (const char* build = std::getenv("OSBX_BUILD_DIR")) return std::string(build) + "/e2e-logs";
  return "/tmp/osbx-e2e-logs";
}

void CheckServerAfterTest(ApiServerProcess& server) {
  const bool died = server.running() && !server.Alive();
  if (died) ADD_FAILURE() << "the server process ended during the test";
  if (!::testing::Test::HasFailure()) return;
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name =
      test == nullptr ? "unknown" : std::string(test->test_suite_name()) + "." + test->name();
  name += "-" + std::to_string(getpid());
  std::cerr << server.KeepLog(name) << std::flush;
}

std::string ApiServerProcess::KubectlPrefix() const {
  return "kubectl --kubeconfig " + ShellQuote(kubeconfig()) + " --cache-dir " +
         ShellQuote(data_dir_ + "-kubecache");
}

CommandResult ApiServerProcess::Kubectl(const std::string& args) const {
  return RunShell(KubectlPrefix() + " " + args);
}

CommandResult ApiServerProcess::Curl(const std::string& path, const std::string& extra) const {
  std::string token = ReadAll(data_dir_ + "/token");
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  return RunShell("curl -sS --max-time 20 --cacert " + ShellQuote(data_dir_ + "/ca.crt") + " -H " +
                  ShellQuote("Authorization: Bearer " + token) + " " + extra + " " +
                  ShellQuote("https://127.0.0.1:" + std::to_string(port_) + path));
}

}  // namespace osbx::e2e
