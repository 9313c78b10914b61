// Run-time TLS material: chains verify against the CA with OpenSSL's own verifier, names and
// extensions are as promised, other CAs and other names fail, and a real in-memory TLS handshake
// succeeds or fails accordingly.
#include "emulator/certificates.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace em = openai::emulator;

namespace {

struct x509_free_t {
    void operator()(X509* p) const { X509_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_free_t>;
struct pkey_free_t {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free_t>;

x509_ptr cert_of(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    x509_ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    BOOST_REQUIRE(cert);
    return cert;
}

pkey_ptr key_of(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    pkey_ptr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    BOOST_REQUIRE(key);
    return key;
}

enum class peer_name { none, host, ip };

// X509_verify_cert of `leaf` against a store holding only `ca`, as an SSL client would do it
// (purpose sslserver), optionally checking a host name or IP. Returns the verify error code.
int verify(const std::string& leaf_pem, const std::string& ca_pem, peer_name kind = peer_name::none,
           const char* name = nullptr) {
    auto leaf = cert_of(leaf_pem);
    auto ca = cert_of(ca_pem);
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca.get());
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    BOOST_REQUIRE(X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr) == 1);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
    if (kind == peer_name::host)
        X509_VERIFY_PARAM_set1_host(param, name, 0);
    if (kind == peer_name::ip)
        BOOST_REQUIRE(X509_VERIFY_PARAM_set1_ip_asc(param, name) == 1);
    const int ok = X509_verify_cert(ctx);
    const int error = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    BOOST_TEST((ok == 1) == (error == X509_V_OK));
    ERR_clear_error();
    return error;
}

std::set<std::string> alt_names(const std::string& pem) {
    auto cert = cert_of(pem);
    auto* names = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
    BOOST_REQUIRE(names != nullptr);
    std::set<std::string> out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            out.insert("DNS:" + std::string(reinterpret_cast<const char*>(
                                                ASN1_STRING_get0_data(n->d.dNSName)),
                                            ASN1_STRING_length(n->d.dNSName)));
        } else if (n->type == GEN_IPADD) {
            char text[INET6_ADDRSTRLEN] = {};
            const int family = n->d.iPAddress->length == 4 ? AF_INET : AF_INET6;
            BOOST_REQUIRE(inet_ntop(family, n->d.iPAddress->data, text, sizeof text) != nullptr);
            out.insert("IP:" + std::string(text));
        } else {
            out.insert("other");
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

// A TLS 1.2+ handshake between two SSL objects over a BIO pair, all in memory. The client trusts
// only `ca_pem` and checks `name`. Returns the client's verify result, or -1 when the handshake
// failed without a verification error.
long handshake(const std::string& cert_pem, const std::string& key_pem, const std::string& ca_pem,
               peer_name kind, const char* name) {
    SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(client_ctx, TLS1_2_VERSION);
    auto cert = cert_of(cert_pem);
    auto key = key_of(key_pem);
    BOOST_REQUIRE(SSL_CTX_use_certificate(server_ctx, cert.get()) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey(server_ctx, key.get()) == 1);
    BOOST_REQUIRE(SSL_CTX_check_private_key(server_ctx) == 1);
    auto ca = cert_of(ca_pem);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx), ca.get());
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);

    SSL* server = SSL_new(server_ctx);
    SSL* client = SSL_new(client_ctx);
    X509_VERIFY_PARAM* param = SSL_get0_param(client);
    if (kind == peer_name::host) {
        X509_VERIFY_PARAM_set1_host(param, name, 0);
        SSL_set_tlsext_host_name(client, name);
    }
    if (kind == peer_name::ip)
        X509_VERIFY_PARAM_set1_ip_asc(param, name);
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BOOST_REQUIRE(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) == 1);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);

    bool client_done = false;
    bool server_done = false;
    bool failed = false;
    for (int round = 0; round < 100 && !(client_done && server_done) && !failed; ++round) {
        for (auto [ssl, done] : {std::pair{client, &client_done}, {server, &server_done}}) {
            if (*done)
                continue;
            const int r = SSL_do_handshake(ssl);
            if (r == 1) {
                *done = true;
                continue;
            }
            const int e = SSL_get_error(ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                failed = true;
        }
    }
    long result = -1;
    if (client_done && server_done)
        result = SSL_get_verify_result(client);
    else if (SSL_get_verify_result(client) != X509_V_OK)
        result = SSL_get_verify_result(client);
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    ERR_clear_error();
    return result;
}

