#include "api/v1alpha1/pool.h"

#include "api/v1alpha1/resource_schema.h"

namespace osbx::api::v1alpha1 {

StatusOr<Pool> DecodePool(const Json& object) {
  Pool out;
  OSBX_RETURN_IF_ERROR(DecodeJson(object, "", &out));
  return out;
}

Json Encode(const Pool& object) {
  Json out = EncodeJson(object);
  if (!object.api_version) out["apiVersion"] = kApiVersion;
  if (!object.kind) out["kind"] = kPoolKind;
  return out;
}

const kube::schema::Schema& PoolSchema() {
  static const kube::schema::Schema& schema = internal::CompileCrdSchemaOrDie(PoolCrdJson());
  return schema;
}

std::vector<FieldError> ValidatePool(const Json& object, const Json* old) {
  return PoolSchema().Validate(object, old);
}

void DefaultPool(Json& object) { PoolSchema().ApplyDefaults(object); }

}  // namespace osbx::api::v1alpha1
