#include "internal/standalone/apiserver/openapi.h"

#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/discovery.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string Ref(std::string_view name) { return fmt::format("#/components/schemas/{}", name); }

OrderedJson QueryParam(const std::string& name, const std::string& type,
                       const std::string& description) {
  OrderedJson p = OrderedJson::object();
  p["name"] = name;
  p["in"] = "query";
  p["description"] = description;
  p["schema"] = {{"type", type}, {"uniqueItems", true}};
  return p;
}

OrderedJson PathParam(const std::string& name, const std::string& description) {
  OrderedJson p = OrderedJson::object();
  p["name"] = name;
  p["in"] = "path";
  p["description"] = description;
  p["required"] = true;
  p["schema"] = {{"type", "string"}, {"uniqueItems", true}};
  return p;
}

OrderedJson Gvk(const ResourceInfo& r) {
  OrderedJson g = OrderedJson::object();
  g["group"] = r.group;
  g["version"] = r.version;
  g["kind"] = r.kind;
  return g;
}

std::string Camel(const std::string& text) {
  std::string out;
  bool upper = true;
  for (char c : text) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

OrderedJson Operation(const ResourceInfo& r, const std::string& action, const std::string& verb,
                      const std::string& id_suffix, bool with_body) {
  std::string group_part = r.group.empty() ? "Core" : Camel(r.group);
  OrderedJson op = OrderedJson::object();
  op["tags"] = OrderedJson::array({(r.group.empty() ? "core" : Camel(r.group)) + "_" + r.version});
  op["description"] = fmt::format("{} {}", action, r.kind);
  op["operationId"] = fmt::format("{}{}{}{}", verb, group_part, Camel(r.version), id_suffix);
  OrderedJson params = OrderedJson::array();
  if (with_body) {
    params.push_back(QueryParam("dryRun", "string",
                                "When present, indicates that modifications should not be "
                                "persisted."));
    params.push_back(QueryParam("fieldManager", "string",
                                "fieldManager is a name associated with the actor or entity that "
                                "is making these changes."));
    params.push_back(QueryParam("fieldValidation", "string",
                                "fieldValidation instructs the server on how to handle objects in "
                                "the request (POST/PUT/PATCH) containing unknown or duplicate "
                                "fields. Valid values are: Ignore, Warn, Strict."));
  }
  if (verb == "patch") {
    params.push_back(QueryParam("force", "boolean", "Force is going to \"force\" Apply requests."));
    OrderedJson content = OrderedJson::object();
    for (const char* type : {"application/apply-patch+yaml", "application/json-patch+json",
                             "application/merge-patch+json"}) {
      content[type] = {{"schema", {{"$ref", Ref(std::string(kMeta) + "Patch")}}}};
    }
    // Strategic merge patch is accepted for built-ins but not advertised: kubectl then computes
    // it from its own compiled-in types instead of from the minimal built-in schemas here.
    op["requestBody"] = {{"content", content}, {"required", true}};
  }
  if (!params.empty()) op["parameters"] = params;
  OrderedJson ok = OrderedJson::object();
  ok["description"] = "OK";
  ok["content"] = {{"application/json", {{"schema", {{"$ref", Ref(SchemaName(r))}}}}}};
  op["responses"] = {{"200", ok}, {"401", {{"description", "Unauthorized"}}}};
  op["x-kubernetes-action"] = verb == "replace"  ? "put"
                              : verb == "read"   ? "get"
                              : verb == "create" ? "post"
                                                 : verb;
  op["x-kubernetes-group-version-kind"] = Gvk(r);
  return op;
}

OrderedJson KindSchema(const ResourceInfo& r) {
  OrderedJson schema = r.crd && r.open_api_schema.is_object() && !r.open_api_schema.empty()
                           ? ToOrdered(r.open_api_schema)
                           : OrderedJson{{"type", "object"}};
  if (!schema.contains("properties")) schema["properties"] = OrderedJson::object();
  schema["properties"]["metadata"] = {
      {"description", "Standard object's metadata."},
      {"allOf", OrderedJson::array({{{"$ref", Ref(std::string(kMeta) + "ObjectMeta")}}})}};
  OrderedJson gvk = OrderedJson::object();
  gvk["group"] = r.group;
  gvk["kind"] = r.kind;
  gvk["version"] = r.version;
  schema["x-kubernetes-group-version-kind"] = OrderedJson::array({gvk});
  return schema;
}

void AddPaths(const ResourceInfo& r, OrderedJson& paths) {
  std::string root = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  std::string ns_part = r.namespaced ? "/namespaces/{namespace}" : "";
  std::string scope = r.namespaced ? "Namespaced" : "";
  std::string collection = root + ns_part + "/" + r.resource;
  std::string item = collection + "/{name}";
  OrderedJson coll = OrderedJson::object();
  coll["get"] = Operation(r, "list or watch objects of kind", "list", scope + r.kind, false);
  coll["post"] = Operation(r, "create a", "create", scope + r.kind, true);
  coll["delete"] =
      Operation(r, "delete collection of", "delete", "Collection" + scope + r.kind, false);
  OrderedJson params = OrderedJson::array();
  if (r.namespaced) params.push_back(PathParam("namespace", "object name and auth scope"));
  if (!params.empty()) coll["parameters"] = params;
  paths[collection] = coll;
  OrderedJson one = OrderedJson::object();
  one["get"] = Operation(r, "read the specified", "read", scope + r.kind, false);
  one["put"] = Operation(r, "replace the specified", "replace", scope + r.kind, true);
  one["delete"] = Operation(r, "delete a", "delete", scope + r.kind, false);
  one["patch"] = Operation(r, "partially update the specified", "patch", scope + r.kind, true);
  OrderedJson item_params = OrderedJson::array({PathParam("name", "name of the " + r.kind)});
  if (r.namespaced) item_params.push_back(PathParam("namespace", "object name and auth scope"));
  one["parameters"] = item_params;
  paths[item] = one;
  if (r.has_status) {
    OrderedJson status = OrderedJson::object();
    status["get"] =
        Operation(r, "read status of the specified", "read", scope + r.kind + "Status", false);
    status["put"] =
        Operation(r, "replace status of the specified", "replace", scope + r.kind + "Status", true);
    status["patch"] = Operation(r, "partially update status of the specified", "patch",
                                scope + r.kind + "Status", true);
    status["parameters"] = item_params;
    paths[item + "/status"] = status;
  }
  if (r.namespaced) {
    OrderedJson all = OrderedJson::object();
    all["get"] =
        Operation(r, "list or watch objects of kind", "list", r.kind + "ForAllNamespaces", false);
    paths[root + "/" + r.resource] = all;
  }
}

OrderedJson MetaSchemas() {
  OrderedJson s = OrderedJson::object();
  auto obj = [](const char* description) {
    return OrderedJson{{"description", description}, {"type", "object"}};
  };
  s[std::string(kMeta) + "DeleteOptions"] =
      obj("DeleteOptions may be provided when deleting an API object.");
  s[std::string(kMeta) + "ObjectMeta"] = obj(
      "ObjectMeta is metadata that all persisted resources must have, which includes all objects "
      "users must create.");
  s[std::string(kMeta) + "Patch"] = obj(
      "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.");
  s[std::string(kMeta) + "Status"] =
      obj("Status is a return value for calls that don't return other objects.");
  return s;
}

}  // namespace

