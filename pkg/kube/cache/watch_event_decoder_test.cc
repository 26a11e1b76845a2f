#include "pkg/kube/cache/watch_event_decoder.h"

#include <gtest/gtest.h>

#include "pkg/kube/cache/projection.h"
#include "pkg/kube/meta/packed.h"

namespace osbx::kube {
namespace {

// An ADDED line as kube-apiserver v1.36 sent it (kube-wire/watch.md, section 1).
constexpr std::string_view kAddedLine =
    R"js({"type":"ADDED","object":{"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind":"BatchSandbox","metadata":{"creationTimestamp":"2026-11-29T17:58:21Z","generation":1,"managedFields":[{"apiVersion":"sandbox.opensandbox.io/v1alpha1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{".":{},"f:replicas":{},"f:taskResourcePolicyWhenCompleted":{}}},"manager":"wire-recorder","operation":"Update","time":"2026-11-29T17:58:21Z"}],"name":"watch-demo","namespace":"wire","resourceVersion":"1651","uid":"b83c1b7c-bca8-4865-a8ed-49080eb68e9a"},"spec":{"replicas":1,"taskResourcePolicyWhenCompleted":"Retain"}}})js";

TEST(WatchEventDecoderTest, DecodesTheSameObjectAsNlohmannWithoutManagedFields) {
  WatchEventDecoder decoder;
  StatusOr<WatchEvent> event = decoder.DecodeEvent(kAddedLine);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->type, WatchEventType::kAdded);
  Json expected = Json::parse(kAddedLine)["object"];
  expected["metadata"].erase("managedFields");
  EXPECT_EQ(event->object, expected);
}

TEST(WatchEventDecoderTest, KeepsEverythingWhenNothingIsSkipped) {
  WatchEventDecoder decoder(std::vector<std::string>{});
  StatusOr<WatchEvent> event = decoder.DecodeEvent(kAddedLine);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->object, Json::parse(kAddedLine)["object"]);
}

TEST(WatchEventDecoderTest, SkipPathsSharingAPrefixAreAllSkipped) {
  WatchEventDecoder decoder(
      std::vector<std::string>{"metadata.managedFields", "metadata.generation", "spec"});
  StatusOr<WatchEvent> event = decoder.DecodeEvent(kAddedLine);
  ASSERT_TRUE(event.ok());
  Json expected = Json::parse(kAddedLine)["object"];
  expected["metadata"].erase("managedFields");
  expected["metadata"].erase("generation");
  expected.erase("spec");
  EXPECT_EQ(event->object, expected);
}

TEST(WatchEventDecoderTest, ScalarsRoundTripExactly) {
  const std::string text =
      R"js({"i":-5,"u":18446744073709551615,"d":0.25,"t":true,"f":false,"n":null,"s":"\u003cx\u003e","a":[1,[2],{"k":"v"}]})js";
  WatchEventDecoder decoder;
  StatusOr<Json> decoded = decoder.DecodeObject(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Json::parse(text));
}

TEST(WatchEventDecoderTest, ErrorEventKeepsTheWholeStatus) {
  WatchEventDecoder decoder;
  StatusOr<WatchEvent> event = decoder.DecodeEvent(
      R"js({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (1156)","reason":"Expired","code":410}})js");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->type, WatchEventType::kError);
  EXPECT_EQ(event->object["code"], 410);
}

TEST(WatchEventDecoderTest, BookmarkDecodes) {
  WatchEventDecoder decoder;
  StatusOr<WatchEvent> event = decoder.DecodeEvent(
      R"js({"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"1678"}}})js");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->type, WatchEventType::kBookmark);
  EXPECT_EQ(event->object["metadata"]["resourceVersion"], "1678");
}

TEST(WatchEventDecoderTest, MalformedLinesAreBadRequestsNotCrashes) {
  WatchEventDecoder decoder;
  for (std::string_view bad :
       {R"js({"type":"ADDED","object":{)js", R"js({"type":"NOPE","object":{}})js",
        R"js({"object":{}})js", R"js({"type":"ADDED","object":3})js", ""}) {
    StatusOr<WatchEvent> event = decoder.DecodeEvent(bad);
    ASSERT_FALSE(event.ok()) << bad;
    EXPECT_EQ(event.status().code(), StatusCode::kBadRequest) << bad;
  }
}

// kube-apiserver leaves apiVersion and kind out of the items of built-in lists.
constexpr std::string_view kPodList =
    R"js({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1175","continue":"c1","remainingItemCount":3},"items":[{"metadata":{"name":"a","namespace":"wire","managedFields":[{"manager":"m"}]},"spec":{"nodeName":"n","containers":[{"name":"c"}]}},{"metadata":{"name":"b","namespace":"wire"}}]})js";

const ResourceRef kPods{"", "v1", "pods", "Pod", true};

