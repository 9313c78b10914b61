// Proxy configuration: proxy URLs, NO_PROXY matching, routes (the pool key) and the CONNECT head.
#include "transport/proxy.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using openai::transport::connect_request;
using openai::transport::no_proxy_list;
using openai::transport::origin;
using openai::transport::parse_proxy_url;
using openai::transport::proxy_endpoint;
using openai::transport::route;

BOOST_AUTO_TEST_SUITE(proxy)

BOOST_AUTO_TEST_CASE(proxy_urls) {
    std::string error;
    auto p = parse_proxy_url("http://proxy.example:3128", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->host == "proxy.example");
    BOOST_TEST(p->port == 3128);
    BOOST_TEST(p->authorization.empty());
    BOOST_TEST(p->display() == "proxy.example:3128");

    // No scheme: http. No port: 80. A trailing slash is fine.
    p = parse_proxy_url("10.0.0.1:8080", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->host == "10.0.0.1");
    BOOST_TEST(p->port == 8080);
    p = parse_proxy_url("http://proxy/", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->port == 80);
    p = parse_proxy_url("HTTP://[::1]:3128", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->host == "::1");
    BOOST_TEST(p->display() == "[::1]:3128");

    // User info becomes basic credentials, percent-decoded: "Aladdin:open sesame".
    p = parse_proxy_url("http://Aladdin:open%20sesame@proxy:3128", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->authorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    p = parse_proxy_url("http://user@proxy:3128", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->authorization == "Basic dXNlcjo="); // "user:"
    // Decoded credentials may hold anything: they are base64-encoded on the wire.
    p = parse_proxy_url("http://u%0d%0aX:p@proxy:1", error);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->authorization.find('\r') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_proxy_urls_are_refused_without_repeating_credentials) {
    const char* bad[] = {"https://proxy:443",      "socks5://proxy:1080",
                         "http://proxy:0",         "http://proxy:99999",
                         "http://proxy:3128/path", "http://proxy:3128?q",
                         "http://:3128",           "http://secret-user:secret-pass@proxy:x"};
    for (const char* url : bad) {
        std::string error;
        BOOST_TEST(!parse_proxy_url(url, error).has_value(), url);
        BOOST_TEST(!error.empty(), url);
        BOOST_TEST(error.find("secret") == std::string::npos, error);
    }
    std::string error;
    parse_proxy_url("https://proxy:443", error);
    BOOST_TEST(error.find("only http://") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(no_proxy_matching) {
    struct row {
        const char* spec;
        const char* host;
        std::uint16_t port;
        bool bypass;
    };
    const row rows[] = {
        {"", "api.openai.com", 443, false},
        {"*", "api.openai.com", 443, true},
        {"openai.com", "openai.com", 443, true},
        {"openai.com", "api.openai.com", 443, true},
        {".openai.com", "api.openai.com", 443, true},
        {".openai.com", "openai.com", 443, true},
        {"openai.com", "notopenai.com", 443, false},
        {"openai.com", "openai.com.evil.net", 443, false},
        {"OpenAI.COM", "API.openai.com", 443, true},
        {"openai.com", "api.openai.com.", 443, true},
        {"internal, openai.com ,other", "api.openai.com", 443, true},
        {"internal other", "other", 80, true},
        {"openai.com:8443", "api.openai.com", 443, false},
        {"openai.com:8443", "api.openai.com", 8443, true},
        {"127.0.0.1", "127.0.0.1", 443, true},
        {"127.0.0.1", "127.0.0.2", 443, false},
        {"127.0.0.0/8", "127.9.9.9", 443, true},
        {"10.0.0.0/8", "11.0.0.1", 443, false},
        {"10.0.0.0/8", "ten.example", 443, false}, // names are not resolved
        {"192.168.1.0/24", "192.168.1.200", 443, true},
        {"192.168.1.0/24", "192.168.2.1", 443, false},
        {"::1", "::1", 443, true},
        {"::1", "[::1]", 443, true},
        {"[::1]:8080", "::1", 8080, true},
        {"[::1]:8080", "::1", 8081, false},
        {"fd00::/8", "fd12:3456::1", 443, true},
        {"fd00::/8", "fe80::1", 443, false},
        {"0.0.0.0/0", "8.8.8.8", 443, true},
        {"127.0.0.1:bad, x/99", "127.0.0.1", 443, false}, // malformed entries are ignored
    };
    for (const auto& r : rows) {
        const no_proxy_list list(r.spec);
        BOOST_TEST(list.matches(r.host, r.port) == r.bypass,
                   "NO_PROXY='" << r.spec << "' host " << r.host << ":" << r.port);
    }
    BOOST_TEST(no_proxy_list("").empty());
    BOOST_TEST(!no_proxy_list("*").empty());
}

BOOST_AUTO_TEST_CASE(routes_are_keyed_by_origin_and_proxy) {
    const origin api{true, "api.openai.com", 443};
    const origin plain{false, "api.openai.com", 80};
    std::string error;
    const auto a = *parse_proxy_url("http://proxy-a:3128", error);
    const auto b = *parse_proxy_url("http://proxy-b:3128", error);
    const auto a_alice = *parse_proxy_url("http://alice:pw@proxy-a:3128", error);
    const auto a_bob = *parse_proxy_url("http://bob:pw@proxy-a:3128", error);

    const route direct{api, std::nullopt};
    const route via_a{api, a};
    const std::string keys[] = {direct.key(),
                                via_a.key(),
                                route{api, b}.key(),
                                route{api, a_alice}.key(),
                                route{api, a_bob}.key(),
                                route{plain, std::nullopt}.key(),
                                route{plain, a}.key()};
    for (std::size_t i = 0; i < std::size(keys); ++i)
        for (std::size_t j = i + 1; j < std::size(keys); ++j)
            BOOST_TEST(keys[i] != keys[j], keys[i] << " vs " << keys[j]);
    BOOST_TEST((via_a.key() == route{api, a}.key()));

    BOOST_TEST(via_a.tunnel());
    BOOST_TEST(!via_a.absolute_form());
    BOOST_TEST((route{plain, a}.absolute_form()));
    BOOST_TEST(!(route{plain, a}.tunnel()));
    BOOST_TEST(!direct.tunnel());
    BOOST_TEST(!direct.absolute_form());
}

BOOST_AUTO_TEST_CASE(connect_request_names_the_origin) {
    std::string error;
    const auto open = *parse_proxy_url("http://proxy:3128", error);
    BOOST_TEST(connect_request({true, "api.openai.com", 443}, open) ==
               "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n");
    BOOST_TEST(connect_request({true, "::1", 8443}, open) ==
               "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n");
    const auto with_auth = *parse_proxy_url("http://Aladdin:open%20sesame@proxy:3128", error);
    BOOST_TEST(connect_request({true, "example.com", 443}, with_auth) ==
               "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
               "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
    BOOST_TEST(openai::transport::absolute_prefix({false, "example.com", 8080}) ==
               "http://example.com:8080");
    BOOST_TEST(openai::transport::absolute_prefix({false, "example.com", 80}) ==
               "http://example.com");
}

BOOST_AUTO_TEST_SUITE_END()