std::string SchemaName(const ResourceInfo& r) {
  if (!r.crd) {
    if (r.resource == "customresourcedefinitions") {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition";
    }
    std::string group = r.group.empty() ? "core" : r.group.substr(0, r.group.find('.'));
    return fmt::format("io.k8s.api.{}.{}.{}", group, r.version, r.kind);
  }
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= r.group.size()) {
    size_t j = r.group.find('.', i);
    if (j == std::string::npos) j = r.group.size();
    parts.push_back(r.group.substr(i, j - i));
    i = j + 1;
  }
  std::reverse(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += p + ".";
  return out + r.version + "." + r.kind;
}

std::string OpenApiDocument(const Registry& registry, const std::string& group,
                            const std::string& version) {
  std::vector<ResourcePtr> resources;
  for (const ResourcePtr& r : registry.All()) {
    if (r->group == group && r->version == version) resources.push_back(r);
  }
  if (resources.empty()) return {};
  OrderedJson doc = OrderedJson::object();
  doc["openapi"] = "3.0.0";
  doc["info"] = {{"title", "Kubernetes"}, {"version", "v1.32.4"}};
  OrderedJson paths = OrderedJson::object();
  OrderedJson schemas = MetaSchemas();
  for (const ResourcePtr& r : resources) {
    AddPaths(*r, paths);
    schemas[SchemaName(*r)] = KindSchema(*r);
  }
  doc["paths"] = paths;
  doc["components"] = {{"schemas", schemas}};
  return GoJson(doc);
}

