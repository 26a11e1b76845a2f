#include "pkg/kube/client/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/kube/client/testing/temp_dir.h"

namespace osbx::kube {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kCaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

std::string MinimalKubeconfig(std::string_view server) {
  return "current-context: x\nclusters: [{name: c, cluster: {server: '" + std::string(server) +
         "'}}]\ncontexts: [{name: x, context: {cluster: c}}]\n";
}

InClusterEnvironment PodEnvironment(const testing::TempDir& dir) {
  InClusterEnvironment env;
  env.service_host = "10.96.0.1";
  env.service_port = "443";
  env.secrets_dir = dir.path();
  return env;
}

TEST(InClusterConfigTest, ReadsServiceAccountFiles) {
  testing::TempDir dir;
  dir.Write("token", "tok-1\n");
  dir.Write("ca.crt", kCaPem);
  dir.Write("namespace", "sandboxes\n");
  StatusOr<RestConfig> c = InClusterConfig(PodEnvironment(dir));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->bearer_token, "tok-1");
  EXPECT_EQ(c->bearer_token_file, (dir.path() / "token").string());
  EXPECT_EQ(c->ca_pem, kCaPem);
  EXPECT_EQ(c->default_namespace, "sandboxes");
  EXPECT_EQ(c->source, "in-cluster");
}

TEST(InClusterConfigTest, Ipv6HostIsBracketed) {
  testing::TempDir dir;
  dir.Write("token", "t");
  InClusterEnvironment env = PodEnvironment(dir);
  env.service_host = "fd00::1";
  StatusOr<RestConfig> c = InClusterConfig(env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->server, "https://[fd00::1]:443");
  EXPECT_EQ(c->default_namespace, "default");
}

TEST(InClusterConfigTest, MissingTokenIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  StatusOr<RestConfig> c = InClusterConfig(PodEnvironment(dir));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr((dir.path() / "token").string()));
}

TEST(InClusterConfigTest, NotInAPodWithoutServiceVariables) {
  StatusOr<RestConfig> c = InClusterConfig(InClusterEnvironment{});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("KUBERNETES_SERVICE_HOST"));
}

TEST(TokenSourceTest, RereadsRotatedTokenFileAtMostOncePerMinute) {
  testing::TempDir dir;
  std::filesystem::path token = dir.Write("token", "first\n");
  FakeClock clock;
  TokenSource source("", token.string(), clock);
  EXPECT_EQ(*source.Token(), "first");

  dir.Write("token", "second\n");
  clock.Advance(std::chrono::seconds(59));
  EXPECT_EQ(*source.Token(), "first");  // cached within the minute
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*source.Token(), "second");
}

TEST(TokenSourceTest, KeepsLastTokenWhenTheFileDisappears) {
  testing::TempDir dir;
  std::filesystem::path token = dir.Write("token", "good");
  FakeClock clock;
  TokenSource source("", token.string(), clock);
  EXPECT_EQ(*source.Token(), "good");
  std::filesystem::remove(token);
  clock.Advance(std::chrono::minutes(2));
  EXPECT_EQ(*source.Token(), "good");
}

TEST(TokenSourceTest, UnreadableFileWithoutFallbackIsAnError) {
  FakeClock clock;
  TokenSource source("", "/no/such/token", clock);
  EXPECT_FALSE(source.Token().ok());
  TokenSource with_static("static", "/no/such/token", clock);
  EXPECT_EQ(*with_static.Token(), "static");
}

TEST(TokenSourceTest, StaticTokenNeedsNoFile) {
  FakeClock clock;
  TokenSource source("abc", "", clock);
  EXPECT_EQ(*source.Token(), "abc");
}

class ResolveConfigTest : public ::testing::Test {
 protected:
  ResolveConfigTest() {
    flag_ = dir_.Write("flag.yaml", MinimalKubeconfig("https://flag:1")).string();
    env_ = dir_.Write("env.yaml", MinimalKubeconfig("https://env:1")).string();
    dir_.Write("home/.kube/config", MinimalKubeconfig("https://home:1"));
    dir_.Write("sa/token", "t");
    in_cluster_ = PodEnvironment(dir_);
    in_cluster_.secrets_dir = dir_.path() / "sa";
  }

  std::string Server(const ConfigSources& sources) {
    StatusOr<RestConfig> c = ResolveConfig(sources);
    return c.ok() ? c->server : "error: " + c.status().message();
  }

  testing::TempDir dir_;
  std::string flag_;
  std::string env_;
  InClusterEnvironment in_cluster_;
};

TEST_F(ResolveConfigTest, FollowsControllerRuntimePrecedence) {
  std::string home = (dir_.path() / "home").string();
  EXPECT_EQ(Server({flag_, env_, in_cluster_, home}), "https://flag:1");
  EXPECT_EQ(Server({"", env_, in_cluster_, home}), "https://env:1");
  EXPECT_EQ(Server({"", "", in_cluster_, home}), "https://10.96.0.1:443");
  EXPECT_EQ(Server({"", "", {}, home}), "https://home:1");
  EXPECT_THAT(Server({"", "", {}, dir_.path().string()}),
              HasSubstr("no Kubernetes configuration found"));
}

TEST_F(ResolveConfigTest, UsesTheFirstFileOfKubeconfigList) {
  EXPECT_EQ(Server({"", "::" + env_ + ":" + flag_, {}, ""}), "https://env:1");
}

TEST_F(ResolveConfigTest, BrokenExplicitFileIsAnErrorNotSkipped) {
  std::string broken = dir_.Write("broken.yaml", "current-context: [").string();
  std::string result = Server({broken, env_, in_cluster_, ""});
  EXPECT_THAT(result, HasSubstr("error: "));
  EXPECT_THAT(result, HasSubstr(broken));
}

}  // namespace
}  // namespace osbx::kube
