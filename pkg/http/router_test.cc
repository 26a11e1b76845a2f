#include "pkg/http/router.h"

#include <gtest/gtest.h>

#include "pkg/http/recording_response_writer.h"

namespace osbx::http {
namespace {

Handler Answer(std::string text) {
  return [text](const Request&, ResponseWriter& w) { SendText(w, 200, "text/plain", text); };
}

std::string Route(const Router& router, std::string path) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  RecordingResponseWriter w;
  router.Serve(request, w);
  return std::to_string(w.status()) + " " + w.body();
}

TEST(RouterTest, ExactPathBeatsPrefixAndLongestPrefixWins) {
  Router router;
  router.Handle("/healthz", Answer("exact"))
      .HandlePrefix("/", Answer("root"))
      .HandlePrefix("/debug/", Answer("debug"))
      .HandlePrefix("/debug/pprof/", Answer("pprof"))
      .HandlePrefix("/healthz", Answer("health-prefix"));
  EXPECT_EQ(Route(router, "/healthz"), "200 exact");
  EXPECT_EQ(Route(router, "/healthz/ping"), "200 health-prefix");
  EXPECT_EQ(Route(router, "/debug/x"), "200 debug");
  EXPECT_EQ(Route(router, "/debug/pprof/heap"), "200 pprof");
  EXPECT_EQ(Route(router, "/debug"), "200 root");
  EXPECT_EQ(Route(router, "/metrics"), "200 root");
}

TEST(RouterTest, UnmatchedPathGets404OrTheNotFoundHandler) {
  Router router;
  router.Handle("/metrics", Answer("m"));
  EXPECT_EQ(Route(router, "/metricsx"), "404 404 page not found\n");
  router.SetNotFound(Answer("custom"));
  EXPECT_EQ(Route(router, "/nope"), "200 custom");
}

TEST(RouterTest, HandlerIsASnapshotOfTheRoutes) {
  Router router;
  router.Handle("/a", Answer("a"));
  Handler handler = router.ToHandler();
  router.Handle("/b", Answer("b"));
  Request request;
  request.path = "/b";
  RecordingResponseWriter w;
  handler(request, w);
  EXPECT_EQ(w.status(), 404);
}

}  // namespace
}  // namespace osbx::http
