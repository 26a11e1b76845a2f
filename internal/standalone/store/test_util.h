#pragma once
// Helpers shared by the store's tests: a temporary data directory and small JSON objects
// carrying the resourceVersion placeholder.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "internal/standalone/store/stamp.h"
#include "internal/utils/json.h"

namespace osbx::standalone::testing {

// A fresh directory removed (with its contents) when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "osbx-store-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A small object as the API server would hand it over: serialized, RV placeholder in place.
inline std::string ObjectJson(const std::string& name, const std::string& data,
                              const std::string& uid = "uid-0") {
  Json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata",
               {{"name", name},
                {"uid", uid},
                {"resourceVersion", std::string(kResourceVersionPlaceholder)}}},
              {"data", {{"value", data}}}};
  return obj.dump();
}

// The "data.value" and "metadata.resourceVersion" of a stored object.
inline std::string DataOf(const std::string& json) {
  return Json::parse(json).at("data").at("value").get<std::string>();
}
inline std::string RvOf(const std::string& json) {
  return Json::parse(json).at("metadata").at("resourceVersion").get<std::string>();
}

}  // namespace osbx::standalone::testing
