// Request dispatch and the single-object verbs: get, create, update (PUT), delete. With
// async_writes, writes other than creates run on blocking workers (async_write.cc).

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/wire_json.h"
#include "internal/standalone/store/stamp.h"

namespace osbx::standalone {
namespace {

bool IsWatch(const http::Request& request) {
  std::string_view w = request.query.GetOr("watch", "");
  return w == "true" || w == "1";
}

std::string MetaString(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return {};
  }
  const Json& meta = object["metadata"];
  return meta.contains(key) && meta[key].is_string() ? meta[key].get<std::string>() : std::string();
}

bool IsCorePods(const ResourceInfo& resource) {
  return resource.group.empty() && resource.resource == "pods";
}

}  // namespace

void ApiServer::ServeResource(Call& call) {
  const RequestInfo& info = call.info;
  const ResourceInfo& resource = *call.resource;
  const std::string& method = call.request.method;
  call.accept = NegotiateAccept(call.request.headers.Get("Accept"), false);
  if (call.accept.representation == Representation::kNotAcceptable) {
    RespondError(call, ApiError::NotAcceptable());
    return;
  }
  const std::string& sub = info.subresource;
  bool known_sub = sub.empty() || (sub == "status" && resource.has_status) ||
                   ((sub == "log" || sub == "binding") && IsCorePods(resource)) ||
                   (sub == "finalize" && resource.resource == "namespaces");
  if (!known_sub || (!sub.empty() && info.name.empty())) {
    call.writer.Send(404,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}},
                     "404 page not found\n");
    return;
  }
  if (call.request.body.find(kResourceVersionPlaceholder) != std::string::npos) {
    RespondError(call, ApiError::BadRequest("the request body contains a reserved string"));
    return;
  }
  if (sub == "log") {
    if (method != "GET") {
      RespondError(call, ApiError::MethodNotAllowed());
      return;
    }
    ServePodLog(call);
    return;
  }
  if (sub == "binding") {
    if (method != "POST") return RespondError(call, ApiError::MethodNotAllowed());
    return Dispatch(call, &ApiServer::ServeBinding);
  }
  if (method == "GET") {
    if (!info.name.empty()) return ServeGet(call);
    if (IsWatch(call.request)) return ServeWatch(call);
    return ServeList(call);
  }
  if (method == "POST") {
    if (!sub.empty()) {
      RespondError(call, ApiError::VerbNotSupported("create", resource.group, resource.resource));
      return;
    }
    return ServeCreate(call);
  }
  if (method == "PUT" || method == "PATCH") {
    if (info.name.empty()) {
      RespondError(call, ApiError::BadRequest("name must be provided"));
      return;
    }
    return Dispatch(call, method == "PUT" ? &ApiServer::ServeUpdate : &ApiServer::ServePatch);
  }
  if (method == "DELETE") {
    if (!sub.empty()) {
      RespondError(call, ApiError::VerbNotSupported("delete", resource.group, resource.resource));
      return;
    }
    return Dispatch(
        call, info.name.empty() ? &ApiServer::ServeDeleteCollection : &ApiServer::ServeDelete);
  }
  RespondError(call, ApiError::MethodNotAllowed());
}

void ApiServer::ServeGet(Call& call) {
  ApiOr<Json> object = GetObject(*call.resource, call.info.namespace_, call.info.name);
  if (!object.ok()) return RespondError(call, object.error());
  Respond(call, 200, *object);
}

void ApiServer::ServePodLog(Call& call) {
  ApiOr<Json> object = GetObject(*call.resource, call.info.namespace_, call.info.name);
  if (!object.ok()) return RespondError(call, object.error());
  call.writer.Send(200, {{"Cache-Control", "no-cache, private"}, {"Content-Type", "text/plain"}},
                   "");
}

void ApiServer::ServeCreate(Call& call) {
  const ResourceInfo& resource = *call.resource;
  BodyType type = ClassifyContentType(call.request.headers.Get("Content-Type"));
  if (type != BodyType::kJson && type != BodyType::kYaml && type != BodyType::kProtobuf) {
    return RespondError(call,
                        ApiError::UnsupportedMediaType("application/json, application/yaml, "
                                                       "application/vnd.kubernetes.protobuf"));
  }
  ApiOr<Json> object = DecodeObjectBody(resource, type, call.request.body);
  if (!object.ok()) return RespondError(call, object.error());
  if (!call.info.name.empty()) {
    std::string body_name = MetaString(*object, "name");
    if (!body_name.empty() && body_name != call.info.name) {
      return RespondError(call, ApiError::BadRequest(fmt::format(
                                    "the name of the object ({}) does not match the name on the "
                                    "URL ({})",
                                    body_name, call.info.name)));
    }
    (*object)["metadata"]["name"] = call.info.name;
  }
  WriteOptions options = WriteOptionsOf(call);
  if (type == BodyType::kJson) options.duplicate_fields = FindDuplicateFields(call.request.body);
  if (options_.async_writes) return ServeCreateAsync(call, std::move(*object), std::move(options));
  ApiOr<Json> created = CreateObject(resource, call.info.namespace_, std::move(*object), options);
  if (!created.ok()) return RespondError(call, created.error());
  Respond(call, 201, *created);
}

