#include "pkg/http/router.h"

#include <utility>

namespace osbx::http {

Router::Router()
    : not_found_([](const Request&, ResponseWriter& w) {
        SendText(w, 404, "text/plain; charset=utf-8", "404 page not found\n");
      }) {}

Router& Router::Handle(std::string path, Handler handler) {
  exact_[std::move(path)] = std::move(handler);
  return *this;
}

Router& Router::HandlePrefix(std::string prefix, Handler handler) {
  prefixes_[std::move(prefix)] = std::move(handler);
  return *this;
}

Router& Router::SetNotFound(Handler handler) {
  not_found_ = std::move(handler);
  return *this;
}

void Router::Serve(const Request& request, ResponseWriter& writer) const {
  if (auto it = exact_.find(request.path); it != exact_.end()) return it->second(request, writer);
  // Keys sort so that a prefix of the path comes before the path; walk down from the path's
  // position and take the first (longest) key that is a prefix of it.
  auto it = prefixes_.upper_bound(request.path);
  while (it != prefixes_.begin()) {
    --it;
    if (request.path.compare(0, it->first.size(), it->first) == 0) {
      return it->second(request, writer);
    }
  }
  not_found_(request, writer);
}

Handler Router::ToHandler() const {
  auto snapshot = std::make_shared<const Router>(*this);
  return [snapshot](const Request& request, ResponseWriter& writer) {
    snapshot->Serve(request, writer);
  };
}

}  // namespace osbx::http
