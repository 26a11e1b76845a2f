#include "pkg/kube/schema/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace osbx::kube::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The BatchSandbox fragment the messages of kube-wire/errors.md were recorded against, plus
// the project's own rules.
const char* kBatchSandbox = R"({
  "type": "object",
  "properties": {
    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
    "spec": {
      "type": "object",
      "required": ["replicas"],
      "properties": {
        "replicas": {"type": "integer", "format": "int32", "minimum": 0, "default": 1},
        "taskResourcePolicyWhenCompleted": {"type": "string", "enum": ["Retain", "Release"],
                                            "default": "Retain"},
        "expireTime": {"type": "string", "format": "date-time"},
        "poolRef": {"type": "string"},
        "template": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "shardTaskPatches": {"type": "array",
          "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
      }
    },
    "status": {"type": "object", "properties": {
      "phase": {"type": "string", "enum": ["Pending", "Succeed", "Failed"]}}}
  }
})";

const char* kPool = R"({
  "type": "object",
  "properties": {
    "spec": {"type": "object", "properties": {
      "capacitySpec": {
        "type": "object",
        "required": ["bufferMax", "bufferMin", "poolMax", "poolMin"],
        "properties": {
          "bufferMax": {"type": "integer", "minimum": 0},
          "bufferMin": {"type": "integer", "minimum": 0},
          "poolMax": {"type": "integer", "minimum": 0},
          "poolMin": {"type": "integer", "minimum": 0}
        },
        "x-kubernetes-validations": [
          {"rule": "self.bufferMin <= self.bufferMax",
           "message": "bufferMin must be less than or equal to bufferMax"},
          {"rule": "self.poolMin <= self.poolMax",
           "message": "poolMin must be less than or equal to poolMax"}
        ]
      }
    }}
  }
})";

std::shared_ptr<const Schema> MustCompile(const char* text) {
  auto s = Schema::Compile(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

std::string Message(const char* schema, const char* kind, const char* name, const char* object) {
  auto s = MustCompile(schema);
  auto errors = s->Validate(Json::parse(object), nullptr);
  return InvalidStatus(kind, "sandbox.opensandbox.io", name, errors).message();
}

TEST(InvalidStatusTest, MinimumViolationReadsLikeKubeApiserver) {
  EXPECT_EQ(Message(kBatchSandbox, "BatchSandbox", "bad-min", R"({"spec":{"replicas":-1}})"),
            "BatchSandbox.sandbox.opensandbox.io \"bad-min\" is invalid: spec.replicas: Invalid "
            "value: -1: spec.replicas in body should be greater than or equal to 0");
}

TEST(InvalidStatusTest, EnumViolationListsSupportedValues) {
  auto s = MustCompile(kBatchSandbox);
  auto errors = s->Validate(
      Json::parse(R"({"spec":{"replicas":1,"taskResourcePolicyWhenCompleted":"Bogus"}})"), nullptr);
  Status st = InvalidStatus("BatchSandbox", "sandbox.opensandbox.io", "bad-enum", errors);
  EXPECT_EQ(st.message(),
            "BatchSandbox.sandbox.opensandbox.io \"bad-enum\" is invalid: "
            "spec.taskResourcePolicyWhenCompleted: Unsupported value: \"Bogus\": supported "
            "values: \"Retain\", \"Release\"");
  ASSERT_EQ(st.causes().size(), 1u);
  EXPECT_EQ(st.causes()[0].reason, "FieldValueNotSupported");
  EXPECT_EQ(st.causes()[0].field, "spec.taskResourcePolicyWhenCompleted");
  EXPECT_EQ(st.code(), StatusCode::kInvalid);
}

TEST(InvalidStatusTest, WrongTypeAndBadDateTimeAreListedInFieldOrder) {
  auto s = MustCompile(kBatchSandbox);
  auto errors =
      s->Validate(Json::parse(R"({"spec":{"replicas":"two","expireTime":"tomorrow"}})"), nullptr);
  EXPECT_EQ(InvalidStatus("BatchSandbox", "sandbox.opensandbox.io", "bad-type", errors).message(),
            "BatchSandbox.sandbox.opensandbox.io \"bad-type\" is invalid: [spec.expireTime: "
            "Invalid value: \"tomorrow\": spec.expireTime in body must be of type date-time: "
            "\"tomorrow\", spec.replicas: Invalid value: \"string\": spec.replicas in body must "
            "be of type integer: \"string\"]");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].type, "FieldValueTypeInvalid");
  EXPECT_EQ(errors[1].type, "FieldValueTypeInvalid");
}

