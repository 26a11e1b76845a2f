#include "internal/standalone/store/continue_token.h"

#include <gtest/gtest.h>

namespace osbx::standalone {
namespace {

// Tokens recorded from kube-apiserver v1.36 (kube-wire/semantics.md §5).
constexpr const char* kRecorded =
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjA4NCwic3RhcnQiOiIvZXhwaXJpbmctc2FuZGJveFx1MDAwMCJ9";

TEST(ContinueTokenTest, EncodesExactlyAsKubeApiserverDoes) {
  ContinueToken token{2084, std::string("/expiring-sandbox") + '\0'};
  EXPECT_EQ(EncodeContinueToken(token), kRecorded);
}

TEST(ContinueTokenTest, DecodesARecordedToken) {
  auto token = DecodeContinueToken(kRecorded);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->rv, 2084);
  EXPECT_EQ(token->start, std::string("/expiring-sandbox") + '\0');
}

TEST(ContinueTokenTest, RoundTripsAnyKeySuffix) {
  for (std::string start : {"", "a", "ab", "abc", "/ns/név\"quoted\"", "x\x01y"}) {
    auto back = DecodeContinueToken(EncodeContinueToken({-1, start}));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->start, start);
    EXPECT_EQ(back->rv, -1);
  }
}

TEST(ContinueTokenTest, MalformedTokensAreBadRequest) {
  std::string padded = std::string(kRecorded) + "=";
  auto bad = DecodeContinueToken(padded);
  EXPECT_EQ(bad.status().code(), StatusCode::kBadRequest);
  // Go reports the offset of the '=' (kube's message for a padded token).
  std::string where = "illegal base64 data at input byte " + std::to_string(padded.size() - 1);
  EXPECT_NE(bad.status().message().find(where), std::string::npos) << bad.status().message();
  EXPECT_EQ(DecodeContinueToken("bm90IGpzb24").status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(DecodeContinueToken(EncodeContinueToken({1, "x"}).substr(0, 10)).status().code(),
            StatusCode::kBadRequest);
}

}  // namespace
}  // namespace osbx::standalone
