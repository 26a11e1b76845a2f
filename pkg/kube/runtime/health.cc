#include "pkg/kube/runtime/health.h"

#include <fmt/format.h>

#include <vector>

namespace osbx::kube {

void HealthChecks::Add(const std::string& name, HealthCheck check) {
  MutexLock lock(mu_);
  checks_[name] = std::move(check);
}

HealthResponse HealthChecks::Evaluate(bool verbose, std::string_view only) const {
  std::vector<std::pair<std::string, HealthCheck>> checks;
  {
    MutexLock lock(mu_);  // checks run unlocked: they may be slow or re-enter
    for (const auto& [name, check] : checks_) {
      if (only.empty() || name == only) checks.emplace_back(name, check);
    }
  }
  if (!only.empty() && checks.empty()) {
    return {404, fmt::format("no such {} check: {}\n", endpoint_, only)};
  }
  std::string lines;
  bool failed = false;
  for (const auto& [name, check] : checks) {
    Status status = check ? check() : InternalError("no check function");
    if (status.ok()) {
      lines += fmt::format("[+]{} ok\n", name);
    } else {
      failed = true;
      lines += verbose ? fmt::format("[-]{} failed: {}\n", name, status.message())
                       : fmt::format("[-]{} failed: reason withheld\n", name);
    }
  }
  if (failed) return {500, lines + fmt::format("{} check failed\n", endpoint_)};
  if (verbose) return {200, lines + fmt::format("{} check passed\n", endpoint_)};
  return {200, "ok"};
}

HealthResponse HealthChecks::Serve(std::string_view path, std::string_view query) const {
  std::string prefix = "/" + endpoint_;
  if (path.substr(0, prefix.size()) != prefix) return {404, "not found\n"};
  std::string_view rest = path.substr(prefix.size());
  if (!rest.empty() && rest != "/") {
    if (rest[0] != '/') return {404, "not found\n"};
    return Evaluate(true, rest.substr(1));
  }
  bool verbose = query == "verbose" || query.starts_with("verbose=") ||
                 query.find("&verbose") != std::string_view::npos;
  return Evaluate(verbose);
}

}  // namespace osbx::kube
