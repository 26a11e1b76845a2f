#pragma once
// Certificates for HTTPS servers the project runs itself: the standalone API server (whose CA
// goes into the kubeconfig it writes) and test fixtures. A self-signed CA signs a serving
// certificate for the names and addresses clients dial. Keys are ECDSA P-256; everything is PEM.

#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/status.h"

namespace osbx::http {

// A certificate and its private key, PEM-encoded.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8, unencrypted
};

struct CaOptions {
  std::string common_name = "opensandbox-ca";
  int valid_days = 3650;
};

struct ServingCertOptions {
  std::string common_name = "opensandbox-apiserver";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};  // IPv4 or IPv6 literals
  int valid_days = 365;
};

// A fresh self-signed CA (basicConstraints CA:TRUE, keyCertSign).
[[nodiscard]] StatusOr<KeyPair> GenerateCa(const CaOptions& options = {});

// A serving certificate signed by `ca`, valid for TLS server and client authentication, with the
// given names and addresses as subjectAltName. Invalid when an address does not parse.
[[nodiscard]] StatusOr<KeyPair> IssueServingCert(const KeyPair& ca,
                                                 const ServingCertOptions& options = {});

// Writes `pem` to `path` atomically (temporary file and rename) with mode 0600 when `secret`,
// else 0644. Parent directories must exist.
[[nodiscard]] Status WritePemFile(const std::string& path, std::string_view pem, bool secret);

}  // namespace osbx::http
