#include "pkg/http/tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace osbx::http {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

// The most recent OpenSSL error, for messages.
std::string OpenSslError(std::string_view what) {
  char buf[256] = {};
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  return std::string(what) + (code != 0 ? std::string(": ") + buf : std::string());
}

StatusOr<PKey> NewP256Key() {
  std::unique_ptr<EVP_PKEY_CTX, Free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0 ||
      EVP_PKEY_keygen(ctx.get(), &raw) <= 0) {
    return InternalError(OpenSslError("generate P-256 key"));
  }
  return PKey(raw);
}

std::string DrainBio(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  int n = BIO_read(bio, out.data(), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

StatusOr<KeyPair> ToPem(X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, Free> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return InternalError(OpenSslError("encode PEM"));
  }
  return KeyPair{DrainBio(cert_bio.get()), DrainBio(key_bio.get())};
}

StatusOr<KeyPair> ParsePair(const KeyPair& pem, Cert* cert, PKey* key) {
  std::unique_ptr<BIO, Free> cert_bio(
      BIO_new_mem_buf(pem.cert_pem.data(), static_cast<int>(pem.cert_pem.size())));
  std::unique_ptr<BIO, Free> key_bio(
      BIO_new_mem_buf(pem.key_pem.data(), static_cast<int>(pem.key_pem.size())));
  if (!cert_bio || !key_bio) return InternalError(OpenSslError("read PEM"));
  cert->reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  key->reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!*cert || !*key) return InvalidError(OpenSslError("CA certificate or key is not valid PEM"));
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    return InvalidError(OpenSslError("CA key does not match the CA certificate"));
  }
  return pem;
}

// Fills the fields every certificate has: version 3, a random positive serial, validity from
// an hour ago (clock skew) for `days`, subject CN and public key.
Status InitCert(X509* cert, const std::string& common_name, int days, EVP_PKEY* key) {
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  bool ok = serial && BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            (!BN_is_zero(serial.get()) || BN_one(serial.get()) == 1) &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr &&
            X509_set_version(cert, 2) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, nullptr) != nullptr &&
            X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                       -1, -1, 0) == 1 &&
            X509_set_pubkey(cert, key) == 1;
  return ok ? Status::Ok() : InternalError(OpenSslError("build certificate"));
}

// Adds extensions in order; `issuer` may be `cert` itself for a self-signed one.
Status AddExtensions(X509* cert, X509* issuer,
                     std::initializer_list<std::pair<int, std::string>> extensions) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    std::unique_ptr<X509_EXTENSION, Free> ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
      return InternalError(OpenSslError(std::string("add extension ") + OBJ_nid2sn(nid)));
    }
  }
  return Status::Ok();
}

StatusOr<std::string> SubjectAltNames(const ServingCertOptions& options) {
  std::string san;
  for (const std::string& dns : options.dns_names) {
    if (dns.empty() || dns.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789.-*") != std::string::npos) {
      return InvalidError("not a DNS name: \"" + dns + "\"");
    }
    san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const std::string& ip : options.ip_addresses) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      return InvalidError("not an IP address: \"" + ip + "\"");
    }
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }
  if (san.empty()) return InvalidError("a serving certificate needs a DNS name or IP address");
  return san;
}

// A new key and a certificate for it with the common fields filled and its issuer named
// (`issuer` null: itself), ready for extensions and a signature.
struct CertDraft {
  Cert cert;
  PKey key;
};

StatusOr<CertDraft> NewCertDraft(const std::string& common_name, int days, X509* issuer) {
  OSBX_ASSIGN_OR_RETURN(PKey key, NewP256Key());
  Cert cert(X509_new());
  if (!cert) return InternalError(OpenSslError("allocate certificate"));
  OSBX_RETURN_IF_ERROR(InitCert(cert.get(), common_name, days, key.get()));
  X509* named_by = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(named_by)) != 1) {
    return InternalError(OpenSslError("set issuer"));
  }
  return CertDraft{std::move(cert), std::move(key)};
}

}  // namespace

StatusOr<KeyPair> GenerateCa(const CaOptions& options) {
  OSBX_ASSIGN_OR_RETURN(CertDraft draft,
                        NewCertDraft(options.common_name, options.valid_days, nullptr));
  X509* cert = draft.cert.get();
  OSBX_RETURN_IF_ERROR(
      AddExtensions(cert, cert,
                    {{NID_basic_constraints, "critical,CA:TRUE"},
                     {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
                     {NID_subject_key_identifier, "hash"},
                     {NID_authority_key_identifier, "keyid:always"}}));
  if (X509_sign(cert, draft.key.get(), EVP_sha256()) == 0) {
    return InternalError(OpenSslError("sign CA certificate"));
  }
  return ToPem(cert, draft.key.get());
}

StatusOr<KeyPair> IssueServingCert(const KeyPair& ca, const ServingCertOptions& options) {
  Cert ca_cert;
  PKey ca_key;
  if (StatusOr<KeyPair> parsed = ParsePair(ca, &ca_cert, &ca_key); !parsed.ok()) {
    return parsed.status();
  }
  StatusOr<std::string> san = SubjectAltNames(options);
  if (!san.ok()) return san.status();
  OSBX_ASSIGN_OR_RETURN(CertDraft draft,
                        NewCertDraft(options.common_name, options.valid_days, ca_cert.get()));
  X509* cert = draft.cert.get();
  OSBX_RETURN_IF_ERROR(AddExtensions(cert, ca_cert.get(),
                                     {{NID_basic_constraints, "critical,CA:FALSE"},
                                      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                                      {NID_ext_key_usage, "serverAuth,clientAuth"},
                                      {NID_subject_key_identifier, "hash"},
                                      {NID_authority_key_identifier, "keyid:always"},
                                      {NID_subject_alt_name, *san}}));
  if (X509_sign(cert, ca_key.get(), EVP_sha256()) == 0) {
    return InternalError(OpenSslError("sign serving certificate"));
  }
  return ToPem(cert, draft.key.get());
}

Status WritePemFile(const std::string& path, std::string_view pem, bool secret) {
  const mode_t mode = secret ? 0600 : 0644;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return InternalError("create " + tmp + ": " + std::strerror(errno));
  int error = ::fchmod(fd, mode) == 0 ? 0 : errno;  // the umask must neither widen nor narrow it
  for (size_t done = 0; error == 0 && done < pem.size();) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) error = n < 0 ? errno : EIO;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error == 0) return Status::Ok();
  ::unlink(tmp.c_str());
  return InternalError("write " + path + ": " + std::strerror(error));
}

}  // namespace osbx::http
