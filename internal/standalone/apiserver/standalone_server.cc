#include "internal/standalone/apiserver/standalone_server.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "pkg/http/tls.h"

namespace osbx::standalone {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

StatusOr<std::string> NewToken() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return InternalError("no random bytes for a token");
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

// Loads a file written on an earlier start, or creates it with `make`.
StatusOr<std::string> LoadOrCreate(const fs::path& path, bool secret,
                                   const std::function<StatusOr<std::string>()>& make) {
  if (std::optional<std::string> existing = ReadFile(path)) return *existing;
  StatusOr<std::string> made = make();
  if (!made.ok()) return made.status();
  OSBX_RETURN_IF_ERROR(http::WritePemFile(path.string(), *made, secret));
  return made;
}

}  // namespace

StatusOr<std::unique_ptr<StandaloneServer>> StandaloneServer::Open(StandaloneOptions options) {
  if (options.data_dir.empty()) return InvalidError("a data directory is required");
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec)
    return UnavailableError(fmt::format("cannot create {}: {}", options.data_dir, ec.message()));
  ::chmod(options.data_dir.c_str(), 0700);
  std::unique_ptr<StandaloneServer> server(new StandaloneServer());
  fs::path dir(options.data_dir);
  StatusOr<std::string> token = LoadOrCreate(dir / "token", true, [] { return NewToken(); });
  if (!token.ok()) return token.status();
  server->token_ = *token;
  while (!server->token_.empty() &&
         std::isspace(static_cast<unsigned char>(server->token_.back()))) {
    server->token_.pop_back();
  }
  std::optional<std::string> ca_cert = ReadFile(dir / "ca.crt");
  std::optional<std::string> ca_key = ReadFile(dir / "ca.key");
  std::optional<std::string> cert = ReadFile(dir / "apiserver.crt");
  std::optional<std::string> key = ReadFile(dir / "apiserver.key");
  if (!ca_cert || !ca_key || !cert || !key) {
    StatusOr<http::KeyPair> ca = http::GenerateCa();
    if (!ca.ok()) return ca.status();
    StatusOr<http::KeyPair> serving = http::IssueServingCert(*ca);
    if (!serving.ok()) return serving.status();
    OSBX_RETURN_IF_ERROR(http::WritePemFile((dir / "ca.key").string(), ca->key_pem, true));
    OSBX_RETURN_IF_ERROR(http::WritePemFile((dir / "ca.crt").string(), ca->cert_pem, false));
    OSBX_RETURN_IF_ERROR(
        http::WritePemFile((dir / "apiserver.key").string(), serving->key_pem, true));
    OSBX_RETURN_IF_ERROR(
        http::WritePemFile((dir / "apiserver.crt").string(), serving->cert_pem, false));
    ca_cert = ca->cert_pem;
    cert = serving->cert_pem;
    key = serving->key_pem;
  }
  server->ca_pem_ = *ca_cert;
  server->cert_pem_ = *cert;
  server->key_pem_ = *key;
  StatusOr<std::unique_ptr<Store>> store = Store::Open((dir / "store").string(), options.store);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  server->options_ = std::move(options);
  return server;
}

StandaloneServer::~StandaloneServer() { Stop(); }

Status StandaloneServer::Start() {
  http::ServerOptions http_options;
  http_options.bind_address = options_.bind_address;
  http_options.port = options_.port;
  http_options.threads = options_.threads;
  http_options.tls = http::TlsConfig{cert_pem_, key_pem_};
  http_options.max_body_bytes = 8u << 20;  // the API answers 413 itself above 3 MiB
  ApiServerOptions api_options;
  api_options.token = token_;
  api_options.bookmark_interval = options_.bookmark_interval;
  api_options.async_writes = options_.async_writes;
  api_ = std::make_unique<ApiServer>(*store_, api_options);
  OSBX_RETURN_IF_ERROR(api_->Start());
  ApiServer* api = api_.get();
  http_ = std::make_unique<http::Server>(
      http_options, [api](const http::Request& r, http::ResponseWriter& w) { api->Serve(r, w); });
  OSBX_RETURN_IF_ERROR(http_->Start());
  std::string kubeconfig = fmt::format(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: opensandbox\n"
      "  cluster:\n"
      "    server: {}\n"
      "    certificate-authority-data: {}\n"
      "users:\n"
      "- name: opensandbox-admin\n"
      "  user:\n"
      "    token: {}\n"
      "contexts:\n"
      "- name: opensandbox\n"
      "  context:\n"
      "    cluster: opensandbox\n"
      "    user: opensandbox-admin\n"
      "    namespace: default\n"
      "current-context: opensandbox\n",
      url(), Base64(ca_pem_), token_);
  return http::WritePemFile(kubeconfig_path(), kubeconfig, true);
}

void StandaloneServer::Stop() {
  if (http_) http_->Stop();
  if (api_) api_->Stop();
  http_.reset();
  api_.reset();
  store_.reset();
}

uint16_t StandaloneServer::port() const { return http_ ? http_->port() : options_.port; }

std::string StandaloneServer::url() const { return fmt::format("https://127.0.0.1:{}", port()); }

std::string StandaloneServer::kubeconfig_path() const {
  return (fs::path(options_.data_dir) / "kubeconfig").string();
}

std::string StandaloneServer::KubectlHint() const {
  return fmt::format("kubectl --kubeconfig {} get namespaces", kubeconfig_path());
}

}  // namespace osbx::standalone
