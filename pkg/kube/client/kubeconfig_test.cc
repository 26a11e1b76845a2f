#include "pkg/kube/client/kubeconfig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/kube/client/base64.h"
#include "pkg/kube/client/testing/temp_dir.h"

namespace osbx::kube {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kCaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr std::string_view kCertPem =
    "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
constexpr std::string_view kKeyPem =
    "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string DataKubeconfig() {
  return "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
         "clusters:\n- name: c1\n  cluster:\n    server: https://127.0.0.1:6443/\n"
         "    certificate-authority-data: " +
         Base64Encode(kCaPem) +
         "\n"
         "users:\n- name: u1\n  user:\n    client-certificate-data: " +
         Base64Encode(kCertPem) + "\n    client-key-data: " + Base64Encode(kKeyPem) +
         "\n"
         "contexts:\n- name: dev\n  context: {cluster: c1, user: u1, namespace: team-a}\n";
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string_view s : {"", "a", "ab", "abc", "abcd", "hello world\n"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), std::string(s));
  }
  EXPECT_EQ(Base64Decode("aGVs\nbG8="), "hello");
  EXPECT_EQ(Base64Decode("aGVsbG8"), "hello");  // padding optional
  EXPECT_EQ(Base64Decode("a$=="), std::nullopt);
  EXPECT_EQ(Base64Decode("a"), std::nullopt);
  EXPECT_EQ(Base64Decode("aGVsbG8=x"), std::nullopt);
}

TEST(KubeconfigTest, InlineDataCredentialsAndContextNamespace) {
  StatusOr<RestConfig> c = ParseKubeconfig(DataKubeconfig(), "/nowhere", "test.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://127.0.0.1:6443");
  EXPECT_EQ(c->ca_pem, kCaPem);
  EXPECT_EQ(c->client_cert_pem, kCertPem);
  EXPECT_EQ(c->client_key_pem, kKeyPem);
  EXPECT_EQ(c->default_namespace, "team-a");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->source, "test.yaml");
}

TEST(KubeconfigTest, FileCredentialsResolveRelativeToTheKubeconfigFolder) {
  testing::TempDir dir;
  dir.Write("certs/ca.crt", kCaPem);
  dir.Write("certs/client.crt", kCertPem);
  dir.Write("abs-key.pem", kKeyPem);
  std::string yaml =
      "current-context: ctx\n"
      "clusters:\n- name: c\n  cluster:\n    server: https://k8s:443\n"
      "    certificate-authority: certs/ca.crt\n"
      "users:\n- name: u\n  user:\n    client-certificate: certs/client.crt\n"
      "    client-key: " +
      (dir.path() / "abs-key.pem").string() +
      "\n"
      "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n";
  std::filesystem::path file = dir.Write("sub/../kubeconfig", yaml);
  StatusOr<RestConfig> c = LoadKubeconfig(file.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ca_pem, kCaPem);
  EXPECT_EQ(c->client_cert_pem, kCertPem);
  EXPECT_EQ(c->client_key_pem, kKeyPem);
  EXPECT_EQ(c->default_namespace, "");
}

TEST(KubeconfigTest, TokenTokenFileAndInsecure) {
  testing::TempDir dir;
  dir.Write("token", "file-token\n");
  std::string yaml =
      "current-context: a\n"
      "clusters:\n- name: c\n  cluster: {server: 'https://h:1', insecure-skip-tls-verify: true}\n"
      "users:\n- name: static\n  user: {token: abc.def}\n"
      "- name: filed\n  user: {tokenFile: token}\n"
      "contexts:\n- name: a\n  context: {cluster: c, user: static}\n"
      "- name: b\n  context: {cluster: c, user: filed}\n";
  StatusOr<RestConfig> a = ParseKubeconfig(yaml, dir.path(), "k");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->insecure_skip_tls_verify);
  EXPECT_EQ(a->bearer_token, "abc.def");
  EXPECT_EQ(a->bearer_token_file, "");
  StatusOr<RestConfig> b = ParseKubeconfig(yaml, dir.path(), "k", "b");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->bearer_token_file, (dir.path() / "token").string());
}

