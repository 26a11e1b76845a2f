#pragma once
// Test harness for the client integration tests: a real standalone API server started in-process
// on a temp data dir and a free loopback port, reached over HTTPS with the CA and token from the
// kubeconfig the server writes, exactly as a controller would reach it. Also the objects the
// tests write and a watch recorder that waits on conditions with deadlines.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/testing/temp_dir.h"

namespace osbx::integration {

// How long any wait for the server may take before the test fails (never a sleep: waits end as
// soon as their condition holds).
inline constexpr std::chrono::seconds kWaitLimit{30};

inline constexpr char kNamespace[] = "default";

const kube::ResourceRef& BatchSandboxes();
const kube::ResourceRef& Pools();
const kube::ResourceRef& Pods();

// A non-pooled BatchSandbox with `replicas` sandboxes from a one-container template.
Json BatchSandboxObject(const std::string& name, int replicas = 1);
// A Pool whose capacity bounds are valid (bufferMin <= bufferMax, poolMin <= poolMax).
Json PoolObject(const std::string& name);
// An unscheduled pod (no node runs it, so a DELETE removes it at once).
Json PodObject(const std::string& name);

// The name, resourceVersion and uid of an object ("" when absent).
std::string NameOf(const Json& object);
std::string ResourceVersionOf(const Json& object);
std::string UidOf(const Json& object);

// One standalone API server for one test. Stop() or destruction ends it and removes its data.
class StandaloneHarness {
 public:
  explicit StandaloneHarness(standalone::StandaloneOptions options = {});
  ~StandaloneHarness();
  StandaloneHarness(const StandaloneHarness&) = delete;
  StandaloneHarness& operator=(const StandaloneHarness&) = delete;

  // Opens the data dir and starts serving; the error says why the server did not come up.
  [[nodiscard]] Status Start();
  void Stop();

  standalone::StandaloneServer& server() { return *server_; }
  const std::filesystem::path& data_dir() const { return dir_.path(); }

  // The config a controller would use: the server's kubeconfig as the client loads it, with the
  // client-side limiter off unless `qps` > 0.
  [[nodiscard]] StatusOr<kube::RestConfig> ClientConfig(double qps = 0, int burst = 10) const;
  // A client over ClientConfig(); fails the calling test when it cannot be built.
  std::unique_ptr<kube::RestClient> NewClient(double qps = 0, int burst = 10,
                                              kube::RestClientOptions options = {}) const;

 private:
  kube::testing::TempDir dir_;
  standalone::StandaloneOptions options_;
  std::unique_ptr<standalone::StandaloneServer> server_;
};

// Records what a watch delivers and lets the test wait for a condition on it.
class WatchRecorder {
 public:
  kube::WatchCallbacks Callbacks();

  // Waits until `done(events)` holds (true) or kWaitLimit passes (false).
  bool WaitFor(const std::function<bool(const std::vector<kube::WatchEvent>&)>& done);
  // Waits until at least `n` events of types other than BOOKMARK arrived.
  bool WaitForObjectEvents(size_t n);
  // Waits until the stream ended; nullopt if it did not end within kWaitLimit.
  std::optional<Status> WaitClosed();

  std::vector<kube::WatchEvent> Events() const;
  // The events that are not BOOKMARKs.
  std::vector<kube::WatchEvent> ObjectEvents() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<kube::WatchEvent> events_;  // guarded by mu_
  std::optional<Status> closed_;          // guarded by mu_
};

// A test with its own started server and an unthrottled client of it.
class ClientStandaloneTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Creates BatchSandboxObject(name, replicas) in kNamespace.
  StatusOr<Json> CreateSandbox(const std::string& name, int replicas = 1);

  StandaloneHarness harness_;
  std::unique_ptr<kube::RestClient> client_;
};

}  // namespace osbx::integration
