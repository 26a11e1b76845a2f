// Drives the real opensandbox-controller binary as an operator would: against an API server that
// serves Leases (an in-test HTTP server with the API server's compare-and-swap semantics), it
// must take the lease when asked, serve /healthz, /readyz and /metrics, and on SIGTERM stop
// cleanly, release the lease and exit 0.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "internal/utils/json.h"
#include "pkg/http/server.h"

namespace osbx {
namespace {

constexpr int kWaitMs = 20'000;

// Leases under /apis/coordination.k8s.io/v1/namespaces/<ns>/leases[/<name>]. Any other GET is a
// list of nothing (the controllers' informers sync on it) or a watch that ends at once (their
// reflectors re-watch with backoff); other verbs elsewhere get 404.
class FakeLeaseServer {
 public:
  FakeLeaseServer()
      : server_({}, [this](const http::Request& r, http::ResponseWriter& w) { Serve(r, w); }) {}
  Status Start() { return server_.Start(); }
  std::string url() const { return server_.url(); }

  // Waits (bounded) until the stored lease's holder satisfies `pred`.
  bool WaitForHolder(const std::function<bool(const std::string&)>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] {
      auto it = leases_.find(kKey);
      return it != leases_.end() && pred(it->second["spec"].value("holderIdentity", ""));
    });
  }
  Json Lease() {
    std::lock_guard lock(mu_);
    return leases_.at(kKey);
  }

 private:
  static constexpr const char* kPrefix = "/apis/coordination.k8s.io/v1/namespaces/ns/leases";
  static constexpr const char* kKey = "lock";

  void Serve(const http::Request& r, http::ResponseWriter& w) {
    std::lock_guard lock(mu_);
    std::string path = r.path;
    if (path.rfind(kPrefix, 0) != 0) {
      if (r.method != "GET") return Reply(w, 404, StatusBody(404, "NotFound", path));
      if (r.raw_query.find("watch=true") != std::string::npos) {
        http::SendText(w, 200, "application/json", "");
        return;
      }
      return Reply(w, 200,
                   {{"kind", "List"},
                    {"apiVersion", "v1"},
                    {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
                    {"items", Json::array()}});
    }
    std::string name = path.size() > strlen(kPrefix) ? path.substr(strlen(kPrefix) + 1) : "";
    auto it = leases_.find(name);
    if (r.method == "GET") {
      if (it == leases_.end()) return Reply(w, 404, StatusBody(404, "NotFound", name));
      return Reply(w, 200, it->second);
    }
    Json body = Json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return Reply(w, 400, StatusBody(400, "BadRequest", "bad json"));
    std::string body_name = body["metadata"].value("name", "");
    if (r.method == "POST") {
      if (leases_.contains(body_name)) return Reply(w, 409, StatusBody(409, "AlreadyExists", "x"));
      return Store(w, 201, body_name, body);
    }
    if (r.method == "PUT") {
      if (it == leases_.end()) return Reply(w, 404, StatusBody(404, "NotFound", name));
      if (body["metadata"].value("resourceVersion", "") !=
          it->second["metadata"].value("resourceVersion", "")) {
        return Reply(w, 409, StatusBody(409, "Conflict", "the object has been modified"));
      }
      return Store(w, 200, name, body);
    }
    Reply(w, 405, StatusBody(405, "MethodNotAllowed", r.method));
  }
  void Store(http::ResponseWriter& w, int code, const std::string& name, Json body) {
    body["metadata"]["resourceVersion"] = std::to_string(++rv_);
    leases_[name] = body;
    cv_.notify_all();
    Reply(w, code, body);
  }
  static Json StatusBody(int code, const char* reason, const std::string& message) {
    return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
            {"code", code},     {"reason", reason},   {"message", message}};
  }
  static void Reply(http::ResponseWriter& w, int code, const Json& body) {
    http::SendText(w, code, "application/json", body.dump());
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Json> leases_;  // guarded by mu_
  int rv_ = 1000;                       // guarded by mu_
  http::Server server_;
};

// The controller process, its stderr read line by line.
class ControllerProcess {
 public:
  bool Start(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    std::string binary =
        std::string(std::getenv("OSBX_BUILD_DIR") ? std::getenv("OSBX_BUILD_DIR") : "build") +
        "/bin/opensandbox-controller";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDERR_FILENO);
      std::vector<char*> argv{binary.data()};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    stderr_fd_ = fds[0];
    return pid_ > 0;
  }
  ~ControllerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stderr_fd_ >= 0) close(stderr_fd_);
  }
  // Reads log records until one has msg == `msg` and the given field value; returns it.
  std::optional<Json> WaitForLog(const std::string& msg, const std::string& key,
                                 const std::string& value) {
    while (auto line = ReadLine()) {
      Json record = Json::parse(*line, nullptr, false);
      if (!record.is_object()) continue;
      if (record.value("msg", "") == msg && record.value(key, "") == value) return record;
    }
    return std::nullopt;
  }
  // Sends `sig` and waits (bounded) for the exit; returns the exit code, or -1.
  int SignalAndWait(int sig) {
    kill(pid_, sig);
    while (ReadLine()) {
    }
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() const { return log_; }

 private:
  // The next stderr line; nullopt at EOF or after kWaitMs without output.
  std::optional<std::string> ReadLine() {
    while (true) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        log_ += line + "\n";
        return line;
      }
      pollfd pfd{stderr_fd_, POLLIN, 0};
      if (poll(&pfd, 1, kWaitMs) <= 0) return std::nullopt;
      char chunk[4096];
      ssize_t n = read(stderr_fd_, chunk, sizeof(chunk));
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  bool exited_ = false;
  std::string buffer_;
  std::string log_;
};