TEST(WatchEventDecoderTest, ListItemsGetTheResourcesKindAndLoseTheSkippedPaths) {
  WatchEventDecoder decoder;
  StatusOr<ListResult> list = decoder.DecodeList(kPodList, kPods);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->resource_version, "1175");
  EXPECT_EQ(list->continue_token, "c1");
  EXPECT_EQ(list->remaining_item_count, 3);
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0], Json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"a","namespace":"wire"},
      "spec":{"nodeName":"n","containers":[{"name":"c"}]}})"));
}

TEST(WatchEventDecoderTest, ProjectedListItemsAreBuiltAsTheProjectionKeepsThem) {
  const FieldProjection projection = FieldProjection::Only(
      {{"metadata", FieldProjection::Only({{"name", FieldProjection::Whole()}})},
       {"spec", FieldProjection::Only({{"nodeName", FieldProjection::Whole()}})}});
  WatchEventDecoder decoder(projection);
  StatusOr<ListResult> list = decoder.DecodeList(kPodList, kPods);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 2u);
  // apiVersion and kind are not in the projection: not stamped either.
  EXPECT_EQ(list->items[0], Json::parse(R"({"metadata":{"name":"a"},"spec":{"nodeName":"n"}})"));
  EXPECT_EQ(list->items[1], Json::parse(R"({"metadata":{"name":"b"}})"));
}

TEST(WatchEventDecoderTest, MalformedListAnswersAreErrors) {
  WatchEventDecoder decoder;
  for (std::string_view bad : {R"([])", R"({"items":3})", R"({"items":[1]})", R"({"items":[)"}) {
    EXPECT_FALSE(decoder.DecodeList(bad, kPods).ok()) << bad;
  }
  StatusOr<ListResult> empty = decoder.DecodeList(R"({"metadata":{},"items":null})", kPods);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
}

// simdjson refuses integers beyond 64 bits; nlohmann reads them as doubles, and so must this
// decoder, or one odd custom resource would fail every list and watch of its type.
TEST(WatchEventDecoderTest, IntegersBeyond64BitsDecodeAsNlohmannDecodesThem) {
  const std::string object =
      R"({"metadata":{"name":"big","managedFields":[{}]},"spec":{"n":123456789012345678901234567890}})";
  WatchEventDecoder decoder;
  StatusOr<WatchEvent> event = decoder.DecodeEvent(R"({"type":"ADDED","object":)" + object + "}");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  Json expected = Json::parse(object);
  expected["metadata"].erase("managedFields");
  EXPECT_EQ(event->object, expected);
  StatusOr<ListResult> list = decoder.DecodeList(R"({"items":[)" + object + "]}", kPods);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->items.at(0)["spec"], expected["spec"]);
  EXPECT_FALSE(list->items.at(0)["metadata"].contains("managedFields"));
}

TEST(WatchEventDecoderTest, OfDuplicateKeysTheLastWinsAsWithNlohmann) {
  const std::string line = R"({"type":"ADDED","object":{"metadata":{"name":"a","name":"b"}}})";
  WatchEventDecoder decoder;
  StatusOr<WatchEvent> event = decoder.DecodeEvent(line);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->object, Json::parse(line)["object"]);
}

// Packed rules give the same cached value whichever walker applies them: the decoder from the
// wire text, Project() on a decoded object (in-memory ListerWatchers).
TEST(WatchEventDecoderTest, PackedRulesMatchProjectOnTheDecodedObject) {
  using P = FieldProjection;
  const P projection = P::Except(
      {{"metadata", P::Except({{"managedFields", P::Drop()}})},
       {"spec", P::Packed(P::Only({{"replicas", P::Whole()}}))},
       {"status", P::Packed()}});
  constexpr std::string_view kLine =
      R"js({"type":"MODIFIED","object":{"metadata":{"name":"b","managedFields":[{"a":1}]},"spec":{"replicas":2,"extra":{"x":1}},"status":{"ready":1,"conditions":[{"type":"Ready","message":"1/1 \"ok\""}]}}})js";
  WatchEventDecoder decoder(projection);
  StatusOr<WatchEvent> event = decoder.DecodeEvent(kLine);
  ASSERT_TRUE(event.ok()) << event.status().message();
  const Json& decoded = event->object;
  EXPECT_TRUE(IsPacked(decoded["spec"]));
  EXPECT_TRUE(IsPacked(decoded["status"]));
  EXPECT_FALSE(decoded["metadata"].contains("managedFields"));

  Json whole = Json::parse(kLine)["object"];
  Project(whole, projection);
  EXPECT_EQ(UnpackedCopy(decoded), UnpackedCopy(whole));
  Json storage;
  EXPECT_EQ(Unpacked(decoded["spec"], storage), (Json{{"replicas", 2}}));
  EXPECT_EQ(Unpacked(decoded["status"], storage)["conditions"][0]["message"], "1/1 \"ok\"");
}

}  // namespace
}  // namespace osbx::kube
