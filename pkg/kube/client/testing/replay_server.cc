#include "pkg/kube/client/testing/replay_server.h"

namespace osbx::kube::testing {

ReplayServer::ReplayServer() = default;

ReplayServer::~ReplayServer() { Stop(); }

Status ReplayServer::Start(Script script) {
  StatusOr<http::KeyPair> ca = http::GenerateCa();
  if (!ca.ok()) return ca.status();
  ca_ = *ca;
  StatusOr<http::KeyPair> serving = http::IssueServingCert(ca_);
  if (!serving.ok()) return serving.status();
  http::ServerOptions options;
  options.tls = http::TlsConfig{serving->cert_pem, serving->key_pem};
  options.shutdown_timeout = std::chrono::milliseconds(200);
  auto handler = [this, script = std::move(script)](const http::Request& request,
                                                    http::ResponseWriter& writer) {
    size_t index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      index = requests_.size();
      requests_.push_back(request);
    }
    cv_.notify_all();
    script(index, request, writer);
  };
  server_ = std::make_unique<http::Server>(options, std::move(handler));
  return server_->Start();
}

void ReplayServer::Stop() {
  if (server_) server_->Stop();
}

RestConfig ReplayServer::Config(const std::string& token) const {
  RestConfig config;
  config.server = server_->url();
  config.ca_pem = ca_.cert_pem;
  config.bearer_token = token;
  config.qps = -1;  // tests that care about throttling set their own
  return config;
}

std::vector<http::Request> ReplayServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void ReplayServer::WaitForRequests(size_t n) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return requests_.size() >= n; });
}

void ReplayServer::Reply(http::ResponseWriter& w, int status, std::string body,
                         std::string content_type) {
  w.Send(status,
         http::Headers{{"Content-Type", std::move(content_type)},
                       {"Cache-Control", "no-cache, private"}},
         std::move(body));
}

void ReplayServer::Stream(http::ResponseWriter& w, int status, const std::string& body,
                          size_t chunk) {
  w.StartStream(status, http::Headers{{"Content-Type", "application/json"},
                                      {"Cache-Control", "no-cache, private"}});
  for (size_t pos = 0; pos < body.size(); pos += chunk) {
    w.WriteChunk(std::string_view(body).substr(pos, chunk));
  }
  w.Finish();
}

}  // namespace osbx::kube::testing
