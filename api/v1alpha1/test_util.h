#pragma once
// Helpers shared by the v1alpha1 tests: reading repository files and YAML as JSON.

#include <fstream>
#include <sstream>
#include <string>

#include "hack/crdgen/yaml_json.h"
#include "internal/utils/json.h"

namespace osbx::api::v1alpha1::testing {

// The bytes of a file relative to the repository root (tests run from there); "" if unreadable.
inline std::string ReadRepoFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A YAML document as plain JSON (null when it does not parse).
inline Json YamlFileToJson(const std::string& path) {
  auto doc = crdgen::YamlToJson(ReadRepoFile(path));
  if (!doc.ok()) return Json();
  return Json::parse(doc->dump());
}

}  // namespace osbx::api::v1alpha1::testing
