// The schema and the codec describe the same fields: an object holding every field the schema
// declares survives decode and encode, and the codec writes nothing the schema does not declare.
#include <gtest/gtest.h>

#include "api/v1alpha1/batch_sandbox.h"
#include "api/v1alpha1/pool.h"

namespace osbx::api::v1alpha1 {
namespace {

Json OpenApiSchema(std::string_view crd_json) {
  return Json::parse(crd_json)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// A value for `schema` in which every declared leaf is set (to a value that is not its default).
Json Populate(const Json& schema) {
  if (schema.value("x-kubernetes-int-or-string", false)) return "50%";
  const std::string type = schema.value("type", "");
  if (type == "object") {
    Json out = Json::object();
    if (schema.value("x-kubernetes-preserve-unknown-fields", false)) {
      out["undeclaredByTheSchema"] = Json::parse(R"({"kept": [1, "two", null]})");
    }
    const Json props = schema.value("properties", Json::object());
    for (const auto& [name, prop] : props.items()) {
      out[name] = Populate(prop);
    }
    return out;
  }
  if (type == "array") return Json::array({Populate(schema["items"]), Populate(schema["items"])});
  if (type == "integer") return 7;
  if (type == "boolean") return true;
  if (type == "string") {
    if (schema.contains("enum")) return schema["enum"].back();
    if (schema.value("format", "") == "date-time") return "2030-01-02T03:04:05Z";
    return "some-value";
  }
  ADD_FAILURE() << "schema without a type the test knows: " << schema.dump();
  return nullptr;
}

// Every key in `value` is declared by `schema` (or sits where unknown fields are preserved).
void ExpectDeclared(const Json& value, const Json& schema, const std::string& path) {
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      ExpectDeclared(value[i], schema.value("items", Json::object()),
                     path + "[" + std::to_string(i) + "]");
    }
    return;
  }
  // Schemaless objects (metadata, pod templates, patches) may hold anything.
  if (!value.is_object() || !schema.contains("properties")) return;
  const Json& props = schema["properties"];
  const bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  for (const auto& [key, child] : value.items()) {
    if (props.contains(key)) {
      ExpectDeclared(child, props[key], path + "." + key);
    } else if (!preserve) {
      ADD_FAILURE() << "the codec wrote " << path << "." << key << ", which the schema lacks";
    }
  }
}

TEST(SchemaCodecCoverageTest, FullyPopulatedBatchSandboxLosesNoField) {
  const Json schema = OpenApiSchema(BatchSandboxCrdJson());
  Json obj = Populate(schema);
  obj["metadata"] = {{"name", "b"}, {"namespace", "ns"}};
  auto typed = DecodeBatchSandbox(obj);
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(Encode(*typed), obj);
  ExpectDeclared(Encode(*typed), schema, "");
}

TEST(SchemaCodecCoverageTest, FullyPopulatedPoolLosesNoField) {
  const Json schema = OpenApiSchema(PoolCrdJson());
  Json obj = Populate(schema);
  obj["metadata"] = {{"name", "p"}};
  auto typed = DecodePool(obj);
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(Encode(*typed), obj);
  ExpectDeclared(Encode(*typed), schema, "");
}

TEST(SchemaCodecCoverageTest, DefaultConstructedObjectsEncodeOnlyDeclaredFields) {
  BatchSandbox bsx;
  bsx.status.emplace();
  bsx.status->conditions.emplace_back();
  bsx.spec.task_template.emplace().spec.emplace().process.emplace().env.emplace_back();
  ExpectDeclared(Encode(bsx), OpenApiSchema(BatchSandboxCrdJson()), "");
  Pool pool;
  pool.spec.scale_strategy.emplace();
  pool.spec.update_strategy.emplace();
  pool.spec.recycle_strategy.emplace();
  pool.status.emplace().conditions.emplace_back();
  ExpectDeclared(Encode(pool), OpenApiSchema(PoolCrdJson()), "");
}

TEST(SchemaCodecCoverageTest, DefaultsOfTheCodecEqualTheSchemaDefaults) {
  Json bsx = Json::parse(R"({"metadata": {"name": "b"}, "spec": {"template": {},
    "taskTemplate": {"spec": {}}}})");
  DefaultBatchSandbox(bsx);
  BatchSandbox typed_bsx;
  typed_bsx.metadata = bsx["metadata"];
  typed_bsx.spec.pod_template = Json::object();
  typed_bsx.spec.task_template.emplace().spec.emplace();
  EXPECT_EQ(EncodeJson(typed_bsx), bsx);

  Json pool = Json::parse(R"({"metadata": {"name": "p"}, "spec": {"capacitySpec":
    {"bufferMax": 0, "bufferMin": 0, "poolMax": 0, "poolMin": 0},
    "scaleStrategy": {}, "updateStrategy": {}, "recycleStrategy": {}}})");
  DefaultPool(pool);
  Pool typed_pool;
  typed_pool.metadata = pool["metadata"];
  typed_pool.spec.scale_strategy.emplace();
  typed_pool.spec.update_strategy.emplace();
  typed_pool.spec.recycle_strategy.emplace();
  EXPECT_EQ(EncodeJson(typed_pool), pool);
}

}  // namespace
}  // namespace osbx::api::v1alpha1