TEST(InvalidStatusTest, CelRuleUsesItsMessage) {
  auto s = MustCompile(kPool);
  auto errors = s->Validate(
      Json::parse(
          R"({"spec":{"capacitySpec":{"bufferMax":1,"bufferMin":5,"poolMax":10,"poolMin":0}}})"),
      nullptr);
  Status st = InvalidStatus("Pool", "sandbox.opensandbox.io", "bad-cel", errors);
  EXPECT_EQ(st.message(),
            "Pool.sandbox.opensandbox.io \"bad-cel\" is invalid: spec.capacitySpec: Invalid "
            "value: bufferMin must be less than or equal to bufferMax");
  EXPECT_THAT(st.causes(), ElementsAre(StatusCause{"FieldValueInvalid",
                                                   "Invalid value: bufferMin must be less than "
                                                   "or equal to bufferMax",
                                                   "spec.capacitySpec"}));
}

TEST(InvalidStatusTest, RequiredAndMinimumBlockCelWithSummaryError) {
  EXPECT_EQ(
      Message(kPool, "Pool", "bad-req",
              R"({"spec":{"capacitySpec":{"bufferMax":1,"bufferMin":0,"poolMin":-3}}})"),
      "Pool.sandbox.opensandbox.io \"bad-req\" is invalid: [spec.capacitySpec.poolMin: Invalid "
      "value: -3: spec.capacitySpec.poolMin in body should be greater than or equal to 0, "
      "spec.capacitySpec.poolMax: Required value, <nil>: Invalid value: null: some validation "
      "rules were not checked because the object was invalid; correct the existing errors to "
      "complete validation]");
}

TEST(InvalidStatusTest, StatusEnumIsValidated) {
  EXPECT_EQ(Message(kBatchSandbox, "BatchSandbox", "err-demo",
                    R"({"spec":{"replicas":1},"status":{"phase":"Exploded"}})"),
            "BatchSandbox.sandbox.opensandbox.io \"err-demo\" is invalid: status.phase: "
            "Unsupported value: \"Exploded\": supported values: \"Pending\", \"Succeed\", "
            "\"Failed\"");
}

TEST(InvalidStatusTest, IdenticalErrorsAppearOnceInMessageButTwiceInCauses) {
  FieldError e{"FieldValueForbidden", "metadata.finalizers", "Forbidden: no"};
  Status st = InvalidStatus("BatchSandbox", "sandbox.opensandbox.io", "x", {e, e});
  EXPECT_EQ(st.message(),
            "BatchSandbox.sandbox.opensandbox.io \"x\" is invalid: metadata.finalizers: "
            "Forbidden: no");
  EXPECT_EQ(st.causes().size(), 2u);
}

TEST(InvalidStatusTest, RuleWithoutMessageUsesFailedRuleWording) {
  auto s = MustCompile(R"({"type":"object","properties":{"spec":{"type":"object",
      "properties":{"a":{"type":"integer"}},
      "x-kubernetes-validations":[{"rule":"self.a > 1"}]}}})");
  auto errors = s->Validate(Json::parse(R"({"spec":{"a":0}})"), nullptr);
  EXPECT_THAT(errors, ElementsAre(FieldError{"FieldValueInvalid", "spec",
                                             "Invalid value: failed rule: self.a > 1"}));
}

