#pragma once
// Packed subtrees: a part of a cached object that controllers read only through a decoder kept
// as its JSON text in one string instead of a tree of nodes. A tree costs ~100 bytes per member
// (a map node, the key, the value, each allocated on its own); its text is a few times smaller.
// At 100,000 cached BatchSandboxes and pods that is most of the controller's memory.
//
// A packed value is a string holding U+001E (ASCII record separator, the JSON text sequence
// marker of RFC 7464) followed by the subtree's JSON text, so it can never be mistaken for a
// string the API server sent. Readers of a packed path go through Unpacked or UnpackedCopy.

#include <string>
#include <string_view>

#include "internal/utils/json.h"

namespace osbx::kube {

// Replaces `value`, when an object or array, by its packed text.
void PackValue(Json& value);
// The packed value of JSON text (as it came from the wire: nothing is parsed).
std::string PackedText(std::string_view json_text);

// True when `value` is a packed subtree.
bool IsPacked(const Json& value);

// `value` itself, or the subtree a packed `value` holds, parsed into `storage`. A packed value
// that does not parse reads as null.
const Json& Unpacked(const Json& value, Json& storage);

// `object` with every packed value at its top two levels unpacked (a copy; the cache keeps its
// packed object).
Json UnpackedCopy(const Json& object);

}  // namespace osbx::kube
