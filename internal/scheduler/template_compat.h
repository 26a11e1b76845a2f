#pragma once
// Whether a pooled BatchSandbox's own template can be served by its Pool: the same containers
// (by name) running the same images. Anything else (env, resources, commands) is the Pool's.

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::scheduler {

// OK when compatible (or when the batch has no template); otherwise Invalid with a message
// naming the first container that differs and how, e.g.
//   container "main": image "python:3.12" differs from the Pool's "python:3.11".
[[nodiscard]] Status CheckTemplateCompatible(const Json& batch_template, const Json& pool_template);

}  // namespace osbx::scheduler
