#include "pkg/http/tls.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace osbx::http {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

CertPtr ParseCert(const std::string& pem) {
  std::unique_ptr<BIO, X509Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// True when `leaf` chains to `ca` for TLS server use at `host` (a DNS name or an IP literal).
bool VerifiesFor(const CertPtr& ca, const CertPtr& leaf, const std::string& host) {
  std::unique_ptr<X509_STORE, X509Free> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, X509Free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (host.find_first_not_of("0123456789.:abcdef") == std::string::npos &&
      host.find_first_of(".:") != std::string::npos) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  return X509_verify_cert(ctx.get()) == 1;
}

TEST(TlsTest, CaIsSelfSignedCertificateAuthority) {
  StatusOr<KeyPair> ca = GenerateCa();
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_NE(ca->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(ca->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  CertPtr cert = ParseCert(ca->cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_TRUE(X509_get_extension_flags(cert.get()) & EXFLAG_SS);
  EXPECT_TRUE(X509_get_key_usage(cert.get()) & KU_KEY_CERT_SIGN);
  // Valid for about ten years.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_GE(days, 3650);
}

TEST(TlsTest, ServingCertChainsToCaForItsNamesAndAddressesOnly) {
  StatusOr<KeyPair> ca = GenerateCa();
  ASSERT_TRUE(ca.ok());
  ServingCertOptions options;
  options.dns_names = {"localhost", "apiserver.local"};
  options.ip_addresses = {"127.0.0.1", "::1"};
  StatusOr<KeyPair> serving = IssueServingCert(*ca, options);
  ASSERT_TRUE(serving.ok()) << serving.status().ToString();
  CertPtr ca_cert = ParseCert(ca->cert_pem);
  CertPtr leaf = ParseCert(serving->cert_pem);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER);
  EXPECT_TRUE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_CLIENT);
  EXPECT_TRUE(VerifiesFor(ca_cert, leaf, "localhost"));
  EXPECT_TRUE(VerifiesFor(ca_cert, leaf, "apiserver.local"));
  EXPECT_TRUE(VerifiesFor(ca_cert, leaf, "127.0.0.1"));
  EXPECT_TRUE(VerifiesFor(ca_cert, leaf, "::1"));
  EXPECT_FALSE(VerifiesFor(ca_cert, leaf, "example.com"));
  EXPECT_FALSE(VerifiesFor(ca_cert, leaf, "10.0.0.1"));
  // A different CA does not vouch for it.
  StatusOr<KeyPair> other = GenerateCa();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(VerifiesFor(ParseCert(other->cert_pem), leaf, "localhost"));
}

TEST(TlsTest, IssueRejectsBadAddressesAndMismatchedCa) {
  StatusOr<KeyPair> ca = GenerateCa();
  ASSERT_TRUE(ca.ok());
  ServingCertOptions bad_ip;
  bad_ip.ip_addresses = {"300.1.1.1"};
  EXPECT_EQ(IssueServingCert(*ca, bad_ip).status().code(), StatusCode::kInvalid);
  ServingCertOptions bad_dns;
  bad_dns.dns_names = {"a,IP:1.2.3.4"};
  EXPECT_EQ(IssueServingCert(*ca, bad_dns).status().code(), StatusCode::kInvalid);
  StatusOr<KeyPair> other = GenerateCa();
  ASSERT_TRUE(other.ok());
  KeyPair mismatched{ca->cert_pem, other->key_pem};
  EXPECT_EQ(IssueServingCert(mismatched).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(IssueServingCert(KeyPair{"junk", "junk"}).status().code(), StatusCode::kInvalid);
}

TEST(TlsTest, WritePemFileUsesOwnerOnlyModeForSecrets) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "osbx-tls-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  std::filesystem::path dir(dir_template);
  ::umask(0);  // the file mode must not depend on the caller's umask
  ASSERT_TRUE(WritePemFile((dir / "key.pem").string(), "secret\n", true).ok());
  ASSERT_TRUE(WritePemFile((dir / "ca.pem").string(), "public\n", false).ok());
  ::umask(022);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir / "ca.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  std::ifstream in(dir / "key.pem");
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "secret\n");
  EXPECT_FALSE(WritePemFile((dir / "missing" / "x.pem").string(), "x", true).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace osbx::http
