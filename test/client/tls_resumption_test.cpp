// TLS session resumption against the emulator: a later connection to the same origin resumes the
// session of an earlier one (OpenSSL says so: SSL_session_reused, counted in client_stats), over
// TLS 1.3 and 1.2, directly and through a proxy's tunnel; a server that refuses resumption still
// serves full handshakes; sessions are never shared between clients or kept without
// verification.
#include "client_fixture.hpp"
#include "tinyproxy_process.hpp"

#include <openai/client.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <vector>

#include <openssl/ssl.h>

namespace asio = boost::asio;
using namespace openai::test;

namespace {

openai::generate_request small_request(const std::string& prompt) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = "gpt-image-1-mini";
    req.quality = "low";
    req.size = "1024x1024";
    return req;
}

// Holds `held` streams open (each keeps its connection leased, so every call needs a connection
// of its own), then makes one unary call: held + 1 connections, opened one after another, each
// after the previous one read its response head (and with it the server's session tickets).
void sequential_connections(asio::io_context& ioc, openai::client& client, int held) {
    run(ioc, [&]() -> asio::awaitable<void> {
        std::vector<openai::image_stream> streams;
        for (int i = 0; i < held; ++i) {
            auto req = small_request("held " + std::to_string(i));
            req.partial_images = 0;
            streams.push_back(
                co_await client.images().generate_stream(std::move(req), asio::use_awaitable));
        }
        auto r = co_await client.images().generate(small_request("unary"), asio::use_awaitable);
        BOOST_TEST(r.data.size() == 1u);
        for (auto& s : streams)
            s.close();
    }());
    BOOST_TEST(client.stats().connections_created == static_cast<std::size_t>(held + 1));
}

// A client context of the caller's, trusting the emulator's CA, limited to `max_version`.
std::shared_ptr<asio::ssl::context> user_context(const emulator_process& emu, int max_version) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    ctx->load_verify_file(emu.ca_file().string());
    return ctx;
}

emulator_process& refusing_emulator() {
    static emulator_process emu({"--no-tls-resumption"});
    return emu;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls_resumption)

BOOST_AUTO_TEST_CASE(later_connections_to_an_origin_resume_tls_1_3) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    sequential_connections(ioc, client, 2);
    // The first handshake is a full one; the next two each resume with a ticket it (or the
    // previous one) brought.
    BOOST_TEST(client.stats().tls_full_handshakes == 1u);
    BOOST_TEST(client.stats().tls_resumed == 2u);
}

BOOST_AUTO_TEST_CASE(tls_1_2_sessions_resume_too) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.context = user_context(emulator(), TLS1_2_VERSION);
    openai::client client(ioc.get_executor(), config);
    sequential_connections(ioc, client, 2);
    BOOST_TEST(client.stats().tls_full_handshakes == 1u);
    BOOST_TEST(client.stats().tls_resumed == 2u);
}

BOOST_AUTO_TEST_CASE(the_tls_inside_a_proxy_tunnel_resumes) {
    if (!tinyproxy_process::available()) {
        BOOST_TEST_MESSAGE("tinyproxy is not installed (./dev deps installs it): skipped");
        return;
    }
    tinyproxy_process proxy({emulator().port()});
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.proxy.https_proxy = proxy.url();
    openai::client client(ioc.get_executor(), config);
    sequential_connections(ioc, client, 1);
    BOOST_TEST(client.stats().tls_full_handshakes == 1u);
    BOOST_TEST(client.stats().tls_resumed == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_refusing_resumption_gets_full_handshakes) {
    for (const int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
        BOOST_TEST_CONTEXT("max version " << std::hex << version) {
            asio::io_context ioc;
            auto config = config_for(refusing_emulator());
            config.tls.context = user_context(refusing_emulator(), version);
            openai::client client(ioc.get_executor(), config);
            sequential_connections(ioc, client, 2);
            BOOST_TEST(client.stats().tls_full_handshakes == 3u);
            BOOST_TEST(client.stats().tls_resumed == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(resumption_can_be_turned_off) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.session_resumption = false;
    openai::client client(ioc.get_executor(), config);
    sequential_connections(ioc, client, 1);
    BOOST_TEST(client.stats().tls_full_handshakes == 2u);
    BOOST_TEST(client.stats().tls_resumed == 0u);
}

BOOST_AUTO_TEST_CASE(sessions_are_not_kept_without_verification) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.verify_peer = false;
    openai::client client(ioc.get_executor(), config);
    sequential_connections(ioc, client, 1);
    BOOST_TEST(client.stats().tls_full_handshakes == 2u);
    BOOST_TEST(client.stats().tls_resumed == 0u);
}

BOOST_AUTO_TEST_CASE(clients_sharing_a_context_do_not_share_sessions) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.context = user_context(emulator(), TLS1_3_VERSION);
    openai::client first(ioc.get_executor(), config);
    sequential_connections(ioc, first, 1);
    BOOST_TEST(first.stats().tls_resumed == 1u);
    openai::client second(ioc.get_executor(), config);
    sequential_connections(ioc, second, 1);
    BOOST_TEST(second.stats().tls_full_handshakes == 1u); // its own first handshake is full
    BOOST_TEST(second.stats().tls_resumed == 1u);
}

BOOST_AUTO_TEST_CASE(a_context_with_its_own_session_callback_is_left_alone) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.context = user_context(emulator(), TLS1_3_VERSION);
    auto callback = [](SSL*, SSL_SESSION*) { return 0; };
    SSL_CTX_sess_set_new_cb(config.tls.context->native_handle(), callback);
    openai::client client(ioc.get_executor(), config);
    sequential_connections(ioc, client, 1);
    BOOST_TEST(client.stats().tls_full_handshakes == 2u);
    BOOST_TEST((SSL_CTX_sess_get_new_cb(config.tls.context->native_handle()) ==
                static_cast<int (*)(SSL*, SSL_SESSION*)>(callback)));
}

BOOST_AUTO_TEST_SUITE_END()
