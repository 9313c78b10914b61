// Every fault the emulator can inject, on unary calls: the right error or the right number of
// retries with the right waits, no hang, and the client still usable afterwards.
#include "client_fixture.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace asio = boost::asio;
using namespace openai::test;
using namespace std::chrono_literals;

namespace {

struct outcome {
    boost::system::error_code ec;
    openai::error_info info;
    openai::images_response response;
    std::chrono::milliseconds took{0};
};

openai::generate_request small_request(const std::string& prompt = "fault") {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = "gpt-image-1-mini";
    req.size = "1024x1024";
    req.quality = "low";
    return req;
}

outcome call(openai::client& client, asio::io_context& ioc, const openai::request_options& o) {
    outcome out;
    const auto start = std::chrono::steady_clock::now();
    auto [ec, r] = run(ioc, client.images().generate(small_request(), o, out.info,
                                                     asio::as_tuple(asio::use_awaitable)));
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    out.ec = ec;
    out.response = std::move(r);
    check_no_secret(out.info);
    return out;
}

// After any fault, the same client must still work.
void still_usable(openai::client& client, asio::io_context& ioc) {
    auto r = run(ioc, client.images().generate(small_request("after"), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
}

struct fixture {
    asio::io_context ioc;
    openai::client client{ioc.get_executor(), config_for(emulator())};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(faults, fixture)

BOOST_AUTO_TEST_CASE(server_errors_are_retried_until_success) {
    const auto key = unique_key("500x2");
    auto out = call(client, ioc, tagged(key, "status=500;times=2"));
    BOOST_TEST(!out.ec);
    BOOST_TEST(out.response.meta.attempts == 3u);
    BOOST_TEST(logged_requests(emulator(), key).size() == 3u);
}

BOOST_AUTO_TEST_CASE(persistent_server_errors_exhaust_the_retries) {
    const auto key = unique_key("500");
    auto o = tagged(key, "status=503");
    o.max_retries = 1;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::server_error);
    BOOST_TEST(out.info.http_status == 503);
    BOOST_TEST(out.info.attempts == 2u);
    BOOST_TEST(!out.info.request_id.empty());
    BOOST_TEST(logged_requests(emulator(), key).size() == 2u);
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(rate_limits_wait_what_the_server_asks) {
    const auto key = unique_key("429");
    auto out = call(client, ioc, tagged(key, "status=429;retry-after-ms=300;times=1"));
    BOOST_TEST(!out.ec);
    BOOST_TEST(out.response.meta.attempts == 2u);
    BOOST_TEST(out.took >= 300ms); // waited what was asked, not the 5 ms backoff
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_cap_is_not_waited_for) {
    const auto key = unique_key("429-long");
    auto out = call(client, ioc, tagged(key, "status=429;retry-after=3600"));
    BOOST_TEST(out.ec == openai::errc::rate_limited);
    BOOST_TEST(out.info.attempts == 1u);
    BOOST_TEST_REQUIRE(out.info.retry_after.has_value());
    BOOST_TEST(out.info.retry_after->count() == 3'600'000);
    BOOST_TEST(out.took < 10s); // far below the hour asked for
}

BOOST_AUTO_TEST_CASE(x_should_retry_false_stops_retries) {
    const auto key = unique_key("no-retry");
    auto out = call(client, ioc, tagged(key, "status=500;x-should-retry=false"));
    BOOST_TEST(out.ec == openai::errc::server_error);
    BOOST_TEST(out.info.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(x_should_retry_true_retries_a_client_error) {
    const auto key = unique_key("retry-400");
    auto out = call(client, ioc, tagged(key, "status=400;x-should-retry=true;times=1"));
    BOOST_TEST(!out.ec);
    BOOST_TEST(out.response.meta.attempts == 2u);
}

BOOST_AUTO_TEST_CASE(slow_headers_hit_the_first_byte_timeout) {
    const auto key = unique_key("slow");
    auto o = tagged(key, "delay-headers-ms=30000");
    openai::timeouts t;
    t.first_byte = 200ms;
    o.timeouts = t;
    o.max_retries = 0;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::first_byte_timeout);
    BOOST_TEST(out.took < 10s); // far below the 30 s the server would take
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(a_dripping_response_hits_the_request_timeout) {
    const auto key = unique_key("drip");
    auto o = tagged(key, "drip-bytes-per-s=200");
    openai::timeouts t;
    t.request = 500ms;
    o.timeouts = t;
    o.max_retries = 0;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::request_timeout);
    BOOST_TEST(out.took < 10s); // the dripping response would take minutes
    still_usable(client, ioc);
}

// The body had started: the image was generated and may have been billed. Not sent again
// unless the caller accepts paying twice.
BOOST_AUTO_TEST_CASE(a_reset_mid_body_is_an_unknown_outcome_retried_only_on_request) {
    const auto key = unique_key("reset");
    auto out = call(client, ioc, tagged(key, "reset-after-bytes=300"));
    BOOST_TEST(out.ec == openai::errc::connection_closed);
    BOOST_TEST(out.info.attempts == 1u);
    BOOST_TEST(out.info.outcome == openai::request_outcome::unknown);
    BOOST_TEST(out.info.message.find("may have been processed and billed") != std::string::npos,
               out.info.message);
    BOOST_TEST(logged_requests(emulator(), key).size() == 1u);

    auto opted_in = tagged(unique_key("reset-opt-in"), "reset-after-bytes=300");
    opted_in.retry_unknown_outcome = true;
    out = call(client, ioc, opted_in);
    BOOST_TEST(out.ec == openai::errc::connection_closed);
    BOOST_TEST(out.info.attempts == 3u);
    BOOST_TEST(out.info.outcome == openai::request_outcome::unknown);

    auto once = tagged(unique_key("reset-once"), "reset-after-bytes=300;times=1");
    once.retry_unknown_outcome = true;
    auto ok = call(client, ioc, once);
    BOOST_TEST(!ok.ec);
    BOOST_TEST(ok.response.meta.attempts == 2u);
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(a_reset_mid_headers_is_a_closed_connection) {
    auto o = tagged(unique_key("reset-head"), "reset-after-bytes=10");
    o.max_retries = 0;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::connection_closed);
}

BOOST_AUTO_TEST_CASE(a_truncated_body_is_reported_as_such) {
    auto o = tagged(unique_key("truncate"), "truncate-body");
    o.max_retries = 0;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::truncated_body);
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_decoding_error) {
    auto o = tagged(unique_key("badjson"), "malformed-json");
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::invalid_json);
    BOOST_TEST(out.info.attempts == 1u); // a decoding failure is not retried
    BOOST_TEST(!out.info.request_id.empty());
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(an_html_502_is_an_unexpected_content_type) {
    auto o = tagged(unique_key("html"), "html-502");
    o.max_retries = 1;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::unexpected_content_type);
    BOOST_TEST(out.info.http_status == 502);
    BOOST_TEST(out.info.attempts == 2u); // 502 is retryable whatever its body
    BOOST_TEST(out.info.message.find("text/html") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(close_without_response_is_a_closed_connection) {
    auto o = tagged(unique_key("close"), "close-without-response");
    o.max_retries = 0;
    auto out = call(client, ioc, o);
    BOOST_TEST(out.ec == openai::errc::connection_closed);
    still_usable(client, ioc);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_fails_clearly) {
    auto config = config_for(emulator());
    config.max_body_size = 1000;
    openai::client small(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(
        ioc, small.images().generate(small_request(), info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::body_too_large);
    BOOST_TEST(info.message.find("1000") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_attempt_reaches_the_hook) {
    auto config = config_for(emulator());
    std::vector<openai::attempt_record> seen;
    config.on_attempt = [&](const openai::attempt_record& r) { seen.push_back(r); };
    openai::client hooked(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(ioc, hooked.images().generate(
                                small_request(), tagged(unique_key("hook"), "status=500;times=1"),
                                info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec);
    BOOST_TEST_REQUIRE(seen.size() == 2u);
    BOOST_TEST(seen[0].http_status == 500);
    BOOST_TEST(seen[0].attempt == 0u);
    BOOST_TEST(!seen[0].error.empty());
    BOOST_TEST(seen[1].http_status == 200);
    BOOST_TEST(seen[1].error.empty());
    BOOST_TEST(seen[1].reused_connection); // the 500's connection was kept alive
    for (const auto& rec : seen)
        BOOST_TEST(rec.path == "/v1/images/generations");
}

BOOST_AUTO_TEST_SUITE_END()
