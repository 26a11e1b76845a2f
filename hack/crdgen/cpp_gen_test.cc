#include "hack/crdgen/cpp_gen.h"

#include <gtest/gtest.h>

#include "hack/crdgen/crd.h"
#include "hack/crdgen/yaml_json.h"

namespace osbx::crdgen {
namespace {

OrderedJson Source(const std::string& schema_yaml) {
  std::string text =
      "group: g.io\nversion: v1\nresources:\n- kind: Thing\n  listKind: ThingList\n"
      "  plural: things\n  singular: thing\n  scope: Namespaced\n  openAPIV3Schema:\n";
  std::string indented;
  size_t pos = 0;
  while (pos < schema_yaml.size()) {
    size_t end = schema_yaml.find('\n', pos);
    if (end == std::string::npos) end = schema_yaml.size();
    indented += "    " + schema_yaml.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  auto doc = YamlToJson(text + indented);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : OrderedJson();
}

StatusOr<GeneratedFiles> Generate(const OrderedJson& source) {
  auto crds = BuildCrds(source);
  if (!crds.ok()) return crds.status();
  return GenerateCpp(source, *crds);
}

TEST(SnakeCaseTest, ConvertsCamelCase) {
  EXPECT_EQ(SnakeCase("observedGeneration"), "observed_generation");
  EXPECT_EQ(SnakeCase("replicas"), "replicas");
}

TEST(CrdTest, StripsGeneratorKeysFromTheCrd) {
  auto crds =
      BuildCrds(Source("type: object\nx-cpp-type: Thing\nproperties:\n"
                       "  a: {type: string, x-cpp-name: b}\n"));
  ASSERT_TRUE(crds.ok()) << crds.status().ToString();
  ASSERT_EQ(crds->size(), 1u);
  EXPECT_EQ((*crds)[0].file_name, "g.io_things.yaml");
  EXPECT_EQ((*crds)[0].crd["metadata"]["name"], "things.g.io");
  EXPECT_EQ(CrdFileText((*crds)[0]).find("x-cpp"), std::string::npos);
}

TEST(CppGenTest, GeneratesStructsWithOptionalDefaultedAndUnknownFields) {
  auto files = Generate(
      Source("type: object\nx-cpp-type: Thing\nx-kubernetes-preserve-unknown-fields: true\n"
             "required: [size]\nproperties:\n  size: {type: integer, format: int32}\n"
             "  mode: {type: string, enum: [A, B], default: A, x-cpp-enum: Mode}\n"
             "  note: {type: string}\n  template: {type: object, x-cpp-name: pod_template}\n"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const std::string& h = files->at("types_generated.h");
  EXPECT_NE(h.find("int32_t size = 0;"), std::string::npos) << h;
  EXPECT_NE(h.find("std::string mode = \"A\";"), std::string::npos) << h;
  EXPECT_NE(h.find("std::optional<std::string> note;"), std::string::npos) << h;
  EXPECT_NE(h.find("Json pod_template;"), std::string::npos) << h;
  EXPECT_NE(h.find("Json unknown_fields;"), std::string::npos) << h;
  EXPECT_NE(h.find("kModeB = \"B\""), std::string::npos) << h;
}

TEST(CppGenTest, RejectsObjectsWithoutCppTypeAndKeywordNames) {
  EXPECT_FALSE(Generate(Source("type: object\nproperties:\n  a: {type: string}\n")).ok());
  EXPECT_FALSE(Generate(Source("type: object\nx-cpp-type: T\nproperties:\n"
                               "  template: {type: object}\n"))
                   .ok());
}

TEST(CppGenTest, RejectsOneTypeNameForTwoDifferentSchemas) {
  auto files =
      Generate(Source("type: object\nx-cpp-type: T\nproperties:\n"
                      "  a: {type: object, x-cpp-type: S, properties: {x: {type: string}}}\n"
                      "  b: {type: object, x-cpp-type: S, properties: {y: {type: string}}}\n"));
  EXPECT_FALSE(files.ok());
}

}  // namespace
}  // namespace osbx::crdgen