TEST(InvalidStatusTest, RuleOnScalarShowsTheValueAndReasonAndFieldPathApply) {
  auto s = MustCompile(R"({"type":"object","properties":{"spec":{"type":"object",
      "properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 1",
        "message":"too small"}]}, "b":{"type":"string"}},
      "x-kubernetes-validations":[{"rule":"has(self.b) == true","message":"b is required",
        "reason":"FieldValueRequired","fieldPath":".b"},
        {"rule":"self.a != 7 || !has(self.a) || false","message":"no sevens",
        "reason":"FieldValueForbidden"}]}}})");
  auto errors = s->Validate(Json::parse(R"({"spec":{"a":0}})"), nullptr);
  EXPECT_THAT(
      errors,
      ElementsAre(FieldError{"FieldValueRequired", "spec.b", "Required value: b is required"},
                  FieldError{"FieldValueInvalid", "spec.a", "Invalid value: 0: too small"}));
  errors = s->Validate(Json::parse(R"({"spec":{"a":7,"b":"x"}})"), nullptr);
  EXPECT_THAT(errors,
              ElementsAre(FieldError{"FieldValueForbidden", "spec", "Forbidden: no sevens"}));
}

TEST(InvalidStatusTest, EvaluationErrorNamesTheRule) {
  auto s = MustCompile(R"({"type":"object","properties":{"spec":{"type":"object",
      "properties":{"a":{"type":"integer"}},
      "x-kubernetes-validations":[{"rule":"self.a > 1"}]}}})");
  auto errors = s->Validate(Json::parse(R"({"spec":{}})"), nullptr);
  EXPECT_THAT(errors, ElementsAre(FieldError{"FieldValueInvalid", "spec",
                                             "Invalid value: \"object\": no such key: a "
                                             "evaluating rule: self.a > 1"}));
}

struct KeywordCase {
  const char* name;
  const char* schema;  // schema of spec.x
  const char* value;   // JSON of spec.x
  std::vector<FieldError> want;
};

class KeywordTest : public ::testing::TestWithParam<KeywordCase> {};