TEST(KubeconfigTest, ContextWithoutUserIsAnonymous) {
  StatusOr<RestConfig> c = ParseKubeconfig(
      "current-context: x\nclusters: [{name: c, cluster: {server: 'http://localhost:8080'}}]\n"
      "contexts: [{name: x, context: {cluster: c}}]\n",
      "/", "k");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "http://localhost:8080");
  EXPECT_EQ(c->bearer_token, "");
}

struct BrokenCase {
  const char* name;
  std::string yaml;
  const char* expected;
};

class BrokenKubeconfigTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenKubeconfigTest, FailsWithAMessageNamingFileAndProblem) {
  StatusOr<RestConfig> c = ParseKubeconfig(GetParam().yaml, "/nonexistent-dir", "/my/kubeconfig");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(c.status().message(), HasSubstr("/my/kubeconfig"));
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().expected));
}

const std::string kGoodCluster = "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n";
const std::string kGoodContext = "contexts: [{name: x, context: {cluster: c, user: u}}]\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenKubeconfigTest,
    ::testing::Values(
        BrokenCase{"empty", "", "file is empty"},
        BrokenCase{"bad_yaml", "clusters: [\n  - {name: c\n", "invalid YAML at line"},
        BrokenCase{"scalar", "just a string", "top level must be a mapping"},
        BrokenCase{"no_current", kGoodCluster + kGoodContext, "current-context is not set"},
        BrokenCase{"missing_context", "current-context: nope\n" + kGoodCluster + kGoodContext,
                   "context \"nope\" not found"},
        BrokenCase{
            "missing_cluster",
            "current-context: x\ncontexts: [{name: x, context: {cluster: zz}}]\n" + kGoodCluster,
            "cluster \"zz\" not found"},
        BrokenCase{"missing_user", "current-context: x\n" + kGoodCluster + kGoodContext,
                   "no users defined"},
        BrokenCase{"no_server",
                   "current-context: x\nclusters: [{name: c, cluster: {}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "clusters[c] has no server"},
        BrokenCase{"bad_server",
                   "current-context: x\nclusters: [{name: c, cluster: {server: 'h:1'}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "is not an http(s) URL"},
        BrokenCase{"bad_base64",
                   "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
                   "certificate-authority-data: '%%%'}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "certificate-authority-data is not valid base64"},
        BrokenCase{"not_pem",
                   "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
                   "certificate-authority-data: aGVsbG8=}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "does not contain PEM data"},
        BrokenCase{"missing_ca_file",
                   "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
                   "certificate-authority: ca.crt}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "/nonexistent-dir/ca.crt"},
        BrokenCase{"cert_without_key",
                   "current-context: x\n" + kGoodCluster + kGoodContext +
                       "users: [{name: u, user: {client-certificate-data: " +
                       Base64Encode(kCertPem) + "}}]\n",
                   "client-certificate and client-key must be given together"},
        BrokenCase{"exec_plugin",
                   "current-context: x\n" + kGoodCluster + kGoodContext +
                       "users: [{name: u, user: {exec: {command: aws}}}]\n",
                   "exec credential plugins are not supported"},
        BrokenCase{"bad_insecure",
                   "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
                   "insecure-skip-tls-verify: maybe}}]\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "insecure-skip-tls-verify must be true or false"},
        BrokenCase{"clusters_not_list",
                   "current-context: x\nclusters: {c: 1}\n"
                   "contexts: [{name: x, context: {cluster: c}}]\n",
                   "'clusters' must be a list"}),
    [](const ::testing::TestParamInfo<BrokenCase>& param_info) { return param_info.param.name; });

TEST(KubeconfigTest, MissingFileNamesThePath) {
  StatusOr<RestConfig> c = LoadKubeconfig("/definitely/not/here/kubeconfig");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("/definitely/not/here/kubeconfig"));
  EXPECT_THAT(c.status().message(), HasSubstr("No such file"));
}

}  // namespace
}  // namespace osbx::kube