std::string OpenApiHash(const std::string& document) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(document.data()), document.size(), digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02X}", b);
  return hex;
}

std::string OpenApiIndex(const Registry& registry) {
  OrderedJson paths = OrderedJson::object();
  auto add = [&](const std::string& group, const std::string& version) {
    std::string key = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
    std::string doc = OpenApiDocument(registry, group, version);
    paths[key] = {
        {"serverRelativeURL", fmt::format("/openapi/v3/{}?hash={}", key, OpenApiHash(doc))}};
  };
  add("", "v1");
  for (const std::string& g : GroupOrder(registry)) {
    std::vector<std::string> versions;
    for (const ResourcePtr& r : registry.All()) {
      if (r->group == g &&
          std::find(versions.begin(), versions.end(), r->version) == versions.end()) {
        versions.push_back(r->version);
      }
    }
    for (const std::string& v : versions) add(g, v);
  }
  Json sorted = Json::object();
  for (auto it = paths.begin(); it != paths.end(); ++it) {
    sorted[it.key()] = Json::parse(it.value().dump());
  }
  return GoJson(Json{{"paths", sorted}});
}

namespace {

std::string HttpDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

void ApiServer::ServeOpenApi(Call& call) {
  const std::string& path = call.request.path;
  std::string last_modified = HttpDate(clock_.WallNow());
  if (path == "/openapi/v3") {
    call.writer.Send(200,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "text/plain; charset=utf-8"},
                      {"Last-Modified", last_modified}},
                     OpenApiIndex(registry_));
    return;
  }
  std::string rest = path.rfind("/openapi/v3/", 0) == 0 ? path.substr(12) : "";
  std::string group, version;
  if (rest.rfind("api/", 0) == 0) {
    version = rest.substr(4);
  } else if (rest.rfind("apis/", 0) == 0) {
    size_t slash = rest.find('/', 5);
    if (slash != std::string::npos) {
      group = rest.substr(5, slash - 5);
      version = rest.substr(slash + 1);
    }
  }
  std::string doc = version.empty() ? std::string() : OpenApiDocument(registry_, group, version);
  if (doc.empty()) {
    call.writer.Send(404,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}},
                     "404 page not found\n");
    return;
  }
  std::string hash = OpenApiHash(doc);
  auto asked = call.request.query.Get("hash");
  if (asked && *asked != hash) {
    call.writer.Send(301,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "application/json"},
                      {"Etag", "\"" + hash + "\""},
                      {"Location", "/openapi/v3/" + rest + "?hash=" + hash},
                      {"Vary", "Accept"}},
                     "");
    return;
  }
  http::Headers headers{{"Content-Type", "application/json"},
                        {"Etag", "\"" + hash + "\""},
                        {"Last-Modified", last_modified},
                        {"Vary", "Accept"}};
  if (asked) {
    headers.Add("Cache-Control", "public, immutable");
    std::string expires = HttpDate(clock_.WallNow() + std::chrono::hours(24 * 365));
    headers.Add("Expires", expires.substr(0, expires.size() - 3) + "UTC");
  } else {
    headers.Add("Cache-Control", "no-cache, private");
  }
  call.writer.Send(200, std::move(headers), std::move(doc));
}

}  // namespace osbx::standalone