TEST_P(KeywordTest, ReportsTheKubeApiserverError) {
  const KeywordCase& c = GetParam();
  std::string schema = std::string(R"({"type":"object","properties":{"spec":{"type":"object",)") +
                       R"("properties":{"x":)" + c.schema + "}}}}";
  auto s = Schema::Compile(Json::parse(schema));
  ASSERT_TRUE(s.ok()) << s.status().message();
  Json obj = {{"spec", {{"x", Json::parse(c.value)}}}};
  EXPECT_EQ((*s)->Validate(obj, nullptr), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, KeywordTest,
    ::testing::Values(
        KeywordCase{"boolean_ok", R"({"type":"boolean"})", "true", {}},
        KeywordCase{"boolean_wrong",
                    R"({"type":"boolean"})",
                    "1",
                    {{"FieldValueTypeInvalid", "spec.x",
                      "Invalid value: \"integer\": spec.x in body must be of type boolean: "
                      "\"integer\""}}},
        KeywordCase{"number_accepts_int", R"({"type":"number"})", "3", {}},
        KeywordCase{"integer_accepts_integral_float", R"({"type":"integer"})", "3.0", {}},
        KeywordCase{"integer_rejects_fraction",
                    R"({"type":"integer"})",
                    "3.5",
                    {{"FieldValueTypeInvalid", "spec.x",
                      "Invalid value: \"number\": spec.x in body must be of type integer: "
                      "\"number\""}}},
        KeywordCase{"null_not_nullable",
                    R"({"type":"string"})",
                    "null",
                    {{"FieldValueTypeInvalid", "spec.x",
                      "Invalid value: \"null\": spec.x in body must be of type string: "
                      "\"null\""}}},
        KeywordCase{"null_nullable", R"({"type":"string","nullable":true})", "null", {}},
        KeywordCase{"maximum",
                    R"({"type":"number","maximum":1.5})",
                    "2",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 2: spec.x in body should be less than or equal to 1.5"}}},
        KeywordCase{"exclusive_maximum",
                    R"({"type":"integer","maximum":2,"exclusiveMaximum":true})",
                    "2",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 2: spec.x in body should be less than 2"}}},
        KeywordCase{"exclusive_minimum",
                    R"({"type":"integer","minimum":2,"exclusiveMinimum":true})",
                    "2",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 2: spec.x in body should be greater than 2"}}},
        KeywordCase{"multiple_of",
                    R"({"type":"integer","multipleOf":3})",
                    "4",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 4: spec.x in body should be a multiple of 3"}}},
        KeywordCase{"max_length",
                    R"({"type":"string","maxLength":2})",
                    R"("abc")",
                    {{"FieldValueTooLong", "spec.x", "Too long: may not be more than 2 bytes"}}},
        KeywordCase{"min_length_counts_runes",
                    R"({"type":"string","minLength":3})",
                    R"("\u00e9\u00e9")",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: \"\u00e9\u00e9\": spec.x in body should be at least 3 chars "
                      "long"}}},
        KeywordCase{"pattern",
                    R"({"type":"string","pattern":"^[a-z]+$"})",
                    R"("A1")",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: \"A1\": spec.x in body should match '^[a-z]+$'"}}},
        KeywordCase{"min_items",
                    R"({"type":"array","minItems":2,"items":{"type":"string"}})",
                    R"(["a"])",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 1: spec.x in body should have at least 2 items"}}},
        KeywordCase{"max_items",
                    R"({"type":"array","maxItems":1,"items":{"type":"string"}})",
                    R"(["a","b"])",
                    {{"FieldValueTooMany", "spec.x", "Too many: 2: must have at most 1 item"}}},
        KeywordCase{"item_path",
                    R"({"type":"array","items":{"type":"object",
                      "properties":{"name":{"type":"string"}}}})",
                    R"([{"name":"a"},{"name":1}])",
                    {{"FieldValueTypeInvalid", "spec.x[1].name",
                      "Invalid value: \"integer\": spec.x[1].name in body must be of type "
                      "string: \"integer\""}}},
        KeywordCase{"min_properties",
                    R"({"type":"object","minProperties":2,
                      "additionalProperties":{"type":"string"}})",
                    R"({"a":"b"})",
                    {{"FieldValueInvalid", "spec.x",
                      "Invalid value: 1: spec.x in body should have at least 2 properties"}}},
        KeywordCase{"max_properties",
                    R"({"type":"object","maxProperties":1,
                      "additionalProperties":{"type":"string"}})",
                    R"({"a":"b","c":"d"})",
                    {{"FieldValueTooMany", "spec.x", "Too many: 2: must have at most 1 item"}}},
        KeywordCase{"additional_properties_schema",
                    R"({"type":"object","additionalProperties":{"type":"integer"}})",
                    R"({"a":"b"})",
                    {{"FieldValueTypeInvalid", "spec.x.a",
                      "Invalid value: \"string\": spec.x.a in body must be of type integer: "
                      "\"string\""}}},
        KeywordCase{
            "int_or_string_accepts_both", R"({"x-kubernetes-int-or-string":true})", R"("50%")", {}},
        KeywordCase{"int_or_string_rejects_bool",
                    R"({"x-kubernetes-int-or-string":true})",
                    "true",
                    {{"FieldValueTypeInvalid", "spec.x",
                      "Invalid value: \"boolean\": spec.x in body must be of type "
                      "integer,string: \"boolean\""}}},
        KeywordCase{"date_time_ok",
                    R"({"type":"string","format":"date-time"})",
                    R"("2026-11-29T18:01:48Z")",
                    {}},
        KeywordCase{"date_time_offset_and_fraction",
                    R"({"type":"string","format":"date-time"})",
                    R"("2026-11-29T18:01:48.123+02:00")",
                    {}},
        KeywordCase{"date_time_bad_month",
                    R"({"type":"string","format":"date-time"})",
                    R"("2026-13-29T18:01:48Z")",
                    {{"FieldValueTypeInvalid", "spec.x",
                      "Invalid value: \"2026-13-29T18:01:48Z\": spec.x in body must be of type "
                      "date-time: \"2026-13-29T18:01:48Z\""}}},
        KeywordCase{
            "unknown_format_accepted", R"({"type":"string","format":"hostname"})", R"("!!")", {}},
        KeywordCase{"enum_of_integers",
                    R"({"type":"integer","enum":[1,2]})",
                    "3",
                    {{"FieldValueNotSupported", "spec.x",
                      "Unsupported value: 3: supported values: \"1\", \"2\""}}},
        KeywordCase{"set_duplicates",
                    R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}})",
                    R"(["a","b","a"])",
                    {{"FieldValueDuplicate", "spec.x[2]", "Duplicate value: \"a\""}}},
        KeywordCase{"map_list_duplicates",
                    R"({"type":"array","x-kubernetes-list-type":"map",
                        "x-kubernetes-list-map-keys":["name"],
                        "items":{"type":"object","properties":{"name":{"type":"string"},
                                                               "v":{"type":"integer"}}}})",
                    R"([{"name":"a","v":1},{"name":"b"},{"name":"a","v":2}])",
                    {{"FieldValueDuplicate", "spec.x[2]",
                      "Duplicate value: map[string]interface {}{\"name\":\"a\"}"}}}),
    [](const ::testing::TestParamInfo<KeywordCase>& p) { return std::string(p.param.name); });

