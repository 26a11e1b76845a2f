// Lists: selectors, limit/continue pagination over one consistent snapshot, and the list
// encodings (built-in lists, custom resource lists, Tables, PartialObjectMetadataList).

#include <openssl/evp.h>

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/selection.h"
#include "internal/standalone/apiserver/table.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

constexpr std::string_view kContinueTooOld =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.";

std::string Base64UrlEncode(std::string_view data) {
  std::string out;
  out.resize(4 * ((data.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// Strict unpadded base64url; the byte offset of the first bad character on failure.
std::optional<std::string> Base64UrlDecode(std::string_view text, size_t* bad_at) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t v = kAlphabet.find(text[i]);
    if (v == std::string::npos) {
      *bad_at = i;
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (text.size() % 4 == 1) {
    *bad_at = text.size() - 1;
    return std::nullopt;
  }
  return out;
}

std::string ContinueToken(int64_t rv, const std::string& start) {
  OrderedJson token = OrderedJson::object();
  token["v"] = "meta.k8s.io/v1";
  token["rv"] = rv;
  token["start"] = start;
  return Base64UrlEncode(GoJson(token));
}

// Whether a list (without a continue token) reads the snapshot at exactly resourceVersion, as
// kube-apiserver does for resourceVersionMatch=Exact and for a paged list (limit set) at a
// non-zero resourceVersion without a match. Otherwise a set resourceVersion means "not older
// than", which the current state satisfies.
bool IsExactRead(std::string_view rv, std::string_view match, int64_t limit) {
  if (rv.empty() || rv == "0") return false;
  return match == "Exact" || (match.empty() && limit > 0);
}

// The stored bytes of `item` exactly as a JSON list item, when they already are that: built-in
// objects minus their leading TypeMeta (list items carry none), custom objects written under the
// current schema (defaults applied on write). nullopt: parse and re-encode instead.
std::optional<std::string_view> StoredListItem(const ResourceInfo& resource, const Object& item) {
  std::string_view value = item.value;
  if (resource.crd) {
    if (item.rv <= resource.schema_rv) return std::nullopt;
    return value;
  }
  const std::string prefix =
      fmt::format(R"({{"kind":"{}","apiVersion":"{}",)", resource.kind, resource.ApiVersion());
  if (value.substr(0, prefix.size()) != prefix) return std::nullopt;
  return value.substr(prefix.size() - 1);  // from the comma, replaced by the opening brace
}

// The ListMeta of a built-in, Table or PartialObjectMetadata list.
OrderedJson ListMeta(const std::string& rv, const std::string& next, int64_t remaining) {
  OrderedJson meta = OrderedJson::object();
  meta["resourceVersion"] = rv;
  if (!next.empty()) {
    meta["continue"] = next;
    meta["remainingItemCount"] = remaining;
  }
  return meta;
}

// A JSON list of `resource` with an empty "items" array, in kube-apiserver's field order (custom
// resource lists are unstructured: keys sorted, "continue" always present).
OrderedJson JsonListEnvelope(const ResourceInfo& resource, const std::string& rv,
                             const std::string& next, int64_t remaining) {
  if (resource.crd) {
    Json list = Json::object();
    list["apiVersion"] = resource.ApiVersion();
    list["kind"] = resource.list_kind;
    list["metadata"] = {{"continue", next}, {"resourceVersion", rv}};
    if (!next.empty()) list["metadata"]["remainingItemCount"] = remaining;
    list["items"] = Json::array();
    return ToOrdered(list);
  }
  OrderedJson list = OrderedJson::object();
  list["kind"] = resource.list_kind;
  list["apiVersion"] = resource.ApiVersion();
  list["metadata"] = ListMeta(rv, next, remaining);
  list["items"] = OrderedJson::array();
  return list;
}

// The list `envelope` (encoded with an empty "items" array) with `items` spliced into it.
std::string SpliceItems(const std::string& envelope, const std::vector<std::string_view>& items) {
  static constexpr std::string_view kEmpty = R"("items":[])";
  const size_t at = envelope.find(kEmpty);
  if (at == std::string::npos) return envelope;
  size_t size = envelope.size() + items.size();
  for (std::string_view item : items) size += item.size();
  std::string out;
  out.reserve(size);
  out.append(envelope, 0, at + kEmpty.size() - 1);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (!items[i].empty() && items[i].front() == ',') {
      out += '{';
      out.append(items[i].substr(1));
    } else {
      out.append(items[i]);
    }
  }
  out.append(envelope, at + kEmpty.size() - 1, std::string::npos);
  return out;
}

}  // namespace

void ApiServer::ServeList(Call& call) {
  const ResourceInfo& resource = *call.resource;
  const http::QueryParams& q = call.request.query;
  if (q.GetOr("sendInitialEvents", "") == "true") {
    OrderedJson details = OrderedJson::object();
    details["group"] = "meta.k8s.io";
    details["kind"] = "ListOptions";
    std::vector<StatusCause> causes;
    if (!q.Has("resourceVersion") && q.Has("resourceVersionMatch")) {
      causes.push_back({"FieldValueForbidden",
                        "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is "
                        "provided",
                        "resourceVersionMatch"});
    }
    causes.push_back({"FieldValueForbidden", "Forbidden: sendInitialEvents is forbidden for list",
                      "sendInitialEvents"});
    OrderedJson list = OrderedJson::array();
    for (const StatusCause& c : causes) {
      OrderedJson j = OrderedJson::object();
      j["reason"] = c.reason;
      j["message"] = c.message;
      j["field"] = c.field;
      list.push_back(j);
    }
    details["causes"] = list;
    return RespondError(
        call, ApiError::Make(422, "Invalid",
                             "ListOptions.meta.k8s.io \"\" is invalid: " + AggregateCauses(causes),
                             std::move(details)));
  }
  ApiOr<Selection> selection = ParseSelection(resource, q);
  if (!selection.ok()) return RespondError(call, selection.error());
  int64_t limit = 0;
  if (auto text = q.Get("limit"); text && !text->empty()) {
    char* end = nullptr;
    std::string s(*text);
    limit = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != '\0') {
      return RespondError(call, ApiError::BadRequest(fmt::format(
                                    "strconv.ParseInt: parsing \"{}\": invalid syntax", s)));
    }
  }
  std::string prefix = ListPrefix(resource, call.info.namespace_);
  std::string base = prefix.substr(0, prefix.size() - 1);
  ListRequest request = ListAll(prefix);
  std::string rv_text(q.GetOr("resourceVersion", ""));
  if (rv_text == "0") limit = 0;  // served from the "watch cache", which ignores limit
  if (auto cont = q.Get("continue"); cont && !cont->empty()) {
    size_t bad = 0;
    std::optional<std::string> decoded = Base64UrlDecode(*cont, &bad);
    if (!decoded) {
      return RespondError(call, ApiError::BadRequest(fmt::format(
                                    "invalid continue token: continue key is not valid: illegal "
                                    "base64 data at input byte {}",
                                    bad)));
    }
    Json token = Json::parse(*decoded, nullptr, false);
    if (!token.is_object() || !token["rv"].is_number_integer() || !token["start"].is_string()) {
      return RespondError(call, ApiError::BadRequest("invalid continue token: continue key is not "
                                                     "valid: incorrect encoded start "
                                                     "resourceVersion (version meta.k8s.io/v1)"));
    }
    request.rv = token["rv"].get<int64_t>();
    request.start_key = base + token["start"].get<std::string>();
  } else if (IsExactRead(rv_text, q.GetOr("resourceVersionMatch", ""), limit)) {
    request.rv = std::strtoll(rv_text.c_str(), nullptr, 10);
  }
  // Without a selector the store pages by itself (a page reads `limit` objects, not all of them)
  // and the JSON answer can reuse stored bytes.
  const bool unselective = selection->labels.Empty() && selection->fields.Empty();
  if (unselective && limit > 0) {
    request.limit = static_cast<size_t>(limit);
    request.count_remaining = true;
  }
  StatusOr<ListResponse> listed = store_.List(request);
  if (!listed.ok()) {
    if (listed.status().IsGone() && !request.start_key.empty()) {
      std::string start = request.start_key.substr(base.size() + 1);
      ApiError error = ApiError::Make(410, "Expired", kContinueTooOld);
      error.body["metadata"]["continue"] = ContinueToken(-1, start);
      return RespondError(call, error);
    }
    if (listed.status().IsGone()) {
      return RespondError(call,
                          ApiError::Gone("The resourceVersion for the provided list is too old."));
    }
    return RespondError(call, ApiError::FromStatus(listed.status()));
  }
  if (unselective && call.accept.representation == Representation::kJson &&
      ServeStoredList(call, *listed, base)) {
    return;
  }
  std::vector<Json> items;
  std::string last_key;
  int64_t remaining = listed->remaining.value_or(0);
  for (const ObjectPtr& item : listed->items) {
    Json object = Json::parse(item->value, nullptr, false);
    if (object.is_discarded()) continue;
    DefaultOnRead(resource, object);
    if (!selection->Matches(object)) continue;
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) {
      ++remaining;
      continue;
    }
    items.push_back(std::move(object));
    last_key = item->key;
  }
  std::string next;
  if (remaining > 0) next = ContinueToken(listed->rv, last_key.substr(base.size()) + '\0');
  std::string rv = std::to_string(listed->rv);

  Representation rep = call.accept.representation;
  if (rep == Representation::kTable) {
    TableOptions options;
    options.version = call.accept.version;
    options.now = clock_.WallNow();
    std::string include(q.GetOr("includeObject", "Metadata"));
    options.include = include == "None"     ? IncludeObject::kNone
                      : include == "Object" ? IncludeObject::kObject
                                            : IncludeObject::kMetadata;
    OrderedJson meta = ListMeta(rv, next, remaining);
    std::vector<OrderedJson> rows;
    for (const Json& object : items) {
      rows.push_back(TableRow(
          resource, object,
          options.include == IncludeObject::kObject ? WireObject(resource, object) : OrderedJson(),
          options));
    }
    return RespondJson(call, 200, MakeTable(resource, std::move(meta), std::move(rows), options));
  }
  if (rep == Representation::kPartialObjectMetadata ||
      rep == Representation::kPartialObjectMetadataList) {
    OrderedJson list = OrderedJson::object();
    list["kind"] = "PartialObjectMetadataList";
    list["apiVersion"] = fmt::format("meta.k8s.io/{}", call.accept.version);
    list["metadata"] = ListMeta(rv, next, remaining);
    list["items"] = OrderedJson::array();
    for (const Json& object : items) {
      list["items"].push_back(PartialObjectMetadata(object, call.accept.version));
    }
    return RespondJson(call, 200, list);
  }
  OrderedJson list = JsonListEnvelope(resource, rv, next, remaining);
  for (Json& object : items) {
    if (resource.crd) {
      list["items"].push_back(ToOrdered(object));
    } else {
      object.erase("kind");
      object.erase("apiVersion");
      list["items"].push_back(OrderBuiltinObject(object));
    }
  }
  RespondJson(call, 200, list);
}

