#include "api/v1alpha1/batch_sandbox.h"

#include "api/v1alpha1/resource_schema.h"

namespace osbx::api::v1alpha1 {

StatusOr<BatchSandbox> DecodeBatchSandbox(const Json& object) {
  return internal::DecodeObject<BatchSandbox>(object);
}

Json Encode(const BatchSandbox& object) {
  return internal::EncodeObject(object, kBatchSandboxKind);
}

const kube::schema::Schema& BatchSandboxSchema() {
  static const kube::schema::Schema& schema =
      internal::CompileCrdSchemaOrDie(BatchSandboxCrdJson());
  return schema;
}

std::vector<FieldError> ValidateBatchSandbox(const Json& object, const Json* old) {
  return BatchSandboxSchema().Validate(object, old);
}

void DefaultBatchSandbox(Json& object) { BatchSandboxSchema().ApplyDefaults(object); }

}  // namespace osbx::api::v1alpha1
