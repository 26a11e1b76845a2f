#include "internal/standalone/apiserver/discovery.h"

#include <openssl/sha.h>

#include <algorithm>

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

OrderedJson Strings(const std::vector<std::string>& values) {
  OrderedJson out = OrderedJson::array();
  for (const std::string& v : values) out.push_back(v);
  return out;
}

OrderedJson ResponseKind(const ResourceInfo& r, const std::string& kind) {
  OrderedJson k = OrderedJson::object();
  k["group"] = r.crd ? r.group : "";
  k["version"] = r.crd ? r.version : "";
  k["kind"] = kind;
  return k;
}

std::vector<ResourcePtr> Resources(const Registry& registry, const std::string& group,
                                   const std::string& version) {
  std::vector<ResourcePtr> out;
  for (const ResourcePtr& r : registry.All()) {
    if (r->group == group && r->version == version) out.push_back(r);
  }
  std::sort(out.begin(), out.end(),
            [](const ResourcePtr& a, const ResourcePtr& b) { return a->resource < b->resource; });
  return out;
}

std::vector<std::string> Versions(const Registry& registry, const std::string& group) {
  std::vector<std::string> out;
  for (const ResourcePtr& r : registry.All()) {
    if (r->group == group && std::find(out.begin(), out.end(), r->version) == out.end()) {
      out.push_back(r->version);
    }
  }
  return out;
}

OrderedJson AggregatedResource(const ResourceInfo& r) {
  OrderedJson e = OrderedJson::object();
  e["resource"] = r.resource;
  e["responseKind"] = ResponseKind(r, r.kind);
  e["scope"] = r.namespaced ? "Namespaced" : "Cluster";
  e["singularResource"] = r.singular;
  e["verbs"] = Strings(r.verbs);
  if (!r.short_names.empty()) e["shortNames"] = Strings(r.short_names);
  if (!r.categories.empty()) e["categories"] = Strings(r.categories);
  std::vector<ResourceInfo::Sub> subs = r.extra_subresources;
  if (r.has_status) subs.push_back({"status", r.kind, {"get", "patch", "update"}});
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  if (!subs.empty()) {
    OrderedJson list = OrderedJson::array();
    for (const auto& s : subs) {
      OrderedJson sub = OrderedJson::object();
      sub["subresource"] = s.name;
      sub["responseKind"] = ResponseKind(r, s.kind);
      sub["verbs"] = Strings(s.verbs);
      list.push_back(sub);
    }
    e["subresources"] = list;
  }
  return e;
}

OrderedJson AggregatedGroup(const Registry& registry, const std::string& group) {
  OrderedJson item = OrderedJson::object();
  item["metadata"] = OrderedJson::object();
  if (!group.empty()) item["metadata"]["name"] = group;
  OrderedJson versions = OrderedJson::array();
  for (const std::string& version : Versions(registry, group)) {
    OrderedJson v = OrderedJson::object();
    v["version"] = version;
    OrderedJson resources = OrderedJson::array();
    for (const ResourcePtr& r : Resources(registry, group, version)) {
      resources.push_back(AggregatedResource(*r));
    }
    v["resources"] = resources;
    v["freshness"] = "Current";
    versions.push_back(v);
  }
  item["versions"] = versions;
  return item;
}

OrderedJson AggregatedList(OrderedJson items) {
  OrderedJson out = OrderedJson::object();
  out["kind"] = "APIGroupDiscoveryList";
  out["apiVersion"] = "apidiscovery.k8s.io/v2";
  out["metadata"] = OrderedJson::object();
  out["items"] = std::move(items);
  return out;
}

OrderedJson GroupVersionRef(const std::string& group, const std::string& version) {
  OrderedJson gv = OrderedJson::object();
  gv["groupVersion"] = group + "/" + version;
  gv["version"] = version;
  return gv;
}

OrderedJson GroupEntry(const Registry& registry, const std::string& group) {
  OrderedJson g = OrderedJson::object();
  g["name"] = group;
  OrderedJson versions = OrderedJson::array();
  std::vector<std::string> vs = Versions(registry, group);
  for (const std::string& v : vs) versions.push_back(GroupVersionRef(group, v));
  g["versions"] = versions;
  g["preferredVersion"] = GroupVersionRef(group, vs.empty() ? "" : vs.front());
  return g;
}

}  // namespace

std::string VersionBody() {
  OrderedJson v = OrderedJson::object();
  v["major"] = "1";
  v["minor"] = "32";
  v["emulationMajor"] = "1";
  v["emulationMinor"] = "32";
  v["minCompatibilityMajor"] = "1";
  v["minCompatibilityMinor"] = "31";
  v["gitVersion"] = "v1.32.4-opensandbox";
  v["gitCommit"] = "0000000000000000000000000000000000000000";
  v["gitTreeState"] = "clean";
  v["buildDate"] = "2026-01-01T00:00:00Z";
  v["goVersion"] = "none";
  v["compiler"] = "gc";
  v["platform"] = "linux/amd64";
  return v.dump(2) + "\n";
}

std::vector<std::string> GroupOrder(const Registry& registry) {
  std::vector<std::string> builtin, custom;
  for (const ResourcePtr& r : registry.All()) {
    if (r->group.empty()) continue;
    std::vector<std::string>& list = r->crd ? custom : builtin;
    if (std::find(list.begin(), list.end(), r->group) == list.end() &&
        std::find(builtin.begin(), builtin.end(), r->group) == builtin.end()) {
      list.push_back(r->group);
    }
  }
  std::sort(custom.begin(), custom.end());
  builtin.insert(builtin.end(), custom.begin(), custom.end());
  return builtin;
}