void ApiServer::ServeUpdate(Call& call) {
  const ResourceInfo& resource = *call.resource;
  BodyType type = ClassifyContentType(call.request.headers.Get("Content-Type"));
  if (type != BodyType::kJson && type != BodyType::kYaml && type != BodyType::kProtobuf) {
    return RespondError(call,
                        ApiError::UnsupportedMediaType("application/json, application/yaml, "
                                                       "application/vnd.kubernetes.protobuf"));
  }
  ApiOr<Json> object = DecodeObjectBody(resource, type, call.request.body);
  if (!object.ok()) return RespondError(call, object.error());
  std::string body_name = MetaString(*object, "name");
  if (!body_name.empty() && body_name != call.info.name) {
    return RespondError(call, ApiError::BadRequest(fmt::format(
                                  "the name of the object ({}) does not match the name on the URL "
                                  "({})",
                                  body_name, call.info.name)));
  }
  std::string rv = MetaString(*object, "resourceVersion");
  if (rv.empty() && resource.crd) {
    return RespondError(
        call, ApiError::InvalidResource(
                  resource.group, resource.resource, call.info.name,
                  {{"FieldValueInvalid", "Invalid value: 0: must be specified for an update",
                    "metadata.resourceVersion"}}));
  }
  Json desired = std::move(*object);
  Mutator mutate = [&](const Json& current) -> ApiOr<Json> {
    if (!rv.empty() && rv != MetaString(current, "resourceVersion")) {
      return ApiError::Conflict(resource.group, resource.resource, call.info.name);
    }
    return desired;
  };
  WriteOptions options = WriteOptionsOf(call);
  if (type == BodyType::kJson) options.duplicate_fields = FindDuplicateFields(call.request.body);
  ApiOr<MutateResult> result = MutateObject(resource, call.info.namespace_, call.info.name,
                                            call.info.subresource, mutate, options);
  if (!result.ok()) return RespondError(call, result.error());
  Respond(call, 200, result->object);
}

void ApiServer::ServeDelete(Call& call) {
  const ResourceInfo& resource = *call.resource;
  DeleteRequest request;
  const http::QueryParams& q = call.request.query;
  if (!call.request.body.empty()) {
    ApiOr<Json> options = ParseJsonText(call.request.body);
    if (!options.ok() || !options->is_object()) {
      return RespondError(call, ApiError::BadRequest("the body of the request could not be "
                                                     "decoded as DeleteOptions"));
    }
    const Json& o = *options;
    if (o.contains("propagationPolicy") && o["propagationPolicy"].is_string()) {
      request.propagation = o["propagationPolicy"].get<std::string>();
    }
    if (o.contains("gracePeriodSeconds") && o["gracePeriodSeconds"].is_number_integer()) {
      request.grace_seconds = o["gracePeriodSeconds"].get<int64_t>();
    }
    if (o.contains("preconditions") && o["preconditions"].is_object()) {
      request.precondition_uid = o["preconditions"].value("uid", "");
      request.precondition_rv = o["preconditions"].value("resourceVersion", "");
    }
    if (o.contains("dryRun") && o["dryRun"].is_array() && !o["dryRun"].empty()) {
      request.dry_run = true;
    }
    if (o.contains("orphanDependents") && o["orphanDependents"].is_boolean()) {
      request.propagation = o["orphanDependents"].get<bool>() ? "Orphan" : "Background";
    }
  }
  if (q.Has("propagationPolicy"))
    request.propagation = std::string(q.GetOr("propagationPolicy", ""));
  if (q.Has("gracePeriodSeconds")) {
    request.grace_seconds =
        std::strtoll(std::string(q.GetOr("gracePeriodSeconds", "0")).c_str(), nullptr, 10);
  }
  if (q.GetOr("dryRun", "") == "All") request.dry_run = true;
  ApiOr<DeleteResult> result =
      DeleteObject(resource, call.info.namespace_, call.info.name, request);
  if (!result.ok()) return RespondError(call, result.error());
  bool answers_status = result->gone && resource.resource != "pods";
  if (!answers_status) return Respond(call, 200, result->object);
  OrderedJson details = OrderedJson::object();
  details["name"] = call.info.name;
  if (!resource.group.empty()) details["group"] = resource.group;
  details["kind"] = resource.resource;
  details["uid"] = MetaString(result->object, "uid");
  OrderedJson status = OrderedJson::object();
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = OrderedJson::object();
  status["status"] = "Success";
  status["details"] = std::move(details);
  RespondJson(call, 200, status);
}

}  // namespace osbx::standalone
