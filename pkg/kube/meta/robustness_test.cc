// Random and truncated inputs: every parser answers with a value or an error, never a crash.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "pkg/kube/meta/field_selector.h"
#include "pkg/kube/meta/label_selector.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::kube {
namespace {

std::string RandomText(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (size_t n = len(rng); n > 0; --n) out += alphabet[pick(rng)];
  return out;
}

TEST(MetaRobustnessTest, SelectorParsersSurviveRandomInput) {
  std::mt19937 rng(12345);  // fixed seed: the same inputs on every run
  constexpr std::string_view kSelectorChars = "ab=!(),<> \tin/.-_\\x";
  for (int i = 0; i < 20000; ++i) {
    std::string text = RandomText(rng, kSelectorChars, 24);
    StatusOr<LabelSelector> labels = LabelSelector::Parse(text);
    if (labels.ok()) {
      // A selector that parses prints a form that parses to the same selector.
      StatusOr<LabelSelector> again = LabelSelector::Parse(labels->String());
      ASSERT_TRUE(again.ok()) << text << " -> " << labels->String();
      EXPECT_EQ(again->String(), labels->String()) << text;
    } else {
      EXPECT_FALSE(labels.status().message().empty()) << text;
    }
    StatusOr<FieldSelector> fields = FieldSelector::Parse(text);
    if (fields.ok()) {
      StatusOr<FieldSelector> again = FieldSelector::Parse(fields->String());
      ASSERT_TRUE(again.ok()) << text << " -> " << fields->String();
      // Same terms; their order may differ ("==" and "=" sort apart but print alike).
      EXPECT_TRUE(std::is_permutation(again->requirements().begin(), again->requirements().end(),
                                      fields->requirements().begin(), fields->requirements().end()))
          << text;
    }
  }
}

TEST(MetaRobustnessTest, TimeParsersSurviveTruncationAndNoise) {
  const std::string valid = "2026-11-29T18:00:01.500000+01:30";
  for (size_t cut = 0; cut <= valid.size(); ++cut) {
    (void)ParseTime(valid.substr(0, cut));
    (void)ParseMicroTime(valid.substr(0, cut));
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string text = RandomText(rng, "0123456789-:TZ.+ ", 34);
    StatusOr<Time> t = ParseTime(text);
    if (t.ok()) {
      EXPECT_TRUE(ParseTime(FormatTime(*t)).ok()) << text;
    }
  }
}

}  // namespace
}  // namespace osbx::kube