OrderedJson LegacyApiVersions(const std::string& server_address) {
  OrderedJson out = OrderedJson::object();
  out["kind"] = "APIVersions";
  out["versions"] = OrderedJson::array({"v1"});
  OrderedJson addr = OrderedJson::object();
  addr["clientCIDR"] = "0.0.0.0/0";
  addr["serverAddress"] = server_address;
  out["serverAddressByClientCIDRs"] = OrderedJson::array({addr});
  return out;
}

OrderedJson AggregatedCore(const Registry& registry) {
  return AggregatedList(OrderedJson::array({AggregatedGroup(registry, "")}));
}

OrderedJson AggregatedGroups(const Registry& registry) {
  OrderedJson items = OrderedJson::array();
  for (const std::string& g : GroupOrder(registry)) items.push_back(AggregatedGroup(registry, g));
  return AggregatedList(std::move(items));
}

OrderedJson LegacyGroupList(const Registry& registry) {
  OrderedJson out = OrderedJson::object();
  out["kind"] = "APIGroupList";
  out["apiVersion"] = "v1";
  OrderedJson groups = OrderedJson::array();
  for (const std::string& g : GroupOrder(registry)) groups.push_back(GroupEntry(registry, g));
  out["groups"] = groups;
  return out;
}

OrderedJson ResourceList(const Registry& registry, const std::string& group,
                         const std::string& version) {
  std::vector<ResourcePtr> resources = Resources(registry, group, version);
  if (resources.empty()) return nullptr;
  OrderedJson out = OrderedJson::object();
  out["kind"] = "APIResourceList";
  if (!group.empty()) out["apiVersion"] = "v1";
  out["groupVersion"] = group.empty() ? version : group + "/" + version;
  OrderedJson list = OrderedJson::array();
  for (const ResourcePtr& r : resources) {
    OrderedJson e = OrderedJson::object();
    e["name"] = r->resource;
    e["singularName"] = r->singular;
    e["namespaced"] = r->namespaced;
    e["kind"] = r->kind;
    e["verbs"] = Strings(r->verbs);
    if (!r->short_names.empty()) e["shortNames"] = Strings(r->short_names);
    if (!r->categories.empty()) e["categories"] = Strings(r->categories);
    e["storageVersionHash"] = r->StorageVersionHash();
    list.push_back(e);
    std::vector<ResourceInfo::Sub> subs = r->extra_subresources;
    if (r->has_status) subs.push_back({"status", r->kind, {"get", "patch", "update"}});
    std::sort(subs.begin(), subs.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const auto& s : subs) {
      OrderedJson sub = OrderedJson::object();
      sub["name"] = r->resource + "/" + s.name;
      sub["singularName"] = "";
      sub["namespaced"] = r->namespaced;
      sub["kind"] = s.kind;
      sub["verbs"] = Strings(s.verbs);
      list.push_back(sub);
    }
  }
  out["resources"] = list;
  return out;
}

OrderedJson GroupDocument(const Registry& registry, const std::string& group) {
  if (Versions(registry, group).empty()) return nullptr;
  OrderedJson out = OrderedJson::object();
  out["kind"] = "APIGroup";
  out["apiVersion"] = "v1";
  OrderedJson entry = GroupEntry(registry, group);
  for (auto it = entry.begin(); it != entry.end(); ++it) out[it.key()] = it.value();
  return out;
}

std::string DiscoveryEtag(const std::string& body) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  std::string hex = "\"";
  for (unsigned char b : digest) hex += fmt::format("{:02X}", b);
  return hex + "\"";
}

void ApiServer::ServeDiscovery(Call& call) {
  const std::string& path = call.request.path;
  auto plain404 = [&] {
    call.writer.Send(404,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}},
                     "404 page not found\n");
  };
  if (path == "/version") {
    call.writer.Send(200,
                     {{"Cache-Control", "no-cache, private"}, {"Content-Type", "application/json"}},
                     VersionBody());
    return;
  }
  std::string_view accept = call.request.headers.Get("Accept");
  if (path == "/api" || path == "/apis") {
    Negotiated n = NegotiateAccept(accept, true);
    if (n.representation == Representation::kNotAcceptable) {
      return RespondError(call, ApiError::NotAcceptable());
    }
    if (n.representation == Representation::kDiscoveryV2) {
      std::string body =
          BodyText(path == "/api" ? AggregatedCore(registry_) : AggregatedGroups(registry_));
      std::string etag = DiscoveryEtag(body);
      http::Headers headers{{"Cache-Control", "public"}, {"Etag", etag}, {"Vary", "Accept"}};
      if (call.request.headers.Get("If-None-Match") == etag) {
        call.writer.Send(304, std::move(headers), "");
        return;
      }
      headers.Add("Content-Type",
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
      call.writer.Send(200, std::move(headers), std::move(body));
      return;
    }
    return RespondJson(
        call, 200,
        path == "/api" ? LegacyApiVersions(options_.server_address) : LegacyGroupList(registry_));
  }
  std::vector<std::string> parts;
  for (size_t i = 1; i <= path.size();) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  OrderedJson doc;
  if (parts.size() == 2 && parts[0] == "api") doc = ResourceList(registry_, "", parts[1]);
  if (parts.size() == 2 && parts[0] == "apis") doc = GroupDocument(registry_, parts[1]);
  if (parts.size() == 3 && parts[0] == "apis") doc = ResourceList(registry_, parts[1], parts[2]);
  if (doc.is_null()) return plain404();
  call.accept = NegotiateAccept(accept, false);
  if (call.accept.representation == Representation::kNotAcceptable) {
    return RespondError(call, ApiError::NotAcceptable());
  }
  RespondJson(call, 200, doc);
}

}  // namespace osbx::standalone