TEST(CompileTest, RefusesKeywordsThatWouldChangeValidation) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","properties":{"spec":{
      "anyOf":[{"required":["a"]}]}}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "openAPIV3Schema.properties[spec].anyOf: keyword is not supported");
}

TEST(CompileTest, AcceptsTheAnyOfThatAccompaniesIntOrString) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","properties":{"m":{
      "anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true}}})"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT((*s)->Validate(Json::parse(R"({"m":"25%"})"), nullptr), IsEmpty());
  EXPECT_EQ((*s)->Validate(Json::parse(R"({"m":true})"), nullptr).size(), 1u);
}

TEST(CompileTest, IgnoresDocumentationKeywords) {
  EXPECT_TRUE(Schema::Compile(Json::parse(R"({"type":"object","description":"d","title":"t",
      "properties":{"a":{"type":"string","example":"x"}}})"))
                  .ok());
}

TEST(CompileTest, RefusesRuleOutsideTheSubsetNamingRuleAndPath) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","properties":{"spec":{
      "type":"object","properties":{"name":{"type":"string"}},
      "x-kubernetes-validations":[{"rule":"self.name.lowerAscii() == 'a'"}]}}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              ::testing::StartsWith("openAPIV3Schema.properties[spec].x-kubernetes-validations[0]"
                                    ".rule: Invalid value: \"self.name.lowerAscii() == 'a'\": "
                                    "compilation failed: "));
  EXPECT_THAT(s.status().message(), ::testing::HasSubstr("lowerAscii"));
}

TEST(CompileTest, RefusesRuleComparingIntToString) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","properties":{
      "a":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.a == 'x'"}]})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              ::testing::HasSubstr("found no matching overload for '_==_' applied to '(int, "
                                   "string)'"));
}

TEST(CompileTest, RefusesRuleOnUndeclaredField) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","properties":{
      "a":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.b == 1"}]})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), ::testing::HasSubstr("undefined field 'b'"));
}

TEST(CompileTest, RefusesMessageExpression) {
  auto s = Schema::Compile(Json::parse(R"({"type":"object","x-kubernetes-validations":[
      {"rule":"true","messageExpression":"'x'"}]})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), ::testing::HasSubstr("messageExpression"));
}

