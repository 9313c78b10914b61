#include "codec/retry_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace std::chrono_literals;
using openai::codec::retry_headers;

BOOST_AUTO_TEST_SUITE(retry_rules)

BOOST_AUTO_TEST_CASE(retryable_statuses_follow_the_sdks) {
    const retry_headers none{};
    for (int status : {0, 408, 409, 429, 500, 502, 503, 504, 599})
        BOOST_TEST(openai::codec::is_retryable_status(status, none), status);
    for (int status : {200, 400, 401, 403, 404, 410, 422})
        BOOST_TEST(!openai::codec::is_retryable_status(status, none), status);
}

BOOST_AUTO_TEST_CASE(x_should_retry_overrides_the_status) {
    BOOST_TEST(openai::codec::is_retryable_status(400, retry_headers{"true", "", ""}));
    BOOST_TEST(!openai::codec::is_retryable_status(503, retry_headers{"false", "", ""}));
    BOOST_TEST(!openai::codec::is_retryable_status(429, retry_headers{" FALSE ", "", ""}));
    // Anything else is no opinion.
    BOOST_TEST(openai::codec::is_retryable_status(429, retry_headers{"maybe", "", ""}));
}

// Milliseconds asked for, or -1 when no usable header was found (printable in failures).
static long long delay(const retry_headers& h, std::chrono::system_clock::time_point now) {
    const auto d = openai::codec::server_retry_delay(h, now);
    return d ? d->count() : -1;
}

BOOST_AUTO_TEST_CASE(server_delay_prefers_milliseconds_then_seconds_then_date) {
    const auto now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 20} + 12h;
    BOOST_TEST(delay({"", "250", "9"}, now) == 250);
    BOOST_TEST(delay({"", "12.2", ""}, now) == 13);
    BOOST_TEST(delay({"", "", "2"}, now) == 2000);
    BOOST_TEST(delay({"", "", "0.5"}, now) == 500);
    BOOST_TEST(delay({"", "", "Fri, 20 Nov 2026 12:00:30 GMT"}, now) == 30000);
    // A date in the past means "now".
    BOOST_TEST(delay({"", "", "Fri, 20 Nov 2026 11:00:00 GMT"}, now) == 0);
    // Garbage is ignored, and falls through to the next header.
    BOOST_TEST(delay({"", "soon", "later"}, now) == -1);
    BOOST_TEST(delay({"", "-5", ""}, now) == -1);
    BOOST_TEST(delay({"", "x", "3"}, now) == 3000);
}

BOOST_AUTO_TEST_CASE(http_dates_are_parsed_strictly) {
    const auto t = openai::codec::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() ==
               784111777);
    BOOST_TEST(!openai::codec::parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC").has_value());
    BOOST_TEST(!openai::codec::parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT").has_value());
    BOOST_TEST(!openai::codec::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
    BOOST_TEST(!openai::codec::parse_http_date("").has_value());
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_cap_with_bounded_jitter) {
    using openai::codec::backoff_delay;
    BOOST_TEST(backoff_delay(0, 500ms, 8s, 0.0).count() == 500);
    BOOST_TEST(backoff_delay(1, 500ms, 8s, 0.0).count() == 1000);
    BOOST_TEST(backoff_delay(4, 500ms, 8s, 0.0).count() == 8000);
    BOOST_TEST(backoff_delay(10, 500ms, 8s, 0.0).count() == 8000);
    BOOST_TEST(backoff_delay(200, 500ms, 8s, 0.0).count() == 8000);
    // Jitter takes off at most a quarter.
    BOOST_TEST(backoff_delay(0, 500ms, 8s, 0.999).count() >= 375);
    BOOST_TEST(backoff_delay(0, 500ms, 8s, 0.999).count() < 500);
}

BOOST_AUTO_TEST_SUITE_END()