double hours_from_now(const ASN1_TIME* t) {
    int days = 0;
    int seconds = 0;
    BOOST_REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, t) == 1);
    return days * 24.0 + seconds / 3600.0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(certificates)

BOOST_AUTO_TEST_CASE(server_chain_verifies_against_the_ca) {
    const auto tls = em::make_tls_material();
    BOOST_TEST(tls.ca_cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    BOOST_TEST(tls.server_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem) == X509_V_OK);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::host, "localhost") ==
               X509_V_OK);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::ip, "127.0.0.1") ==
               X509_V_OK);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::ip, "::1") == X509_V_OK);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::host, "example.com") ==
               X509_V_ERR_HOSTNAME_MISMATCH);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::ip, "10.0.0.1") ==
               X509_V_ERR_IP_ADDRESS_MISMATCH);
}

BOOST_AUTO_TEST_CASE(names_and_extensions) {
    const auto tls = em::make_tls_material({"emulator.test", "192.168.1.7", "fe80::1"});
    const std::set<std::string> expected{"DNS:localhost",     "IP:127.0.0.1",   "IP:::1",
                                         "DNS:emulator.test", "IP:192.168.1.7", "IP:fe80::1"};
    BOOST_TEST(alt_names(tls.server_cert_pem) == expected);
    BOOST_TEST(verify(tls.server_cert_pem, tls.ca_cert_pem, peer_name::host, "emulator.test") ==
               X509_V_OK);

    auto ca = cert_of(tls.ca_cert_pem);
    auto server = cert_of(tls.server_cert_pem);
    BOOST_TEST(X509_check_ca(ca.get()) == 1);
    BOOST_TEST((X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) != 0u);
    BOOST_TEST(X509_check_ca(server.get()) == 0);
    BOOST_TEST((X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER) != 0u);
    BOOST_TEST(X509_check_issued(ca.get(), server.get()) == X509_V_OK);
    BOOST_TEST(X509_check_issued(ca.get(), ca.get()) == X509_V_OK); // self-signed

    for (X509* c : {ca.get(), server.get()}) {
        BOOST_TEST(hours_from_now(X509_get0_notBefore(c)) < -0.9);
        BOOST_TEST(hours_from_now(X509_get0_notBefore(c)) > -1.1);
        BOOST_TEST(hours_from_now(X509_get0_notAfter(c)) > 48.0);
        BOOST_TEST(hours_from_now(X509_get0_notAfter(c)) < 24.0 * 30);
        EVP_PKEY* key = X509_get0_pubkey(c);
        BOOST_TEST(EVP_PKEY_is_a(key, "EC") == 1);
        char group[64] = {};
        BOOST_TEST(EVP_PKEY_get_group_name(key, group, sizeof group, nullptr) == 1);
        BOOST_TEST(std::string(group) == "prime256v1");
    }
    auto key = key_of(tls.server_key_pem);
    BOOST_TEST(X509_check_private_key(server.get(), key.get()) == 1);
    auto ca_key = key_of(tls.ca_key_pem);
    BOOST_TEST(X509_check_private_key(ca.get(), ca_key.get()) == 1);
}

BOOST_AUTO_TEST_CASE(each_call_makes_new_keys) {
    const auto a = em::make_tls_material();
    const auto b = em::make_tls_material();
    BOOST_TEST(a.ca_cert_pem != b.ca_cert_pem);
    BOOST_TEST(a.server_key_pem != b.server_key_pem);
    BOOST_TEST(a.server_cert_pem != b.server_cert_pem);
}

