// crdgen: generates the CRD manifests and the C++ typed views from api/v1alpha1/schema.yaml.
//
//   crdgen --schema api/v1alpha1/schema.yaml --out config/crd/bases     (make manifests)
//   crdgen --schema api/v1alpha1/schema.yaml --cpp-out <build>/gen/api/v1alpha1
//
// Files whose content is unchanged are not rewritten, so builds stay incremental.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hack/crdgen/cpp_gen.h"
#include "hack/crdgen/crd.h"
#include "hack/crdgen/yaml_json.h"

namespace {

using osbx::Status;

osbx::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return osbx::NotFoundError("cannot read " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Status WriteIfChanged(const std::filesystem::path& path, const std::string& content) {
  auto existing = ReadFile(path.string());
  if (existing.ok() && *existing == content) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return osbx::InternalError("cannot write " + path.string());
  return Status::Ok();
}

Status Run(const std::string& schema_path, const std::string& crd_out, const std::string& cpp_out) {
  OSBX_ASSIGN_OR_RETURN(std::string text, ReadFile(schema_path));
  OSBX_ASSIGN_OR_RETURN(osbx::OrderedJson source, osbx::crdgen::YamlToJson(text));
  OSBX_ASSIGN_OR_RETURN(auto crds, osbx::crdgen::BuildCrds(source));
  if (!crd_out.empty()) {
    for (const auto& crd : crds) {
      OSBX_RETURN_IF_ERROR(WriteIfChanged(std::filesystem::path(crd_out) / crd.file_name,
                                          osbx::crdgen::CrdFileText(crd)));
    }
  }
  if (!cpp_out.empty()) {
    OSBX_ASSIGN_OR_RETURN(auto files, osbx::crdgen::GenerateCpp(source, crds));
    for (const auto& [name, content] : files) {
      OSBX_RETURN_IF_ERROR(WriteIfChanged(std::filesystem::path(cpp_out) / name, content));
    }
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generates CRD manifests and C++ API types from the API schema source."};
  std::string schema_path;
  std::string crd_out;
  std::string cpp_out;
  app.add_option("--schema", schema_path, "The schema source (api/v1alpha1/schema.yaml)")
      ->required();
  app.add_option("--out", crd_out, "Directory for the CRD manifests (config/crd/bases)");
  app.add_option("--cpp-out", cpp_out, "Directory for the generated C++ sources");
  CLI11_PARSE(app, argc, argv);
  if (crd_out.empty() && cpp_out.empty()) {
    std::cerr << "crdgen: nothing to do; give --out and/or --cpp-out\n";
    return 2;
  }
  const Status status = Run(schema_path, crd_out, cpp_out);
  if (!status.ok()) {
    std::cerr << "crdgen: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
