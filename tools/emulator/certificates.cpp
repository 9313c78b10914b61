#include "emulator/certificates.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace openai::emulator {
namespace {

template <auto Free>
struct deleter {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, deleter<GENERAL_NAMES_free>>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, deleter<GENERAL_NAME_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;
using asn1_string_ptr = std::unique_ptr<ASN1_STRING, deleter<ASN1_STRING_free>>;

// Throws with OpenSSL's own reason, clearing its error queue so later calls start clean.
[[noreturn]] void fail(std::string_view what) {
    std::string message = "certificate generation: ";
    message += what;
    if (const unsigned long e = ERR_get_error(); e != 0) {
        char reason[256];
        ERR_error_string_n(e, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

void check(int ok, std::string_view what) {
    if (ok != 1)
        fail(what);
}

pkey_ptr make_key() {
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        fail("EC P-256 key generation failed");
    return key;
}

std::string to_pem(X509* cert) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new failed");
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509 failed");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new failed");
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey failed");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

bio_ptr read_bio(std::string_view pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        fail("BIO_new_mem_buf failed");
    return bio;
}

x509_ptr parse_cert(std::string_view pem) {
    auto bio = read_bio(pem);
    x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        fail("the CA certificate PEM does not parse");
    return cert;
}

pkey_ptr parse_key(std::string_view pem) {
    auto bio = read_bio(pem);
    pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        fail("the CA private key PEM does not parse");
    return key;
}

// A fresh certificate with a random positive 127-bit serial, the validity window, the subject
// and the public key set.
x509_ptr new_certificate(EVP_PKEY* key, std::string_view common_name,
                         const validity_period& validity) {
    x509_ptr cert(X509_new());
    if (!cert)
        fail("X509_new failed");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version failed");

    unsigned char serial[16];
    check(RAND_bytes(serial, sizeof serial), "RAND_bytes failed");
    serial[0] &= 0x7f;
    serial[0] |= 0x40; // never zero, never negative
    bignum_ptr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr)
        fail("setting the serial number failed");

    const auto not_before = std::chrono::system_clock::to_time_t(validity.not_before);
    const auto not_after = std::chrono::system_clock::to_time_t(validity.not_after);
    if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr)
        fail("setting the validity failed");

    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(
              name, "O", MBSTRING_UTF8,
              reinterpret_cast<const unsigned char*>("openai-images-emulator"), -1, -1, 0),
          "setting the subject failed");
    const std::string cn(common_name.substr(0, 64)); // the CN upper bound
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
          "setting the subject failed");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey failed");
    return cert;
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    extension_ptr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    if (!ext)
        fail(std::string("building extension ") + OBJ_nid2sn(nid) + " failed");
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext failed");
}

bool is_dns_name(std::string_view name) {
    if (name.starts_with("*."))
        name.remove_prefix(2);
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.' ||
        name.front() == '-')
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return name.find("..") == std::string_view::npos;
}

general_names_ptr subject_alt_names(const std::vector<std::string>& names) {
    general_names_ptr list(sk_GENERAL_NAME_new_null());
    if (!list)
        fail("sk_GENERAL_NAME_new_null failed");
    for (const auto& name : names) {
        general_name_ptr entry;
        // An IP literal when OpenSSL parses it as one (IPv4 dotted quad or IPv6).
        if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str())) {
            entry.reset(GENERAL_NAME_new());
            if (!entry) {
                ASN1_OCTET_STRING_free(ip);
                fail("GENERAL_NAME_new failed");
            }
            GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, ip);
        } else {
            ERR_clear_error();
            if (!is_dns_name(name))
                throw std::invalid_argument("certificate name \"" + name +
                                            "\" is neither an IP address nor a DNS name");
            asn1_string_ptr dns(ASN1_IA5STRING_new());
            if (!dns || ASN1_STRING_set(dns.get(), name.data(), static_cast<int>(name.size())) != 1)
                fail("ASN1_STRING_set failed");
            entry.reset(GENERAL_NAME_new());
            if (!entry)
                fail("GENERAL_NAME_new failed");
            GENERAL_NAME_set0_value(entry.get(), GEN_DNS, dns.release());
        }
        if (sk_GENERAL_NAME_push(list.get(), entry.get()) == 0)
            fail("sk_GENERAL_NAME_push failed");
        entry.release(); // owned by the list now
    }
    return list;
}

} // namespace

validity_period default_validity() {
    const auto now = std::chrono::system_clock::now();
    return {now - std::chrono::hours(1), now + std::chrono::hours(72)};
}

certificate_authority make_certificate_authority(std::string_view common_name,
                                                 const validity_period& validity) {
    auto key = make_key();
    auto cert = new_certificate(key.get(), common_name, validity);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())),
          "X509_set_issuer_name failed");
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        fail("signing the CA certificate failed");
    return {to_pem(cert.get()), to_pem(key.get())};
}

issued_certificate issue_server_certificate(const certificate_authority& ca,
                                            const std::vector<std::string>& names,
                                            const validity_period& validity) {
    if (names.empty())
        throw std::invalid_argument("a server certificate needs at least one name");
    auto san = subject_alt_names(names); // validates names before any key work
    auto ca_cert = parse_cert(ca.cert_pem);
    auto ca_key = parse_key(ca.key_pem);
    auto key = make_key();
    auto cert = new_certificate(key.get(), names.front(), validity);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())),
          "X509_set_issuer_name failed");
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    check(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, san.get(), 0, X509V3_ADD_DEFAULT),
          "adding subjectAltName failed");
    if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
        fail("signing the server certificate failed");
    return {to_pem(cert.get()), to_pem(key.get())};
}

tls_material make_tls_material(const std::vector<std::string>& extra_names) {
    std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
    names.insert(names.end(), extra_names.begin(), extra_names.end());
    auto ca = make_certificate_authority();
    auto server = issue_server_certificate(ca, names);
    return {std::move(ca.cert_pem), std::move(ca.key_pem), std::move(server.cert_pem),
            std::move(server.key_pem)};
}

issued_certificate make_wrong_host_certificate(const certificate_authority& ca,
                                               std::string_view host) {
    return issue_server_certificate(ca, {std::string(host)});
}

std::filesystem::path write_ca_pem(const std::filesystem::path& dir, std::string_view ca_cert_pem) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::create_directories(dir);
    const auto target = dir / "ca.pem";
    // In the same directory, so that the rename cannot cross file systems.
    const auto temp = dir / (".ca.pem." + std::to_string(::getpid()) + "." +
                             std::to_string(counter.fetch_add(1)) + ".tmp");
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(ca_cert_pem.data(), static_cast<std::streamsize>(ca_cert_pem.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw std::runtime_error("cannot write " + temp.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw std::filesystem::filesystem_error("cannot rename to ca.pem", temp, target, ec);
    }
    return target;
}

} // namespace openai::emulator
