#pragma once
// One API request being served (internal to the API server's handler files).

#include <string>
#include <vector>

#include "internal/standalone/apiserver/api_server.h"
#include "pkg/http/request.h"
#include "pkg/http/response_writer.h"

namespace osbx::standalone {

struct ApiServer::Call {
  const http::Request& request;
  http::ResponseWriter& writer;
  RequestInfo info;
  ResourcePtr resource;
  Negotiated accept;
  std::vector<std::string> warnings;
};

// The standard answer headers (Cache-Control, Content-Type, one Warning per warning).
http::Headers ApiHeaders(const std::vector<std::string>& warnings = {});

}  // namespace osbx::standalone