BOOST_AUTO_TEST_CASE(an_unrelated_ca_does_not_verify) {
    const auto tls = em::make_tls_material();
    const auto other = em::make_certificate_authority("some other CA");
    BOOST_TEST(verify(tls.server_cert_pem, other.cert_pem) ==
               X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    // A certificate of the other CA, for the right names, is refused by the emulator's CA.
    const auto foreign = em::issue_server_certificate(other, {"localhost", "127.0.0.1"});
    BOOST_TEST(verify(foreign.cert_pem, tls.ca_cert_pem, peer_name::host, "localhost") ==
               X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    BOOST_TEST(verify(foreign.cert_pem, other.cert_pem, peer_name::host, "localhost") == X509_V_OK);
}

BOOST_AUTO_TEST_CASE(wrong_host_certificate) {
    const auto tls = em::make_tls_material();
    const auto wrong = em::make_wrong_host_certificate(tls.authority());
    BOOST_TEST(alt_names(wrong.cert_pem) == std::set<std::string>{"DNS:wrong.example"});
    BOOST_TEST(verify(wrong.cert_pem, tls.ca_cert_pem) == X509_V_OK); // the chain is fine
    BOOST_TEST(verify(wrong.cert_pem, tls.ca_cert_pem, peer_name::host, "localhost") ==
               X509_V_ERR_HOSTNAME_MISMATCH);
    BOOST_TEST(verify(wrong.cert_pem, tls.ca_cert_pem, peer_name::ip, "127.0.0.1") ==
               X509_V_ERR_IP_ADDRESS_MISMATCH);
    BOOST_TEST(verify(wrong.cert_pem, tls.ca_cert_pem, peer_name::host, "wrong.example") ==
               X509_V_OK);
}

BOOST_AUTO_TEST_CASE(expired_and_future_certificates_fail) {
    const auto ca = em::make_certificate_authority();
    const auto now = std::chrono::system_clock::now();
    const auto expired = em::issue_server_certificate(
        ca, {"localhost"}, {now - std::chrono::hours(48), now - std::chrono::hours(24)});
    BOOST_TEST(verify(expired.cert_pem, ca.cert_pem) == X509_V_ERR_CERT_HAS_EXPIRED);
    const auto future = em::issue_server_certificate(
        ca, {"localhost"}, {now + std::chrono::hours(24), now + std::chrono::hours(48)});
    BOOST_TEST(verify(future.cert_pem, ca.cert_pem) == X509_V_ERR_CERT_NOT_YET_VALID);
}

BOOST_AUTO_TEST_CASE(tls_handshake_in_memory) {
    const auto tls = em::make_tls_material();
    BOOST_TEST(handshake(tls.server_cert_pem, tls.server_key_pem, tls.ca_cert_pem, peer_name::host,
                         "localhost") == X509_V_OK);
    BOOST_TEST(handshake(tls.server_cert_pem, tls.server_key_pem, tls.ca_cert_pem, peer_name::ip,
                         "127.0.0.1") == X509_V_OK);
    BOOST_TEST(handshake(tls.server_cert_pem, tls.server_key_pem, tls.ca_cert_pem, peer_name::ip,
                         "::1") == X509_V_OK);

    const auto wrong = em::make_wrong_host_certificate(tls.authority());
    BOOST_TEST(handshake(wrong.cert_pem, wrong.key_pem, tls.ca_cert_pem, peer_name::host,
                         "localhost") == X509_V_ERR_HOSTNAME_MISMATCH);
    BOOST_TEST(handshake(wrong.cert_pem, wrong.key_pem, tls.ca_cert_pem, peer_name::ip,
                         "127.0.0.1") == X509_V_ERR_IP_ADDRESS_MISMATCH);

    const auto other = em::make_certificate_authority("unrelated");
    BOOST_TEST(handshake(tls.server_cert_pem, tls.server_key_pem, other.cert_pem, peer_name::host,
                         "localhost") == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

BOOST_AUTO_TEST_CASE(bad_names_are_refused) {
    const auto ca = em::make_certificate_authority();
    for (const char* bad : {"", "bad name", "a,b", "evil\r\nhost", "x..y", ".x", "1.2.3.4.5:"}) {
        BOOST_CHECK_THROW(em::issue_server_certificate(ca, {bad}), std::invalid_argument);
    }
    BOOST_CHECK_THROW(em::issue_server_certificate(ca, {}), std::invalid_argument);
    BOOST_CHECK_THROW(em::issue_server_certificate({"junk", "junk"}, {"localhost"}),
                      std::runtime_error);
    BOOST_CHECK_NO_THROW(em::issue_server_certificate(ca, {"*.example.com", "a-b.c"}));
}

BOOST_AUTO_TEST_CASE(ca_pem_written_atomically) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("emulator-cert-test-" + std::to_string(::getpid())) / "nested";
    const auto tls = em::make_tls_material();
    const auto path = em::write_ca_pem(dir, tls.ca_cert_pem);
    BOOST_TEST(path == dir / "ca.pem");
    auto read = [&] {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    BOOST_TEST(read() == tls.ca_cert_pem);
    // Rewriting replaces the file; no temporary file stays behind.
    const auto other = em::make_certificate_authority();
    em::write_ca_pem(dir, other.cert_pem);
    BOOST_TEST(read() == other.cert_pem);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir))
        ++files;
    BOOST_TEST(files == 1u);
    std::filesystem::remove_all(dir.parent_path());
}

BOOST_AUTO_TEST_SUITE_END()
