#pragma once
// What the RestClient's replay tests (rest_client_test.cc, watch_test.cc) share: the captured
// resource, client construction and a fixture owning the replaying HTTPS server. Test-only.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "internal/utils/clock.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/testing/replay_server.h"
#include "pkg/kube/client/testing/testdata.h"

namespace osbx::kube::testing {

// The resource of every capture under testdata/watch and testdata/errors.
inline const ResourceRef kBatchSandboxes{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                         "BatchSandbox", true};

// The first line (newline included) of the captured watch stream: the ADDED event of the
// BatchSandbox "watch-demo" at resourceVersion 1651.
inline std::string FirstCapturedEventLine() {
  std::string stream = ReadTestdata("watch/crud_then_bookmarks.jsonl");
  return stream.substr(0, stream.find('\n') + 1);
}

inline RestClientOptions WithClock(const Clock* clock) {
  RestClientOptions options;
  options.clock = clock;
  return options;
}

// A client for `config`; a failure to build one fails the test.
inline std::unique_ptr<RestClient> NewClient(const RestConfig& config,
                                             RestClientOptions options = {}) {
  StatusOr<std::unique_ptr<RestClient>> client = RestClient::New(config, std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(*client);
}

// A fixture whose test scripts the replay server's answers with Serve.
template <typename Base = ::testing::Test>
class ReplayFixture : public Base {
 protected:
  void Serve(ReplayServer::Script script) { ASSERT_TRUE(server_.Start(std::move(script)).ok()); }
  // Answers every request with the same complete JSON body.
  void ServeReply(int status, std::string body) {
    Serve([status, body = std::move(body)](size_t, const http::Request&, http::ResponseWriter& w) {
      ReplayServer::Reply(w, status, body);
    });
  }

  ReplayServer server_;
};

}  // namespace osbx::kube::testing
