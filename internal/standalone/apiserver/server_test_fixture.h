#pragma once
// Test support: a StandaloneServer on a fresh temp data dir and port 0 per test, parameterised by
// async_writes, with an authenticated HTTPS call helper. Shared by the server's HTTP-level tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "internal/standalone/apiserver/standalone_server.h"
#include "pkg/http/test_client.h"

namespace osbx::standalone::testing {

// Parameter: async_writes.
class ServerTest : public ::testing::TestWithParam<bool> {
 protected:
  // `label` names the temp dir, so concurrent test binaries never share one.
  explicit ServerTest(std::string label) : label_(std::move(label)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("osbx-apiserver-{}-{}-{}-{}", label_, ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                       GetParam() ? "async" : "sync");
    std::filesystem::remove_all(dir_);
    StandaloneOptions options;
    options.data_dir = dir_.string();
    options.port = 0;
    options.async_writes = GetParam();
    auto server = StandaloneServer::Open(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Options of an authenticated request to the server, JSON answers accepted.
  http::testing::FetchOptions Options(std::string method = "GET", std::string body = "",
                                      std::string content_type = "application/json") const {
    http::testing::FetchOptions options;
    options.method = std::move(method);
    options.body = std::move(body);
    options.ca_pem = server_->ca_pem();
    options.headers = {"Authorization: Bearer " + server_->token(), "Content-Type: " + content_type,
                       "Accept: application/json"};
    return options;
  }

  http::testing::FetchResult Call(http::testing::CurlClient& client, const std::string& path,
                                  std::string method = "GET", std::string body = "",
                                  std::string content_type = "application/json") const {
    return client.Fetch(server_->url() + path,
                        Options(std::move(method), std::move(body), std::move(content_type)));
  }

  std::filesystem::path dir_;
  std::unique_ptr<StandaloneServer> server_;

 private:
  std::string label_;
};

}  // namespace osbx::standalone::testing
