#include "test/integration/standalone_harness.h"

#include <gtest/gtest.h>

#include "pkg/kube/client/kubeconfig.h"

namespace osbx::integration {

const kube::ResourceRef& BatchSandboxes() {
  static const kube::ResourceRef ref{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                     "BatchSandbox", true};
  return ref;
}

const kube::ResourceRef& Pools() {
  static const kube::ResourceRef ref{"sandbox.opensandbox.io", "v1alpha1", "pools", "Pool", true};
  return ref;
}

const kube::ResourceRef& Pods() {
  static const kube::ResourceRef ref{"", "v1", "pods", "Pod", true};
  return ref;
}

namespace {

Json PodTemplate() {
  return {{"spec", {{"containers", {{{"name", "sandbox"}, {"image", "busybox:1.36"}}}}}}};
}

std::string MetaString(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata")) return {};
  const Json& meta = object["metadata"];
  if (!meta.is_object() || !meta.contains(key) || !meta[key].is_string()) return {};
  return meta[key].get<std::string>();
}

}  // namespace

Json BatchSandboxObject(const std::string& name, int replicas) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "BatchSandbox"},
          {"metadata", {{"name", name}, {"namespace", kNamespace}}},
          {"spec", {{"replicas", replicas}, {"template", PodTemplate()}}}};
}

Json PoolObject(const std::string& name) {
  return {
      {"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
      {"kind", "Pool"},
      {"metadata", {{"name", name}, {"namespace", kNamespace}}},
      {"spec",
       {{"template", PodTemplate()},
        {"capacitySpec", {{"bufferMax", 3}, {"bufferMin", 1}, {"poolMax", 5}, {"poolMin", 0}}}}}};
}

Json PodObject(const std::string& name) {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", kNamespace}}}};
  pod["spec"] = PodTemplate()["spec"];
  return pod;
}

std::string NameOf(const Json& object) { return MetaString(object, "name"); }
std::string ResourceVersionOf(const Json& object) { return MetaString(object, "resourceVersion"); }
std::string UidOf(const Json& object) { return MetaString(object, "uid"); }

StandaloneHarness::StandaloneHarness(standalone::StandaloneOptions options)
    : options_(std::move(options)) {
  options_.data_dir = (dir_.path() / "data").string();
  options_.bind_address = "127.0.0.1";
  options_.port = 0;
}

StandaloneHarness::~StandaloneHarness() { Stop(); }

Status StandaloneHarness::Start() {
  StatusOr<std::unique_ptr<standalone::StandaloneServer>> server =
      standalone::StandaloneServer::Open(options_);
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  return server_->Start();
}

void StandaloneHarness::Stop() {
  if (server_) server_->Stop();
}

StatusOr<kube::RestConfig> StandaloneHarness::ClientConfig(double qps, int burst) const {
  OSBX_ASSIGN_OR_RETURN(kube::RestConfig config, kube::LoadKubeconfig(server_->kubeconfig_path()));
  config.qps = qps;
  config.burst = burst;
  return config;
}

std::unique_ptr<kube::RestClient> StandaloneHarness::NewClient(
    double qps, int burst, kube::RestClientOptions options) const {
  StatusOr<kube::RestConfig> config = ClientConfig(qps, burst);
  if (!config.ok()) {
    ADD_FAILURE() << config.status().ToString();
    return nullptr;
  }
  StatusOr<std::unique_ptr<kube::RestClient>> client =
      kube::RestClient::New(*config, std::move(options));
  if (!client.ok()) {
    ADD_FAILURE() << client.status().ToString();
    return nullptr;
  }
  return std::move(*client);
}

kube::WatchCallbacks WatchRecorder::Callbacks() {
  return {[this](kube::WatchEvent&& event) {
            std::lock_guard<std::mutex> lock(mu_);
            events_.push_back(std::move(event));
            cv_.notify_all();
          },
          [this](const Status& status) {
            std::lock_guard<std::mutex> lock(mu_);
            closed_ = status;
            cv_.notify_all();
          }};
}

bool WatchRecorder::WaitFor(const std::function<bool(const std::vector<kube::WatchEvent>&)>& done) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kWaitLimit, [&] { return done(events_); });
}

bool WatchRecorder::WaitForObjectEvents(size_t n) {
  return WaitFor([n](const std::vector<kube::WatchEvent>& events) {
    size_t count = 0;
    for (const kube::WatchEvent& e : events) count += e.type != kube::WatchEventType::kBookmark;
    return count >= n;
  });
}

std::optional<Status> WatchRecorder::WaitClosed() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, kWaitLimit, [&] { return closed_.has_value(); })) return std::nullopt;
  return closed_;
}

std::vector<kube::WatchEvent> WatchRecorder::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::vector<kube::WatchEvent> WatchRecorder::ObjectEvents() const {
  std::vector<kube::WatchEvent> out;
  for (kube::WatchEvent& e : Events()) {
    if (e.type != kube::WatchEventType::kBookmark) out.push_back(std::move(e));
  }
  return out;
}

void ClientStandaloneTest::SetUp() {
  Status started = harness_.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  client_ = harness_.NewClient();
  ASSERT_NE(client_, nullptr);
}

StatusOr<Json> ClientStandaloneTest::CreateSandbox(const std::string& name, int replicas) {
  return client_->Create(BatchSandboxes(), kNamespace, BatchSandboxObject(name, replicas));
}

}  // namespace osbx::integration
