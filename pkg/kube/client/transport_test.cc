// Transport behaviour that the REST layer relies on: concurrency on one I/O thread, streaming
// delivery before the body ends, and shutdown failing pending work with kCancelled.

#include "pkg/kube/client/transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "pkg/kube/client/testing/replay_server.h"

namespace osbx::kube {
namespace {

using testing::ReplayServer;

TransportOptions TrustingOptions(const ReplayServer& server) {
  TransportOptions o;
  o.tls.ca_pem = server.ca().cert_pem;
  return o;
}

TEST(TransportTest, ManyConcurrentRequestsComplete) {
  ReplayServer server;
  ASSERT_TRUE(server
                  .Start([](size_t, const http::Request& r, http::ResponseWriter& w) {
                    ReplayServer::Reply(w, 200, r.path.substr(1));
                  })
                  .ok());
  Transport transport(TrustingOptions(server));
  std::vector<std::future<HttpResponse>> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(transport.Send(
        HttpRequest{"GET", server.Config().server + "/r" + std::to_string(i), {}, "", {}}));
  }
  for (int i = 0; i < 50; ++i) {
    HttpResponse r = futures[i].get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.code, 200);
    EXPECT_EQ(r.body, "r" + std::to_string(i));
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
  }
}

TEST(TransportTest, StreamDeliversBytesBeforeTheBodyEnds) {
  std::shared_ptr<http::ResponseWriter> held;
  std::promise<void> started;
  ReplayServer server;
  ASSERT_TRUE(server
                  .Start([&](size_t, const http::Request&, http::ResponseWriter& w) {
                    w.StartStream(200, http::Headers{{"Content-Type", "application/json"}});
                    w.WriteChunk("first");
                    held = w.Retain();
                    started.set_value();
                  })
                  .ok());
  Transport transport(TrustingOptions(server));
  std::promise<std::string> got;
  std::promise<Status> done;
  int code = 0;
  auto handle =
      transport.OpenStream(HttpRequest{"GET", server.Config().server + "/watch", {}, "", {}},
                           {[&](int c, const HttpHeaders&) { code = c; },
                            [&](std::string_view data) {
                              got.set_value(std::string(data));
                              return true;
                            },
                            [&](const Status& s) { done.set_value(s); }},
                           Clock::Duration::zero());
  EXPECT_EQ(got.get_future().get(), "first");  // while the response is still open
  EXPECT_EQ(code, 200);
  started.get_future().wait();
  held->Finish();
  EXPECT_TRUE(done.get_future().get().ok());
}

TEST(TransportTest, ShutdownFailsPendingRequestsWithCancelled) {
  std::mutex mu;
  std::vector<std::shared_ptr<http::ResponseWriter>> held;  // guarded by mu; never answered
  ReplayServer server;
  ASSERT_TRUE(server
                  .Start([&](size_t, const http::Request&, http::ResponseWriter& w) {
                    std::lock_guard<std::mutex> lock(mu);
                    held.push_back(w.Retain());
                  })
                  .ok());
  auto transport = std::make_unique<Transport>(TrustingOptions(server));
  std::future<HttpResponse> pending =
      transport->Send(HttpRequest{"GET", server.Config().server + "/slow", {}, "", {}});
  std::promise<Status> stream_done;
  auto handle =
      transport->OpenStream(HttpRequest{"GET", server.Config().server + "/watch", {}, "", {}},
                            {nullptr, nullptr, [&](const Status& s) { stream_done.set_value(s); }},
                            Clock::Duration::zero());
  server.WaitForRequests(2);
  transport->Shutdown();
  EXPECT_EQ(pending.get().status.code(), StatusCode::kCancelled);
  EXPECT_EQ(stream_done.get_future().get().code(), StatusCode::kCancelled);
  // Work sent after shutdown fails at once.
  EXPECT_EQ(
      transport->Send(HttpRequest{"GET", "https://127.0.0.1:1/", {}, "", {}}).get().status.code(),
      StatusCode::kCancelled);
}

TEST(TransportTest, ConnectionRefusedIsUnavailable) {
  Transport transport(TransportOptions{});
  // Port 1 on loopback: nothing listens there in the test environment.
  HttpResponse r = transport.Send(HttpRequest{"GET", "http://127.0.0.1:1/", {}, "", {}}).get();
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace osbx::kube
