#pragma once
// Router: a tiny path router for servers with a handful of fixed endpoints (/metrics, /healthz,
// /readyz, the task executor's API). Exact paths win over prefixes; the longest prefix wins
// among prefixes; anything else gets the not-found handler (404 by default).
//
//   http::Router router;
//   router.Handle("/healthz", Healthz).HandlePrefix("/debug/", Debug);
//   http::Server server(options, router.ToHandler());

#include <map>
#include <memory>
#include <string>

#include "pkg/http/response_writer.h"

namespace osbx::http {

class Router {
 public:
  Router();

  // Serves exactly `path` (query ignored). Replaces an earlier handler for the same path.
  Router& Handle(std::string path, Handler handler);
  // Serves every path starting with `prefix`.
  Router& HandlePrefix(std::string prefix, Handler handler);
  // Serves paths nothing else matches.
  Router& SetNotFound(Handler handler);

  // Dispatches one request.
  void Serve(const Request& request, ResponseWriter& writer) const;
  // A handler over a snapshot of the current routes (later changes do not affect it).
  Handler ToHandler() const;

 private:
  std::map<std::string, Handler, std::less<>> exact_;
  std::map<std::string, Handler, std::less<>> prefixes_;
  Handler not_found_;
};

}  // namespace osbx::http
