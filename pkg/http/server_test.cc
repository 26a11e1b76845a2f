#include "pkg/http/server.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "pkg/http/router.h"
#include "pkg/http/test_client.h"
#include "pkg/http/tls.h"

namespace osbx::http {
namespace {

using testing::CurlClient;
using testing::FetchOptions;
using testing::FetchResult;
using testing::RawConnection;
using testing::Received;

constexpr auto kGuard = std::chrono::seconds(20);  // fail instead of hanging; never asserted

// Hands a retained writer from a handler (server thread) to the test thread.
class WriterSlot {
 public:
  void Put(std::shared_ptr<ResponseWriter> writer) {
    std::lock_guard<std::mutex> lock(mu_);
    writer_ = std::move(writer);
    cv_.notify_all();
  }
  std::shared_ptr<ResponseWriter> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, kGuard, [&] { return writer_ != nullptr; });
    return std::move(writer_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<ResponseWriter> writer_;
};

// A handler that starts a stream and parks the writer in `slot`.
Handler StreamInto(WriterSlot& slot) {
  return [&slot](const Request&, ResponseWriter& w) {
    w.StartStream(200, {{"Content-Type", "application/json"}});
    slot.Put(w.Retain());
  };
}

// Fetches a URL on its own thread, appending body bytes to `received` as they arrive; with
// `keep_reading` false it hangs up at the first byte. The destructor waits for the transfer.
class StreamingFetch {
 public:
  StreamingFetch(std::string url, FetchOptions options, bool keep_reading = true)
      : thread_([this, url = std::move(url), options = std::move(options), keep_reading]() mutable {
          options.on_data = [this, keep_reading](std::string_view d) {
            received_.Append(d);
            return keep_reading;
          };
          result_ = CurlClient().Fetch(url, options);
        }) {}
  ~StreamingFetch() { Join(); }
  StreamingFetch(const StreamingFetch&) = delete;
  StreamingFetch& operator=(const StreamingFetch&) = delete;

  Received& received() { return received_; }
  // Waits for the transfer to end; its outcome.
  const FetchResult& Join() {
    if (thread_.joinable()) thread_.join();
    return result_;
  }

 private:
  Received received_;
  FetchResult result_;  // written by thread_ until it is joined
  std::thread thread_;  // last: starts once the members it writes exist
};

// Tells when a retained writer's connection closed.
std::future<void> ClosedSignal(ResponseWriter& w) {
  auto closed = std::make_shared<std::promise<void>>();
  w.SetOnClose([closed] { closed->set_value(); });
  return closed->get_future();
}

Handler Echo() {
  return [](const Request& r, ResponseWriter& w) {
    std::string out = r.method + " " + r.path + " q=" + std::string(r.query.GetOr("q", "-")) +
                      " n=" + std::to_string(r.query.GetAll("a").size()) +
                      " h=" + std::string(r.headers.Get("x-test")) + " body=" + r.body;
    SendText(w, 200, "text/plain", out);
  };
}

class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    StatusOr<KeyPair> ca = GenerateCa();
    ASSERT_TRUE(ca.ok());
    StatusOr<KeyPair> serving = IssueServingCert(*ca);
    ASSERT_TRUE(serving.ok());
    ca_ = new KeyPair(*ca);
    serving_ = new KeyPair(*serving);
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete serving_;
  }

  void StartServer(Handler handler, bool tls, ServerOptions options = {}) {
    tls_ = tls;
    if (tls) options.tls = TlsConfig{serving_->cert_pem, serving_->key_pem};
    server_ = std::make_unique<Server>(options, std::move(handler));
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(server_->port()) + path;
  }

  FetchOptions Options() const {
    FetchOptions o;
    if (tls_) o.ca_pem = ca_->cert_pem;
    return o;
  }

  static inline KeyPair* ca_ = nullptr;
  static inline KeyPair* serving_ = nullptr;
  bool tls_ = false;
  std::unique_ptr<Server> server_;
};

class ServerTest : public ServerFixture, public ::testing::WithParamInterface<bool> {
 protected:
  void Start(Handler handler, ServerOptions options = {}) {
    StartServer(std::move(handler), GetParam(), std::move(options));
  }
};

INSTANTIATE_TEST_SUITE_P(PlainAndTls, ServerTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Tls" : "Plain";
                         });

TEST_P(ServerTest, ServesRequestWithDecodedPathQueryHeadersAndBody) {
  std::string remote;
  Start([&](const Request& r, ResponseWriter& w) {
    remote = r.remote_address;
    Echo()(r, w);
  });
  CurlClient client;
  FetchOptions o = Options();
  o.method = "POST";
  o.body = "payload";
  o.headers = {"X-Test: yes"};
  FetchResult res = client.Fetch(Url("/a%20b/c?q=x%2By&a=1&a=2"), o);
  ASSERT_EQ(res.code, CURLE_OK) << res.error;
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "POST /a b/c q=x+y n=2 h=yes body=payload");
  EXPECT_EQ(remote.rfind("127.0.0.1:", 0), 0u) << remote;
}

