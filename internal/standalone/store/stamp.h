#pragma once
// resourceVersion stamping without re-serialization.
//
// The API server serializes an object with metadata.resourceVersion set to
// kResourceVersionPlaceholder; the store, which alone knows the RV a write gets, replaces the
// quoted placeholder with the decimal RV in place and remembers where the digits are, so it can
// restamp the same bytes later (a delete's tombstone carries the last state with the delete's RV).
// The server must make sure the placeholder appears nowhere else in the bytes it hands over (it
// can reject client bodies containing it); the first occurrence is the one stamped.

#include <cstdint>
#include <string>
#include <string_view>

namespace osbx::standalone {

inline constexpr std::string_view kResourceVersionPlaceholder = "@@osbx:resourceVersion@@";

// Replaces the first `"<placeholder>"` in `json` with `"<rv>"`. Returns the offset of the first
// digit, or std::string::npos (json unchanged) when there is no placeholder.
size_t StampResourceVersion(std::string& json, int64_t rv);

// Replaces the digits of `old_rv` at `pos` with the digits of `new_rv`. `pos` must come from
// StampResourceVersion (or a previous Restamp) of the same bytes.
void RestampResourceVersion(std::string& json, size_t pos, int64_t old_rv, int64_t new_rv);

// Whether `json` holds the digits of `rv` at `pos` (a consistency check for loaded rows).
bool HasResourceVersionAt(std::string_view json, size_t pos, int64_t rv);

}  // namespace osbx::standalone
