// TLS material made at run time: a throw-away certificate authority and server certificates it
// signs, so that the emulator serves HTTPS that clients verify for real (peer and host name)
// without any file checked in. Keys are ECDSA P-256: generating them takes microseconds.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

/// A certificate's validity window.
struct validity_period {
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
};

/// From an hour ago (tolerates clock skew between processes) to three days from now.
validity_period default_validity();

/// A certificate authority: its self-signed certificate and its private key, PEM.
struct certificate_authority {
    std::string cert_pem;
    std::string key_pem;
};

/// A certificate and its private key (PKCS#8), PEM.
struct issued_certificate {
    std::string cert_pem;
    std::string key_pem;
};

/// What the emulator needs for TLS: the CA clients must trust, and the server's chain and key.
struct tls_material {
    std::string ca_cert_pem;
    std::string ca_key_pem; // to issue more certificates (wrong host names) from the same CA
    std::string server_cert_pem;
    std::string server_key_pem;

    certificate_authority authority() const { return {ca_cert_pem, ca_key_pem}; }
};

/// A new self-signed CA (basicConstraints CA:TRUE critical, keyUsage keyCertSign and cRLSign).
/// Throws std::runtime_error when OpenSSL fails.
certificate_authority
make_certificate_authority(std::string_view common_name = "openai-images-emulator test CA",
                           const validity_period& validity = default_validity());

/// A server certificate signed by `ca` for `names`: IPv4/IPv6 literals become IP subject
/// alternative names, anything else DNS names (letters, digits, '-', '.', a leading "*.").
/// extendedKeyUsage serverAuth; the common name is the first name. Throws std::invalid_argument
/// for an empty list or a malformed name, std::runtime_error when OpenSSL fails (or `ca` does
/// not parse).
issued_certificate issue_server_certificate(const certificate_authority& ca,
                                            const std::vector<std::string>& names,
                                            const validity_period& validity = default_validity());

/// A new CA and a server certificate for localhost, 127.0.0.1 and ::1, plus `extra_names`.
tls_material make_tls_material(const std::vector<std::string>& extra_names = {});

/// A certificate from `ca` valid only for `host` (DNS:wrong.example by default): clients that
/// check host names must refuse it when they connect to localhost.
issued_certificate make_wrong_host_certificate(const certificate_authority& ca,
                                               std::string_view host = "wrong.example");

/// Writes `ca_cert_pem` to `dir`/ca.pem atomically (a temporary file in `dir`, then rename), so
/// that a reader never sees a partial file. Creates `dir` if missing. Returns the file's path.
/// Throws std::filesystem::filesystem_error or std::runtime_error on failure.
std::filesystem::path write_ca_pem(const std::filesystem::path& dir, std::string_view ca_cert_pem);

} // namespace openai::emulator