bool ApiServer::ServeStoredList(Call& call, const ListResponse& listed, const std::string& base) {
  const ResourceInfo& resource = *call.resource;
  std::vector<std::string_view> items;
  items.reserve(listed.items.size());
  for (const ObjectPtr& item : listed.items) {
    std::optional<std::string_view> bytes = StoredListItem(resource, *item);
    if (!bytes) return false;
    items.push_back(*bytes);
  }
  const int64_t remaining = listed.remaining.value_or(0);
  std::string next;
  if (remaining > 0 && !listed.items.empty()) {
    next = ContinueToken(listed.rv, listed.items.back()->key.substr(base.size()) + '\0');
  }
  OrderedJson envelope = JsonListEnvelope(resource, std::to_string(listed.rv), next, remaining);
  call.writer.Send(200, ApiHeaders(call.warnings), SpliceItems(BodyText(envelope), items));
  return true;
}

void ApiServer::ServeDeleteCollection(Call& call) {
  const ResourceInfo& resource = *call.resource;
  ApiOr<Selection> selection = ParseSelection(resource, call.request.query);
  if (!selection.ok()) return RespondError(call, selection.error());
  StatusOr<ListResponse> listed = store_.List(ListAll(ListPrefix(resource, call.info.namespace_)));
  if (!listed.ok()) return RespondError(call, ApiError::FromStatus(listed.status()));
  Json items = Json::array();
  for (const ObjectPtr& item : listed->items) {
    Json object = Json::parse(item->value, nullptr, false);
    if (object.is_discarded() || !selection->Matches(object)) continue;
    std::string ns = object["metadata"].value("namespace", "");
    std::string name = object["metadata"].value("name", "");
    ApiOr<DeleteResult> deleted = DeleteObject(resource, ns, name, {});
    if (deleted.ok()) items.push_back(deleted->object);
  }
  Json list = {
      {"apiVersion", resource.ApiVersion()},
      {"kind", resource.list_kind},
      {"metadata", {{"continue", ""}, {"resourceVersion", std::to_string(store_.CurrentRv())}}},
      {"items", items}};
  RespondJson(call, 200, ToOrdered(list));
}

}  // namespace osbx::standalone
