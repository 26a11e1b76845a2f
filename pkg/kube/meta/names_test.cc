#include "pkg/kube/meta/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(NamesTest, Dns1123SubdomainAcceptsDottedLowercaseNames) {
  EXPECT_THAT(IsDns1123Subdomain("example.com"), IsEmpty());
  EXPECT_THAT(IsDns1123Subdomain("a"), IsEmpty());
  EXPECT_THAT(IsDns1123Subdomain("pool-1.sandbox-2"), IsEmpty());
}

TEST(NamesTest, Dns1123SubdomainRejectsWithKubeMessage) {
  EXPECT_THAT(
      IsDns1123Subdomain("Bad_Name"),
      ElementsAre("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                  "characters, '-' or '.', and must start and end with an alphanumeric character "
                  "(e.g. 'example.com', regex used for validation is "
                  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  EXPECT_EQ(IsDns1123Subdomain("").size(), 1u);
  EXPECT_EQ(IsDns1123Subdomain("a..b").size(), 1u);
  EXPECT_EQ(IsDns1123Subdomain("-a").size(), 1u);
  EXPECT_EQ(IsDns1123Subdomain("a.").size(), 1u);
}

TEST(NamesTest, Dns1123SubdomainReportsLengthAboveLimit) {
  std::string long_name(254, 'a');
  EXPECT_THAT(IsDns1123Subdomain(long_name), ElementsAre("must be no more than 253 characters"));
  EXPECT_THAT(IsDns1123Subdomain(std::string(253, 'a')), IsEmpty());
}

TEST(NamesTest, Dns1123LabelSaysDotsWhenOnlyDotsAreWrong) {
  EXPECT_THAT(IsDns1123Label("my-name"), IsEmpty());
  EXPECT_THAT(IsDns1123Label("a.b"), ElementsAre("must not contain dots"));
  EXPECT_THAT(IsDns1123Label("A"),
              ElementsAre("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                          "characters or '-', and must start and end with an alphanumeric "
                          "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  EXPECT_THAT(IsDns1123Label(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
}

TEST(NamesTest, QualifiedNameAcceptsPrefixedKeys) {
  EXPECT_THAT(IsQualifiedName("app"), IsEmpty());
  EXPECT_THAT(IsQualifiedName("sandbox.opensandbox.io/pool"), IsEmpty());
  EXPECT_THAT(IsQualifiedName("My_Name.1"), IsEmpty());
}

TEST(NamesTest, QualifiedNameReportsEachBrokenPart) {
  EXPECT_THAT(IsQualifiedName("/a"), ElementsAre("prefix part must be non-empty"));
  std::vector<std::string> empty_name = IsQualifiedName("x.io/");
  ASSERT_EQ(empty_name.size(), 2u);
  EXPECT_EQ(empty_name[0], "name part must be non-empty");
  EXPECT_THAT(empty_name[1], ::testing::StartsWith("name part must consist of alphanumeric"));
  EXPECT_THAT(IsQualifiedName("a/b/c")[0],
              ::testing::StartsWith("a qualified name must consist of alphanumeric characters"));
  EXPECT_THAT(IsQualifiedName("Bad.Prefix/x")[0],
              ::testing::StartsWith("prefix part a lowercase RFC 1123 subdomain"));
  EXPECT_THAT(IsQualifiedName(std::string(64, 'a')),
              ElementsAre("name part must be no more than 63 characters"));
}

TEST(NamesTest, LabelValueMayBeEmptyButNotMalformed) {
  EXPECT_THAT(IsValidLabelValue(""), IsEmpty());
  EXPECT_THAT(IsValidLabelValue("v1.2_x-3"), IsEmpty());
  EXPECT_THAT(IsValidLabelValue("a@b"),
              ElementsAre("a valid label must be an empty string or consist of alphanumeric "
                          "characters, '-', '_' or '.', and must start and end with an "
                          "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                          "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?"
                          "[A-Za-z0-9])?')"));
  EXPECT_EQ(IsValidLabelValue(std::string(64, 'a')).size(), 1u);
}

TEST(NamesTest, GoQuoteEscapesLikeGo) {
  EXPECT_EQ(GoQuote("Bad_Name"), "\"Bad_Name\"");
  EXPECT_EQ(GoQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(GoQuote(std::string("\x01", 1)), "\"\\x01\"");
}

TEST(NamesTest, ValidateObjectNameMatchesApiServerCause) {
  Json obj = {{"metadata", {{"name", "Bad_Name"}}}};
  std::vector<StatusCause> causes = ValidateObjectName(obj);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].reason, "FieldValueInvalid");
  EXPECT_EQ(causes[0].field, "metadata.name");
  EXPECT_EQ(causes[0].message,
            "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower "
            "case alphanumeric characters, '-' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
}

TEST(NamesTest, ValidateObjectNameRequiresNameOrGenerateName) {
  std::vector<StatusCause> causes = ValidateObjectName(Json{{"metadata", Json::object()}});
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0],
            (StatusCause{"FieldValueRequired", "Required value: name or generateName is required",
                         "metadata.name"}));
  EXPECT_THAT(ValidateObjectName(Json{{"metadata", {{"generateName", "gen-"}}}}), IsEmpty());
  EXPECT_EQ(ValidateObjectName(Json{{"metadata", {{"generateName", "Gen-"}}}})[0].field,
            "metadata.generateName");
  EXPECT_EQ(ValidateObjectName(Json("not an object")).size(), 1u);
}

TEST(NamesTest, ValidateLabelsReportsKeysAndValues) {
  EXPECT_THAT(ValidateLabels(Json{{"app", "x"}, {"example.com/tier", ""}}, "metadata.labels"),
              IsEmpty());
  std::vector<StatusCause> causes =
      ValidateLabels(Json{{"bad key", "ok"}, {"k", "bad value"}}, "metadata.labels");
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0].field, "metadata.labels");
  EXPECT_THAT(causes[0].message,
              ::testing::StartsWith("Invalid value: \"bad key\": name part must consist of"));
  EXPECT_THAT(causes[1].message,
              ::testing::StartsWith("Invalid value: \"bad value\": a valid label must be"));
  EXPECT_THAT(ValidateLabels(Json(), "metadata.labels"), IsEmpty());
}