// --- defaulting (semantics.md §3) ---

TEST(DefaultsTest, NullsOfNonNullableFieldsAreReplacedByDefaults) {
  auto s = MustCompile(kBatchSandbox);
  Json obj = Json::parse(R"({"spec":{"replicas":null,"taskResourcePolicyWhenCompleted":null}})");
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj["spec"],
            Json::parse(R"({"replicas":1,"taskResourcePolicyWhenCompleted":"Retain"})"));
}

TEST(DefaultsTest, NothingIsDefaultedOrRequiredWhenTheParentIsAbsent) {
  auto s = MustCompile(kBatchSandbox);
  Json obj =
      Json::parse(R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind":"BatchSandbox"})");
  Json before = obj;
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj, before);
  EXPECT_THAT(s->Validate(obj, nullptr), IsEmpty());
}

TEST(DefaultsTest, PreserveUnknownFieldsSubtreeIsLeftAlone) {
  auto s = MustCompile(kBatchSandbox);
  Json obj = Json::parse(R"({"spec":{"replicas":2,"template":{"spec":{"replicas":null}}}})");
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj["spec"]["template"], Json::parse(R"({"spec":{"replicas":null}})"));
  EXPECT_THAT(s->Prune(obj), IsEmpty());
  EXPECT_EQ(obj["spec"]["template"], Json::parse(R"({"spec":{"replicas":null}})"));
}

TEST(DefaultsTest, NullWithoutDefaultIsDroppedAndNullableNullKept) {
  auto s = MustCompile(R"({"type":"object","properties":{"a":{"type":"string"},
      "b":{"type":"string","nullable":true}}})");
  Json obj = Json::parse(R"({"a":null,"b":null})");
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj, Json::parse(R"({"b":null})"));
}

TEST(DefaultsTest, DefaultedObjectsGetTheirOwnNestedDefaults) {
  auto s = MustCompile(R"({"type":"object","properties":{"o":{"type":"object","default":{},
      "properties":{"n":{"type":"integer","default":5}}},
      "l":{"type":"array","items":{"type":"object","properties":{
        "k":{"type":"string","default":"v"}}}}}})");
  Json obj = Json::parse(R"({"l":[{},{"k":"x"}]})");
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj, Json::parse(R"({"o":{"n":5},"l":[{"k":"v"},{"k":"x"}]})"));
}

// --- pruning ---

TEST(PruneTest, RemovesUndeclaredFieldsAndReportsTheirPaths) {
  auto s = MustCompile(kBatchSandbox);
  Json obj = Json::parse(R"({"apiVersion":"v","kind":"BatchSandbox","metadata":{"name":"x"},
      "bogus":true,"spec":{"replicas":1,"foo":"bar","template":{"anything":{"goes":true}},
      "shardTaskPatches":[{"keep":1}]}})");
  EXPECT_THAT(s->Prune(obj), ElementsAre("bogus", "spec.foo"));
  EXPECT_EQ(obj, Json::parse(R"({"apiVersion":"v","kind":"BatchSandbox","metadata":{"name":"x"},
      "spec":{"replicas":1,"template":{"anything":{"goes":true}},
      "shardTaskPatches":[{"keep":1}]}})"));
}

TEST(PruneTest, PrunesInsideListItemsWithIndexedPaths) {
  auto s = MustCompile(R"({"type":"object","properties":{"l":{"type":"array","items":{
      "type":"object","properties":{"a":{"type":"string"}}}}}})");
  Json obj = Json::parse(R"({"l":[{"a":"x"},{"a":"y","b":1}]})");
  EXPECT_THAT(s->Prune(obj), ElementsAre("l[1].b"));
  EXPECT_EQ(obj, Json::parse(R"({"l":[{"a":"x"},{"a":"y"}]})"));
}

