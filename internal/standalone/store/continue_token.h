#pragma once
// List continue tokens in kube-apiserver's format, so paged lists from this store look the same
// on the wire: unpadded base64url of {"v":"meta.k8s.io/v1","rv":<list RV>,"start":"<key suffix>"},
// where start is the next store key to read (the last returned key + "\0") with the list's key
// prefix removed. The API server builds tokens from ListResponse::next_key and turns a decoded
// token back into a ListRequest (prefix + start, rv).

#include <cstdint>
#include <string>
#include <string_view>

#include "internal/utils/status.h"

namespace osbx::standalone {

struct ContinueToken {
  int64_t rv = 0;
  std::string start;  // key suffix relative to the list's prefix
};

// Encodes a token for the next page of a list at `rv` starting at `start`.
std::string EncodeContinueToken(const ContinueToken& token);

// Decodes a client's token. BadRequest (kube's "invalid continue token: ...") when it is not
// one of ours. A token with rv <= 0 is returned as is (kube issues rv -1 for "continue
// inconsistently"); the caller decides what to do with it.
[[nodiscard]] StatusOr<ContinueToken> DecodeContinueToken(std::string_view token);

}  // namespace osbx::standalone
