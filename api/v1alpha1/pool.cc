#include "api/v1alpha1/pool.h"

#include "api/v1alpha1/resource_schema.h"

namespace osbx::api::v1alpha1 {

StatusOr<Pool> DecodePool(const Json& object) { return internal::DecodeObject<Pool>(object); }

Json Encode(const Pool& object) { return internal::EncodeObject(object, kPoolKind); }

const kube::schema::Schema& PoolSchema() {
  static const kube::schema::Schema& schema = internal::CompileCrdSchemaOrDie(PoolCrdJson());
  return schema;
}

std::vector<FieldError> ValidatePool(const Json& object, const Json* old) {
  return PoolSchema().Validate(object, old);
}

void DefaultPool(Json& object) { PoolSchema().ApplyDefaults(object); }

}  // namespace osbx::api::v1alpha1