TEST(PruneTest, EmbeddedResourceKeepsTypeMeta) {
  auto s = MustCompile(R"({"type":"object","properties":{"e":{"type":"object",
      "x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}})");
  Json obj = Json::parse(R"({"e":{"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{},"x":1}})");
  EXPECT_THAT(s->Prune(obj), ElementsAre("e.x"));
  EXPECT_TRUE(obj["e"].contains("kind"));
}

// --- the project's own rules ---

const char* kBatchSandboxRules = R"js({"type":"object","properties":{"spec":{"type":"object",
    "properties":{"replicas":{"type":"integer"},"poolRef":{"type":"string"},
      "template":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
      "shardTaskPatches":{"type":"array","items":{"type":"object",
        "x-kubernetes-preserve-unknown-fields":true}}},
    "x-kubernetes-validations":[
      {"rule":"!has(self.shardTaskPatches) || size(self.shardTaskPatches) <= self.replicas",
       "message":"too many shardTaskPatches"},
      {"rule":"(has(self.poolRef) && self.poolRef != '') || has(self.template)",
       "message":"poolRef or template is required"},
      {"rule":"!has(oldSelf.poolRef) || oldSelf.poolRef == '' || (has(self.poolRef) && self.poolRef == oldSelf.poolRef)",
       "message":"poolRef is immutable"}]}}})js";

TEST(ProjectRulesTest, BatchSandboxRulesCompileAndHold) {
  auto s = MustCompile(kBatchSandboxRules);
  EXPECT_THAT(s->Validate(Json::parse(R"({"spec":{"replicas":1,"poolRef":"p"}})"), nullptr),
              IsEmpty());
  EXPECT_THAT(
      s->Validate(Json::parse(R"({"spec":{"replicas":1,"poolRef":"","shardTaskPatches":[{},{}]}})"),
                  nullptr),
      ElementsAre(
          FieldError{"FieldValueInvalid", "spec", "Invalid value: too many shardTaskPatches"},
          FieldError{"FieldValueInvalid", "spec",
                     "Invalid value: poolRef or template is required"}));
}

TEST(ProjectRulesTest, TransitionRuleRunsOnlyWithAnOldValue) {
  auto s = MustCompile(kBatchSandboxRules);
  Json changed = Json::parse(R"({"spec":{"replicas":1,"poolRef":"other"}})");
  Json old = Json::parse(R"({"spec":{"replicas":1,"poolRef":"p"}})");
  EXPECT_THAT(s->Validate(changed, nullptr), IsEmpty());
  EXPECT_THAT(
      s->Validate(changed, &old),
      ElementsAre(FieldError{"FieldValueInvalid", "spec", "Invalid value: poolRef is immutable"}));
  EXPECT_THAT(s->Validate(old, &old), IsEmpty());
  Json unset = Json::parse(R"({"spec":{"replicas":1,"poolRef":""}})");
  EXPECT_THAT(s->Validate(changed, &unset), IsEmpty());
}

TEST(ProjectRulesTest, TransitionRulesFollowMapListItemsByKey) {
  auto s = MustCompile(R"({"type":"object","properties":{"l":{"type":"array",
      "x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
      "items":{"type":"object","properties":{"name":{"type":"string"},"v":{"type":"integer"}},
        "x-kubernetes-validations":[{"rule":"self.v >= oldSelf.v","message":"v may not shrink"}]}}}})");
  Json old = Json::parse(R"({"l":[{"name":"a","v":5},{"name":"b","v":1}]})");
  Json now = Json::parse(R"({"l":[{"name":"b","v":2},{"name":"a","v":4},{"name":"c","v":0}]})");
  EXPECT_THAT(s->Validate(now, &old), ElementsAre(FieldError{"FieldValueInvalid", "l[1]",
                                                             "Invalid value: v may not shrink"}));
}

}  // namespace
}  // namespace osbx::kube::schema
