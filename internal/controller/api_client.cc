#include "internal/controller/api_client.h"

#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::controller {
namespace {

constexpr const char* kFieldManager = "opensandbox-controller";

class RestApiClient final : public ApiClient {
 public:
  RestApiClient(kube::RestClient& client, std::unique_ptr<kube::RestClient> owned)
      : client_(client), owned_(std::move(owned)) {}

  StatusOr<Json> Create(const kube::ResourceRef& resource, const std::string& ns,
                        const Json& object) override {
    kube::WriteOptions options;
    options.field_manager = kFieldManager;
    return client_.Create(resource, ns, object, options);
  }

  StatusOr<Json> MergePatch(const kube::ResourceRef& resource, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override {
    kube::PatchOptions options;
    options.field_manager = kFieldManager;
    if (status) options.subresource = "status";
    return client_.Patch(resource, ns, name, kube::PatchType::kMerge, patch.dump(), options);
  }

  Status Delete(const kube::ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    kube::DeleteOptions options;
    options.precondition_uid = uid;
    options.propagation_policy = "Background";
    return client_.Delete(resource, ns, name, options).status();
  }

  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& resource) override {
    OSBX_ASSIGN_OR_RETURN(kube::ListResult list, client_.ListAll(resource, "", {}));
    return std::move(list.items);
  }

 private:
  kube::RestClient& client_;
  std::unique_ptr<kube::RestClient> owned_;  // set when this adapter made its own client
};

}  // namespace

const kube::ResourceRef& PodResource() {
  static const kube::ResourceRef ref{"", "v1", "pods", "Pod", true};
  return ref;
}

const kube::ResourceRef& BatchSandboxResource() {
  static const kube::ResourceRef ref{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                     "BatchSandbox", true};
  return ref;
}

const kube::ResourceRef& PoolResource() {
  static const kube::ResourceRef ref{"sandbox.opensandbox.io", "v1alpha1", "pools", "Pool", true};
  return ref;
}

std::unique_ptr<ApiClient> NewRestApiClient(kube::RestClient& client) {
  return std::make_unique<RestApiClient>(client, nullptr);
}

StatusOr<std::unique_ptr<ApiClient>> ConnectRestApiClient(const std::string& kubeconfig, double qps,
                                                          int burst) {
  OSBX_ASSIGN_OR_RETURN(kube::RestConfig config, kube::ResolveConfig(kubeconfig));
  config.qps = qps;
  config.burst = burst;
  OSBX_ASSIGN_OR_RETURN(std::unique_ptr<kube::RestClient> client, kube::RestClient::New(config));
  kube::RestClient& ref = *client;
  return std::unique_ptr<ApiClient>(std::make_unique<RestApiClient>(ref, std::move(client)));
}

}  // namespace osbx::controller
