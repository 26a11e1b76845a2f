#pragma once
// The part of Kubernetes' protobuf encoding the server must read: kubectl posts some built-in
// objects as `application/vnd.kubernetes.protobuf` and does not retry as JSON (`kubectl create
// namespace`). The body is the "k8s\0" magic and a runtime.Unknown envelope (typeMeta, raw,
// contentEncoding, contentType) whose raw bytes hold the object message. Only Namespace is
// decoded (ObjectMeta name, generateName, labels, annotations; spec.finalizers); the server
// answers in JSON.

#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

// Decodes a protobuf request body into the JSON object it stands for. BadRequest for malformed
// bytes; UnsupportedMediaType for kinds it cannot decode.
[[nodiscard]] StatusOr<Json> DecodeProtobufObject(std::string_view body);

}  // namespace osbx::standalone
