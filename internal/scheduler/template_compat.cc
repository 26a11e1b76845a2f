#include "internal/scheduler/template_compat.h"

#include <map>
#include <string>

namespace osbx::scheduler {
namespace {

// name -> image of spec.containers, in name order.
std::map<std::string, std::string> Containers(const Json& pod_template) {
  std::map<std::string, std::string> out;
  if (!pod_template.is_object()) return out;
  const Json spec = pod_template.value("spec", Json::object());
  if (!spec.is_object()) return out;
  const Json containers = spec.value("containers", Json::array());
  if (!containers.is_array()) return out;
  for (const Json& c : containers) {
    if (!c.is_object()) continue;
    const Json name = c.value("name", Json());
    const Json image = c.value("image", Json());
    out[name.is_string() ? name.get<std::string>() : ""] =
        image.is_string() ? image.get<std::string>() : "";
  }
  return out;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Status CheckTemplateCompatible(const Json& batch_template, const Json& pool_template) {
  if (batch_template.is_null()) return Status::Ok();
  const auto mine = Containers(batch_template);
  const auto pools = Containers(pool_template);
  for (const auto& [name, image] : mine) {
    auto it = pools.find(name);
    if (it == pools.end()) {
      return InvalidError("container " + Quote(name) + " is not in the Pool's template");
    }
    if (it->second != image) {
      return InvalidError("container " + Quote(name) + ": image " + Quote(image) +
                          " differs from the Pool's " + Quote(it->second));
    }
  }
  for (const auto& [name, image] : pools) {
    if (mine.count(name) == 0) {
      return InvalidError("the Pool's container " + Quote(name) +
                          " is missing from the BatchSandbox template");
    }
  }
  return Status::Ok();
}

}  // namespace osbx::scheduler
