// Proxies end to end against a real tinyproxy on loopback: https through a CONNECT tunnel (TLS
// with the emulator inside it), plain http in absolute form, basic authentication, refusals,
// and NO_PROXY.
#include "client_fixture.hpp"
#include "tinyproxy_process.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace openai::test;

namespace {

openai::generate_request small_request(const std::string& prompt) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = openai::models::gpt_image_1_mini;
    req.size = "1024x1024";
    req.quality = "low";
    return req;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// The proxy tests need the binary; without it they say so and pass nothing off as tested.
bool have_tinyproxy() {
    if (tinyproxy_process::available())
        return true;
    BOOST_TEST_MESSAGE("tinyproxy is not installed (./dev deps installs it): proxy test skipped");
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(proxy)

BOOST_AUTO_TEST_CASE(https_goes_through_a_connect_tunnel) {
    if (!have_tinyproxy())
        return;
    tinyproxy_process proxy({emulator().port()});
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.proxy.https_proxy = proxy.url();
    openai::client client(ioc.get_executor(), config);
    const auto key = unique_key("tunnel");

    auto r = run(ioc, client.images().generate(small_request("Through the tunnel"), tagged(key),
                                               asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    // A second call reuses the tunnel (pooled under the proxy's route).
    run(ioc, client.images().generate(small_request("Again"), tagged(key), asio::use_awaitable));
    BOOST_TEST(client.stats().connections_created == 1u);

    BOOST_TEST(logged_requests(emulator(), key).size() == 2u);
    const auto log = proxy.log();
    BOOST_TEST(contains(log, "CONNECT 127.0.0.1:" + std::to_string(emulator().port())), log);
}

BOOST_AUTO_TEST_CASE(tls_inside_the_tunnel_verifies_the_origin) {
    if (!have_tinyproxy())
        return;
    tinyproxy_process proxy({emulator().port()});
    emulator_process other; // another CA: the emulator's certificate is not trusted with it
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.ca_file = other.ca_file().string();
    config.proxy.https_proxy = proxy.url();
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(ioc, client.images().generate(small_request("untrusted"), info,
                                                     asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::certificate_verification_failed);
    BOOST_TEST(contains(info.message, "127.0.0.1:" + std::to_string(emulator().port())),
               info.message);
}

BOOST_AUTO_TEST_CASE(proxy_basic_authentication) {
    if (!have_tinyproxy())
        return;
    tinyproxy_process proxy({emulator().port()}, "alice", "s3cret-pw");
    asio::io_context ioc;

    auto good = config_for(emulator());
    good.proxy.https_proxy = proxy.url_with("alice:s3cret-pw");
    openai::client client(ioc.get_executor(), good);
    auto r =
        run(ioc, client.images().generate(small_request("Authenticated"), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);

    struct attempt {
        std::string userinfo;
        std::string hint;
    };
    for (const auto& [userinfo, hint] :
         {attempt{"alice:wrong-pw", "did not accept the credentials"},
          attempt{"", "wants credentials"}}) {
        auto bad = config_for(emulator());
        bad.proxy.https_proxy = userinfo.empty() ? proxy.url() : proxy.url_with(userinfo);
        openai::client refused(ioc.get_executor(), bad);
        openai::error_info info;
        auto [ec, rr] = run(ioc, refused.images().generate(small_request("refused"), info,
                                                           asio::as_tuple(asio::use_awaitable)));
        BOOST_TEST(ec == openai::errc::proxy_error);
        // 407, or 401 from proxies that use it for themselves (Debian 12's tinyproxy 1.11).
        BOOST_TEST((contains(info.message, " 407 ") || contains(info.message, " 401 ")),
                   info.message);
        BOOST_TEST(contains(info.message, "127.0.0.1:" + std::to_string(proxy.port())),
                   info.message);
        BOOST_TEST(contains(info.message, hint), info.message);
        BOOST_TEST(!contains(info.message, "pw"), info.message); // no credentials in messages
        BOOST_TEST(info.attempts == 1u);                         // not retried
    }
}

BOOST_AUTO_TEST_CASE(a_proxy_refusing_the_port_is_a_proxy_error) {
    if (!have_tinyproxy())
        return;
    tinyproxy_process proxy({443}); // CONNECT only to 443
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.proxy.https_proxy = proxy.url();
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(ioc, client.images().generate(small_request("refused port"), info,
                                                     asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::proxy_error);
    BOOST_TEST(contains(info.message, "refused CONNECT"), info.message);
    BOOST_TEST(contains(info.message, "403"), info.message);
}

BOOST_AUTO_TEST_CASE(plain_http_goes_to_the_proxy_in_absolute_form) {
    if (!have_tinyproxy())
        return;
    emulator_process plain({}, false);
    tinyproxy_process proxy({plain.port()}, "bob", "pw2");
    asio::io_context ioc;
    auto config = config_for(plain);
    config.tls.ca_file.clear();
    config.proxy.http_proxy = proxy.url_with("bob:pw2");
    config.proxy.https_proxy = "http://127.0.0.1:1"; // unused: the target is http
    openai::client client(ioc.get_executor(), config);
    const auto key = unique_key("absolute");
    auto r = run(ioc, client.images().generate(small_request("Plain through a proxy"), tagged(key),
                                               asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    const auto log = logged_requests(plain, key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("path").as_string() == "/v1/images/generations");
    const auto proxy_log = proxy.log();
    BOOST_TEST(contains(proxy_log, "POST http://127.0.0.1:" + std::to_string(plain.port()) +
                                       "/v1/images/generations"),
               proxy_log);
}

BOOST_AUTO_TEST_CASE(no_proxy_sends_matching_hosts_directly) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.proxy.https_proxy = "http://127.0.0.1:1"; // nothing listens there
    config.proxy.no_proxy = "localhost, 127.0.0.0/8";
    openai::client direct(ioc.get_executor(), config);
    auto r = run(ioc, direct.images().generate(small_request("Direct"), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);

    config.proxy.no_proxy = "example.com";
    config.retry.max_retries = 0;
    openai::client proxied(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, rr] = run(ioc, proxied.images().generate(small_request("Via a dead proxy"), info,
                                                       asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::connect_failed);
    BOOST_TEST(contains(info.message, "proxy 127.0.0.1:1"), info.message);
}

BOOST_AUTO_TEST_CASE(bad_proxy_urls_are_refused_at_construction) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.proxy.https_proxy = "https://proxy.example:443";
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(), config), std::invalid_argument);
    config.proxy.https_proxy = "http://user:topsecret@proxy.example:99999";
    try {
        openai::client c(ioc.get_executor(), config);
        BOOST_FAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(!contains(e.what(), "topsecret"), e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