struct HttpAnswer {
  long code = 0;
  std::string body;
};

HttpAnswer Get(const std::string& url) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.code);
  }
  curl_easy_cleanup(curl);
  return answer;
}

std::filesystem::path WriteKubeconfig(const std::string& server) {
  auto dir =
      std::filesystem::temp_directory_path() / ("osbx-controller-e2e-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "kubeconfig";
  std::ofstream(path) << "apiVersion: v1\nkind: Config\n"
                      << "clusters:\n- name: c\n  cluster:\n    server: " << server << "\n"
                      << "users:\n- name: u\n  user:\n    token: t\n"
                      << "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
                      << "    namespace: ns\n"
                      << "current-context: x\n";
  return path;
}

TEST(ControllerBinaryTest, TakesTheLeaseServesProbesAndStopsCleanlyOnSigterm) {
  FakeLeaseServer api;
  ASSERT_TRUE(api.Start().ok());
  auto kubeconfig = WriteKubeconfig(api.url());
  ControllerProcess controller;
  ASSERT_TRUE(controller.Start({"--kubeconfig=" + kubeconfig.string(), "--leader-elect",
                                "--leader-election-id=lock", "--metrics-bind-address=127.0.0.1:0",
                                "--health-probe-bind-address=127.0.0.1:0", "--log-format=json",
                                "--graceful-shutdown-timeout=10s"}));
  auto metrics = controller.WaitForLog("serving", "server", "metrics");
  ASSERT_TRUE(metrics) << controller.log();
  auto health = controller.WaitForLog("serving", "server", "health probe");
  ASSERT_TRUE(health) << controller.log();
  std::string metrics_url = (*metrics)["address"];
  std::string health_url = (*health)["address"];

  // The lease namespace comes from the kubeconfig context ("ns").
  ASSERT_TRUE(api.WaitForHolder([](const std::string& h) { return !h.empty(); }))
      << controller.log();
  Json lease = api.Lease();
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(std::string(lease["spec"]["renewTime"]).size(),
            std::string("2026-11-29T18:04:28.123456Z").size());

  EXPECT_EQ(Get(health_url + "/healthz").code, 200);
  EXPECT_EQ(Get(health_url + "/readyz").code, 200);
  ASSERT_TRUE(controller.WaitForLog("leader-only runnables started", "leader election", "won"));
  auto scrape = Get(metrics_url + "/metrics");
  EXPECT_EQ(scrape.code, 200);
  EXPECT_NE(scrape.body.find("leader_election_master_status{name=\"lock\"} 1"), std::string::npos)
      << scrape.body;
  // The lease was looked up (404) and created (201) through the REST client.
  EXPECT_NE(scrape.body.find("rest_client_requests_total{code=\"404\""), std::string::npos)
      << scrape.body;
  EXPECT_NE(scrape.body.find("rest_client_requests_total{code=\"201\""), std::string::npos)
      << scrape.body;

  EXPECT_EQ(controller.SignalAndWait(SIGTERM), 0) << controller.log();
  EXPECT_EQ(api.Lease()["spec"]["holderIdentity"], "");  // released for the next instance
  std::filesystem::remove_all(kubeconfig.parent_path());
}

TEST(ControllerBinaryTest, BadFlagsFailFastWithAClearMessage) {
  ControllerProcess controller;
  ASSERT_TRUE(controller.Start({"--concurrency=pool=zero", "--kubeconfig=/nonexistent"}));
  EXPECT_EQ(controller.SignalAndWait(0), 1);
  EXPECT_NE(controller.log().find("pool=zero"), std::string::npos) << controller.log();
}

}  // namespace
}  // namespace osbx
