// The HTTP server's keep-alive connection when a response is answered after its handler
// returned (as the API server answers writes once they are durable) while the client has
// already sent its next request: that request must be read and answered, not left waiting
// behind the server's read that watches for the client going away.

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pkg/http/server.h"
#include "pkg/http/test_client.h"

namespace osbx::http {
namespace {

using testing::RawConnection;

// Serves "/later" from a writer the test answers itself; anything else at once.
class DeferredServer {
 public:
  DeferredServer()
      : server_({.port = 0}, [this](const Request& r, ResponseWriter& w) { Handle(r, w); }) {}
  ~DeferredServer() { server_.Stop(); }

  Status Start() { return server_.Start(); }
  uint16_t port() const { return server_.port(); }

  // Waits until "/later" was received (its handler has returned) and answers it.
  bool AnswerLater() {
    std::shared_ptr<ResponseWriter> writer;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(20), [this] { return later_ != nullptr; })) {
        return false;
      }
      writer = std::move(later_);
    }
    return SendText(*writer, 201, "text/plain", "later\n");
  }

 private:
  void Handle(const Request& r, ResponseWriter& w) {
    if (r.path != "/later") {
      SendText(w, 200, "text/plain", "now\n");
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    later_ = w.Retain();
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<ResponseWriter> later_;  // guarded by mu_
  Server server_;
};

TEST(HttpKeepAliveTest, NextRequestSentBeforeADeferredResponseIsAnswered) {
  DeferredServer server;
  ASSERT_TRUE(server.Start().ok());
  RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  // Both requests in one write: the second is already buffered when the first is dispatched.
  ASSERT_TRUE(
      c.Send("POST /later HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
             "GET /now HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(server.AnswerLater());
  std::string response = c.ReadToEnd();
  size_t later = response.find("later\n");
  size_t now = response.find("now\n");
  ASSERT_NE(later, std::string::npos) << response;
  ASSERT_NE(now, std::string::npos) << response;
  EXPECT_LT(later, now);
}

TEST(HttpKeepAliveTest, RequestAfterADeferredResponseOnTheSameConnectionIsAnswered) {
  DeferredServer server;
  ASSERT_TRUE(server.Start().ok());
  RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /later HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(server.AnswerLater());
  ASSERT_NE(c.ReadUntil("later\n").find("later\n"), std::string::npos);
  ASSERT_TRUE(c.Send("GET /now HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_NE(c.ReadToEnd().find("now\n"), std::string::npos);
}

}  // namespace
}  // namespace osbx::http
