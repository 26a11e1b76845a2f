// RestClient::NewListerWatcher: the informers' view of one resource in one namespace.

#include <mutex>

#include "pkg/kube/client/rest_client.h"

namespace osbx::kube {
namespace {

class RestListerWatcher final : public ListerWatcher {
 public:
  RestListerWatcher(RestClient& client, ResourceRef resource, std::string ns)
      : client_(client), resource_(std::move(resource)), ns_(std::move(ns)) {}

  // A complete list: pages are followed unless the caller asked for one page by passing a
  // continue token.
  StatusOr<ListResult> List(const ListOptions& options) override {
    std::unique_ptr<ObjectDecoder> decoder = NewDecoder();
    if (!options.continue_token.empty()) {
      return client_.List(resource_, ns_, options, decoder.get());
    }
    return client_.ListAll(resource_, ns_, options, decoder.get());
  }

  StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions& options,
                                               WatchCallbacks callbacks) override {
    return client_.Watch(resource_, ns_, options, std::move(callbacks), NewDecoder());
  }

  bool UseDecoder(ObjectDecoderFactory factory) override {
    std::lock_guard<std::mutex> lock(mu_);
    factory_ = std::move(factory);
    return true;
  }

 private:
  // The caller's decoder for one call, or null (whole objects).
  std::unique_ptr<ObjectDecoder> NewDecoder() {
    ObjectDecoderFactory factory;
    {
      std::lock_guard<std::mutex> lock(mu_);
      factory = factory_;
    }
    return factory ? factory() : nullptr;
  }

  RestClient& client_;
  const ResourceRef resource_;
  const std::string ns_;
  std::mutex mu_;
  ObjectDecoderFactory factory_;  // guarded by mu_
};

}  // namespace

std::unique_ptr<ListerWatcher> RestClient::NewListerWatcher(ResourceRef resource, std::string ns) {
  return std::make_unique<RestListerWatcher>(*this, std::move(resource), std::move(ns));
}

}  // namespace osbx::kube
