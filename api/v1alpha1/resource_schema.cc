#include "api/v1alpha1/resource_schema.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "internal/utils/json.h"

namespace osbx::api::v1alpha1::internal {

const kube::schema::Schema& CompileCrdSchemaOrDie(std::string_view crd_json) {
  const Json crd = Json::parse(crd_json, nullptr, /*allow_exceptions=*/false);
  const Json* schema = nullptr;
  const Json::json_pointer pointer("/spec/versions/0/schema/openAPIV3Schema");
  if (crd.is_object() && crd.contains(pointer)) schema = &crd.at(pointer);
  if (schema == nullptr) {
    std::fprintf(stderr, "v1alpha1: embedded CRD has no openAPIV3Schema\n");
    std::abort();
  }
  auto compiled = kube::schema::Schema::Compile(*schema);
  if (!compiled.ok()) {
    std::fprintf(stderr, "v1alpha1: embedded CRD schema does not compile: %s\n",
                 compiled.status().ToString().c_str());
    std::abort();
  }
  // Leaked on purpose: the schema lives as long as the process and is shared by every thread.
  return **new std::shared_ptr<const kube::schema::Schema>(std::move(compiled).value());
}

}  // namespace osbx::api::v1alpha1::internal