TEST_P(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::string> peers;
  Start([&](const Request& r, ResponseWriter& w) {
    {
      std::lock_guard<std::mutex> lock(mu);
      peers.insert(r.remote_address);
    }
    SendText(w, 200, "text/plain", r.path);
  });
  CurlClient client;
  for (int i = 0; i < 5; ++i) {
    FetchResult res = client.Fetch(Url("/r" + std::to_string(i)), Options());
    ASSERT_EQ(res.code, CURLE_OK) << res.error;
    EXPECT_EQ(res.body, "/r" + std::to_string(i));
    EXPECT_EQ(res.new_connections, i == 0 ? 1 : 0);
  }
  EXPECT_EQ(peers.size(), 1u);
}

TEST_P(ServerTest, StreamDeliversEachChunkBeforeFinish) {
  WriterSlot slot;
  Start(StreamInto(slot));
  StreamingFetch fetch(Url("/watch"), Options());
  std::shared_ptr<ResponseWriter> w = slot.Take();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->WriteChunk("{\"type\":\"ADDED\"}\n"));
  EXPECT_TRUE(fetch.received().WaitFor("{\"type\":\"ADDED\"}\n"));
  ASSERT_TRUE(w->WriteChunk("{\"type\":\"MODIFIED\"}\n"));
  EXPECT_TRUE(fetch.received().WaitFor("MODIFIED"));
  w->Finish();
  const FetchResult& res = fetch.Join();
  EXPECT_EQ(res.code, CURLE_OK) << res.error;
  EXPECT_EQ(res.body, "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n");
  EXPECT_NE(res.headers.find("Transfer-Encoding: chunked"), std::string::npos);
}

TEST_P(ServerTest, StreamWriterSeesClientDisconnect) {
  WriterSlot slot;
  Start(StreamInto(slot));
  StreamingFetch fetch(Url("/watch"), Options(), /*keep_reading=*/false);
  std::shared_ptr<ResponseWriter> w = slot.Take();
  ASSERT_TRUE(w);
  std::future<void> closed = ClosedSignal(*w);
  ASSERT_TRUE(w->WriteChunk("first\n"));
  fetch.Join();
  ASSERT_EQ(closed.wait_for(kGuard), std::future_status::ready);
  EXPECT_TRUE(w->closed());
  EXPECT_FALSE(w->WriteChunk("dropped\n"));
}

TEST_P(ServerTest, StopEndsOpenStreamsAndIdleConnections) {
  WriterSlot slot;
  Start(StreamInto(slot));
  StreamingFetch fetch(Url("/watch"), Options());
  std::shared_ptr<ResponseWriter> w = slot.Take();
  ASSERT_TRUE(w);
  std::future<void> closed = ClosedSignal(*w);
  ASSERT_TRUE(w->WriteChunk("event\n"));
  ASSERT_TRUE(fetch.received().WaitFor("event\n"));
  RawConnection idle(server_->port());  // a connection that never sends a request
  ASSERT_TRUE(idle.connected());

  server_->Stop();
  const FetchResult& res = fetch.Join();
  EXPECT_EQ(res.code, CURLE_OK) << res.error;  // the stream ended with its last chunk
  EXPECT_EQ(res.body, "event\n");
  EXPECT_EQ(closed.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(w->closed());
  EXPECT_FALSE(w->WriteChunk("after stop\n"));
  EXPECT_EQ(idle.ReadToEnd(), "");  // closed by the server
  server_->Stop();                  // idempotent
}

TEST_P(ServerTest, ConcurrentRequestsFromSeveralThreads) {
  std::atomic<int> served{0};
  Start(
      [&](const Request& r, ResponseWriter& w) {
        served.fetch_add(1);
        SendText(w, 200, "text/plain", std::string(r.query.GetOr("id", "")));
      },
      ServerOptions{.threads = 3});
  constexpr int kThreads = 6;
  constexpr int kPerThread = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      CurlClient c;
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        FetchResult res = c.Fetch(Url("/x?id=" + id), Options());
        if (res.code == CURLE_OK && res.status == 200 && res.body == id) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(served.load(), kThreads * kPerThread);
}

TEST_P(ServerTest, OversizeBodyGets413AndLimitSizedBodyIsServed) {
  Start(Echo(), ServerOptions{.max_body_bytes = 4096});
  CurlClient client;
  FetchOptions o = Options();
  o.method = "PUT";
  o.body = std::string(4096, 'a');
  FetchResult fits = client.Fetch(Url("/put"), o);
  ASSERT_EQ(fits.code, CURLE_OK) << fits.error;
  EXPECT_EQ(fits.status, 200);
  o.body = std::string(4 << 20, 'b');
  FetchResult big = client.Fetch(Url("/put"), o);
  EXPECT_EQ(big.status, 413) << big.error;
}

TEST_P(ServerTest, AnswerFromAnotherThreadAfterHandlerReturns) {
  std::vector<std::thread> workers;
  std::mutex mu;
  Start([&](const Request& r, ResponseWriter& w) {
    std::shared_ptr<ResponseWriter> kept = w.Retain();
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([kept, path = r.path] { SendText(*kept, 201, "text/plain", path); });
  });
  CurlClient client;
  FetchResult res = client.Fetch(Url("/later"), Options());
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, "/later");
  std::lock_guard<std::mutex> lock(mu);
  for (std::thread& t : workers) t.join();
}

