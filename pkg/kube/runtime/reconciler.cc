#include "pkg/kube/runtime/reconciler.h"

#include <algorithm>
#include <utility>

namespace osbx::kube {
namespace {
// The terminal mark is a cause with this reason; API servers never send it.
constexpr std::string_view kTerminalReason = "osbx.TerminalError";
}  // namespace

Request Request::FromKey(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return {.ns = "", .name = std::string(key)};
  return {.ns = std::string(key.substr(0, slash)), .name = std::string(key.substr(slash + 1))};
}

Status TerminalError(Status status) {
  if (status.ok() || IsTerminalError(status)) return status;
  status.WithCause({.reason = std::string(kTerminalReason), .message = "", .field = ""});
  return status;
}

bool IsTerminalError(const Status& status) {
  const auto& causes = status.causes();
  return std::any_of(causes.begin(), causes.end(),
                     [](const StatusCause& c) { return c.reason == kTerminalReason; });
}

}  // namespace osbx::kube
