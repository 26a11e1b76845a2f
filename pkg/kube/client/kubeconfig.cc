#include "pkg/kube/client/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include "pkg/kube/client/base64.h"
#include "pkg/kube/client/files.h"

namespace osbx::kube {
namespace {

// Parsing state shared by the helpers: where relative paths resolve and how to prefix errors.
struct Parser {
  std::filesystem::path base_dir;
  std::string source;

  Status Error(const std::string& what) const {
    return InvalidError("kubeconfig " + source + ": " + what);
  }
};

// The entry of a named list (clusters, users, contexts) whose `name` is `name`, unwrapped from its
// `field` member; an undefined node when absent.
StatusOr<YAML::Node> FindNamed(const Parser& p, const YAML::Node& root, const std::string& list,
                               const std::string& field, const std::string& name) {
  YAML::Node entries = root[list];
  if (!entries) return p.Error("no " + list + " defined");
  if (!entries.IsSequence()) return p.Error("'" + list + "' must be a list");
  for (const YAML::Node& entry : entries) {
    if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) continue;
    if (entry["name"].Scalar() != name) continue;
    YAML::Node body = entry[field];
    if (!body || body.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!body.IsMap()) return p.Error(list + "[" + name + "]." + field + " must be a mapping");
    return body;
  }
  std::string singular = list.substr(0, list.size() - 1);
  return p.Error(singular + " \"" + name + "\" not found");
}

// A scalar string field; nullopt when absent or empty.
StatusOr<std::optional<std::string>> StringField(const Parser& p, const YAML::Node& node,
                                                 const std::string& where, const std::string& key) {
  YAML::Node v = node[key];
  if (!v || v.IsNull()) return std::optional<std::string>();
  if (!v.IsScalar()) return p.Error(where + "." + key + " must be a string");
  if (v.Scalar().empty()) return std::optional<std::string>();
  return std::optional<std::string>(v.Scalar());
}

// PEM material given either inline as base64 (`<key>-data`, which wins) or as a file path.
StatusOr<std::string> PemField(const Parser& p, const YAML::Node& node, const std::string& where,
                               const std::string& key) {
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> data,
                        StringField(p, node, where, key + "-data"));
  std::string pem;
  if (data) {
    std::optional<std::string> decoded = Base64Decode(*data);
    if (!decoded) return p.Error(where + "." + key + "-data is not valid base64");
    pem = std::move(*decoded);
  } else {
    OSBX_ASSIGN_OR_RETURN(std::optional<std::string> file, StringField(p, node, where, key));
    if (!file) return std::string();
    std::filesystem::path path(*file);
    if (path.is_relative()) path = p.base_dir / path;
    StatusOr<std::string> contents = ReadFileToString(path);
    if (!contents.ok()) return p.Error(where + "." + key + ": " + contents.status().message());
    pem = std::move(*contents);
  }
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return p.Error(where + "." + key + " does not contain PEM data");
  }
  return pem;
}

Status ApplyCluster(const Parser& p, const YAML::Node& cluster, const std::string& name,
                    RestConfig& config) {
  std::string where = "clusters[" + name + "]";
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> server,
                        StringField(p, cluster, where, "server"));
  if (!server) return p.Error(where + " has no server");
  if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
    return p.Error(where + ".server \"" + *server + "\" is not an http(s) URL");
  }
  config.server = *server;
  while (config.server.size() > 1 && config.server.back() == '/') config.server.pop_back();
  OSBX_ASSIGN_OR_RETURN(config.ca_pem, PemField(p, cluster, where, "certificate-authority"));
  YAML::Node insecure = cluster["insecure-skip-tls-verify"];
  if (insecure && !insecure.IsNull()) {
    bool value = false;
    if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
      return p.Error(where + ".insecure-skip-tls-verify must be true or false");
    }
    config.insecure_skip_tls_verify = value;
  }
  return Status::Ok();
}

Status ApplyUser(const Parser& p, const YAML::Node& user, const std::string& name,
                 RestConfig& config) {
  std::string where = "users[" + name + "]";
  if (user["exec"]) return p.Error(where + ": exec credential plugins are not supported");
  if (user["auth-provider"]) return p.Error(where + ": auth-provider plugins are not supported");
  OSBX_ASSIGN_OR_RETURN(config.client_cert_pem, PemField(p, user, where, "client-certificate"));
  OSBX_ASSIGN_OR_RETURN(config.client_key_pem, PemField(p, user, where, "client-key"));
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return p.Error(where + ": client-certificate and client-key must be given together");
  }
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> token, StringField(p, user, where, "token"));
  if (token) config.bearer_token = *token;
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> token_file,
                        StringField(p, user, where, "tokenFile"));
  if (token_file) {
    std::filesystem::path path(*token_file);
    if (path.is_relative()) path = p.base_dir / path;
    StatusOr<std::string> contents = ReadFileToString(path);
    if (!contents.ok()) return p.Error(where + ".tokenFile: " + contents.status().message());
    config.bearer_token_file = path.string();
  }
  return Status::Ok();
}

StatusOr<RestConfig> ParseRoot(const Parser& p, const YAML::Node& root, std::string_view context) {
  if (!root.IsMap()) return p.Error("top level must be a mapping");
  std::string context_name(context);
  if (context_name.empty()) {
    OSBX_ASSIGN_OR_RETURN(std::optional<std::string> current,
                          StringField(p, root, "config", "current-context"));
    if (!current) return p.Error("current-context is not set");
    context_name = *current;
  }
  OSBX_ASSIGN_OR_RETURN(YAML::Node ctx, FindNamed(p, root, "contexts", "context", context_name));
  std::string where = "contexts[" + context_name + "]";
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> cluster_name,
                        StringField(p, ctx, where, "cluster"));
  if (!cluster_name) return p.Error(where + " names no cluster");
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> user_name, StringField(p, ctx, where, "user"));
  OSBX_ASSIGN_OR_RETURN(std::optional<std::string> ns, StringField(p, ctx, where, "namespace"));

  RestConfig config;
  config.source = p.source;
  config.default_namespace = ns.value_or("");
  OSBX_ASSIGN_OR_RETURN(YAML::Node cluster,
                        FindNamed(p, root, "clusters", "cluster", *cluster_name));
  OSBX_RETURN_IF_ERROR(ApplyCluster(p, cluster, *cluster_name, config));
  if (user_name) {
    OSBX_ASSIGN_OR_RETURN(YAML::Node user, FindNamed(p, root, "users", "user", *user_name));
    OSBX_RETURN_IF_ERROR(ApplyUser(p, user, *user_name, config));
  }
  return config;
}

}  // namespace

StatusOr<RestConfig> ParseKubeconfig(std::string_view yaml, const std::filesystem::path& base_dir,
                                     std::string_view source, std::string_view context) {
  Parser p{base_dir, std::string(source)};
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root || root.IsNull()) return p.Error("file is empty");
    return ParseRoot(p, root, context);
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? ""
                                         : " at line " + std::to_string(e.mark.line + 1) +
                                               ", column " + std::to_string(e.mark.column + 1);
    return p.Error("invalid YAML" + where + ": " + e.msg);
  } catch (const std::exception& e) {
    return p.Error(std::string("cannot parse: ") + e.what());
  }
}

StatusOr<RestConfig> LoadKubeconfig(const std::string& path, std::string_view context) {
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return InvalidError("kubeconfig: " + text.status().message());
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  return ParseKubeconfig(*text, abs.parent_path(), path, context);
}

}  // namespace osbx::kube