TEST(NamesTest, ValidateAnnotationsIgnoresCaseAndLimitsSize) {
  EXPECT_THAT(ValidateAnnotations(Json{{"Example.COM/Key", "any value at all"}}, "m"), IsEmpty());
  EXPECT_EQ(ValidateAnnotations(Json{{"a/b/c", "v"}}, "m").size(), 1u);
  std::vector<StatusCause> big =
      ValidateAnnotations(Json{{"k", std::string(kTotalAnnotationSizeLimit, 'x')}}, "m");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].reason, "FieldValueTooLong");
  EXPECT_EQ(big[0].message, "Too long: must have at most 262144 bytes");
}

TEST(NamesTest, GenerateNameSuffixUsesKubeAlphabet) {
  uint64_t next = 0;
  auto counter = [&next] { return next++; };
  EXPECT_EQ(GenerateNameSuffix(counter), "bcdfg");
  next = 22;
  EXPECT_EQ(GenerateNameSuffix(counter), "56789");
  next = 26;
  EXPECT_EQ(GenerateNameSuffix(counter), "9bcdf");  // wraps around the 27 characters
}

TEST(NamesTest, GenerateNameKeepsResultWithinALabel) {
  auto zero = [] { return uint64_t{0}; };
  EXPECT_EQ(GenerateName("gen-", zero), "gen-bbbbb");
  std::string name = GenerateName(std::string(70, 'x'), zero);
  EXPECT_EQ(name.size(), 63u);
  EXPECT_EQ(name.substr(58), "bbbbb");
}

}  // namespace
}  // namespace osbx::kube