TEST_F(ServerFixture, HandlerThatDoesNotAnswerOrThrowsYields500) {
  StartServer(
      [](const Request& r, ResponseWriter&) {
        if (r.path == "/throw") throw std::runtime_error("boom");
      },
      false);
  CurlClient client;
  EXPECT_EQ(client.Fetch(Url("/silent")).status, 500);
  EXPECT_EQ(client.Fetch(Url("/throw")).status, 500);
  EXPECT_EQ(client.Fetch(Url("/silent")).new_connections, 0);  // the connection survived
}

TEST_F(ServerFixture, TlsServerIsVerifiedByNameAndRejectedUnderAnotherCa) {
  StartServer(Echo(), true);
  CurlClient client;
  FetchResult by_name = client.Fetch(Url("/x", "localhost"), Options());
  EXPECT_EQ(by_name.code, CURLE_OK) << by_name.error;
  StatusOr<KeyPair> other = GenerateCa();
  ASSERT_TRUE(other.ok());
  FetchOptions o;
  o.ca_pem = other->cert_pem;
  CurlClient fresh;
  EXPECT_EQ(fresh.Fetch(Url("/x"), o).code, CURLE_PEER_FAILED_VERIFICATION);
}

TEST_F(ServerFixture, MalformedRequestGets400AndServerKeepsServing) {
  StartServer(Echo(), false);
  for (std::string bad :
       {"NONSENSE\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET /bad%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://other/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: zz\r\n\r\n"}) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(bad));
    std::string response = c.ReadToEnd();
    EXPECT_EQ(response.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << bad << response;
  }
  CurlClient client;
  EXPECT_EQ(client.Fetch(Url("/still")).status, 200);
}

TEST_F(ServerFixture, OversizeContentLengthGets413WithoutReadingTheBody) {
  StartServer(Echo(), false, ServerOptions{.max_body_bytes = 16});
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nxx"));
  std::string response = c.ReadToEnd();
  EXPECT_EQ(response.rfind("HTTP/1.1 413 ", 0), 0u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
}

TEST_F(ServerFixture, PipelinedRequestsAreAnsweredInOrder) {
  StartServer(Echo(), false);
  RawConnection c(server_->port());
  ASSERT_TRUE(
      c.Send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n"
             "Connection: close\r\n\r\n"));
  std::string response = c.ReadToEnd();
  size_t one = response.find("GET /one");
  size_t two = response.find("GET /two");
  ASSERT_NE(one, std::string::npos) << response;
  ASSERT_NE(two, std::string::npos) << response;
  EXPECT_LT(one, two);
}

TEST_F(ServerFixture, Http10RequestWithoutKeepAliveIsClosedAfterTheResponse) {
  StartServer(Echo(), false);
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
  std::string response = c.ReadToEnd();  // returns only because the server closed
  EXPECT_NE(response.find("GET /old"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
}

TEST_F(ServerFixture, SlowReaderStreamIsCutWhenItsQueueOverflows) {
  WriterSlot slot;
  StartServer(StreamInto(slot), false, ServerOptions{.max_stream_queue_bytes = 1 << 20});
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("GET /watch HTTP/1.1\r\nHost: a\r\n\r\n"));  // and never reads
  std::shared_ptr<ResponseWriter> w = slot.Take();
  ASSERT_TRUE(w);
  std::future<void> closed = ClosedSignal(*w);
  const std::string chunk(64 << 10, 'x');
  bool accepted = true;
  for (int i = 0; i < 4096 && accepted; ++i) accepted = w->WriteChunk(chunk);
  EXPECT_FALSE(accepted);
  EXPECT_EQ(closed.wait_for(kGuard), std::future_status::ready);
  EXPECT_TRUE(w->closed());
}

TEST_F(ServerFixture, StartFailsOnTakenPortBadAddressOrBadCertificate) {
  StartServer(Echo(), false);
  Server same_port(ServerOptions{.port = server_->port()}, Echo());
  EXPECT_EQ(same_port.Start().code(), StatusCode::kUnavailable);
  Server bad_address(ServerOptions{.bind_address = "not-an-ip"}, Echo());
  EXPECT_EQ(bad_address.Start().code(), StatusCode::kInvalid);
  Server bad_cert(ServerOptions{.tls = TlsConfig{"junk", "junk"}}, Echo());
  EXPECT_EQ(bad_cert.Start().code(), StatusCode::kInvalid);
  Server never_started(ServerOptions{}, Echo());
  never_started.Stop();
}

TEST_F(ServerFixture, RouterServesHealthAndMetricsPaths) {
  Router router;
  router.Handle("/healthz",
                [](const Request&, ResponseWriter& w) { SendText(w, 200, "text/plain", "ok"); });
  StartServer(router.ToHandler(), false);
  CurlClient client;
  FetchResult ok = client.Fetch(Url("/healthz"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ok");
  EXPECT_EQ(client.Fetch(Url("/metrics")).status, 404);
}

}  // namespace
}  // namespace osbx::http
