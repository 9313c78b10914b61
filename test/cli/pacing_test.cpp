// Batch pacing: the token buckets hold their rate over any window (also for requests costing
// more than the burst), the pause gate only ever extends, and rate-limit headers become pauses.
#include "batch_pacing.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <vector>

namespace b = openai::cli::batch;
using namespace std::chrono_literals;

namespace {

const b::clock::time_point t0 = b::clock::time_point{} + 1000h;

double seconds(b::clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(unlimited_never_waits) {
    b::rate_limiter r;
    BOOST_TEST(!r.limited());
    for (int i = 0; i < 100; ++i)
        BOOST_TEST((r.reserve(5, t0) == t0));
}

BOOST_AUTO_TEST_CASE(burst_one_spaces_requests_evenly) {
    b::rate_limiter r(600); // 10 a second
    BOOST_TEST(r.limited());
    // Everyone asks at once: the first goes now, then one every 100 ms.
    for (int i = 0; i < 50; ++i)
        BOOST_TEST(seconds(r.reserve(1, t0) - t0) == 0.1 * i, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_burst_goes_at_once_then_the_rate_applies) {
    b::rate_limiter r(60, 5); // 1 a second, 5 at once
    for (int i = 0; i < 5; ++i)
        BOOST_TEST((r.reserve(1, t0) == t0));
    BOOST_TEST(seconds(r.reserve(1, t0) - t0) == 1.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(seconds(r.reserve(1, t0) - t0) == 2.0, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(idle_time_refills_no_more_than_the_burst) {
    b::rate_limiter r(60, 2);
    r.reserve(1, t0);
    r.reserve(1, t0);
    // An hour later the bucket holds 2 again, not 3600.
    const auto later = t0 + 1h;
    BOOST_TEST((r.reserve(1, later) == later));
    BOOST_TEST((r.reserve(1, later) == later));
    BOOST_TEST(seconds(r.reserve(1, later) - later) == 1.0, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(costly_requests_are_paced_not_refused) {
    b::rate_limiter r(120, 1); // images: 2 a second, burst 1
    // A request for 4 images goes at once (full bucket) and leaves a 2 s debt.
    BOOST_TEST((r.reserve(4, t0) == t0));
    BOOST_TEST(seconds(r.reserve(1, t0) - t0) == 2.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(seconds(r.reserve(4, t0) - t0) == 2.5, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(seconds(r.reserve(1, t0) - t0) == 4.5, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_late_caller_does_not_shift_the_schedule) {
    b::rate_limiter r(600);
    auto first = r.reserve(1, t0);
    // The caller woke 30 ms after its slot; the next slot stays 100 ms after the first.
    auto second = r.reserve(1, first + 30ms);
    BOOST_TEST(seconds(second - first) == 0.1, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(no_window_ever_exceeds_the_rate) {
    // Random arrivals and costs: over every window of T seconds the tokens started are at most
    // burst + T * rate (plus one request's cost for the debt a costly request may leave).
    std::mt19937 rng(7);
    for (double burst : {1.0, 3.0}) {
        b::rate_limiter r(300, burst); // 5 a second
        std::vector<std::pair<double, double>> starts;
        auto now = t0;
        for (int i = 0; i < 400; ++i) {
            now += std::chrono::milliseconds(rng() % 400);
            const double cost = 1 + rng() % 3;
            auto start = r.reserve(cost, now);
            BOOST_TEST((start >= now));
            starts.emplace_back(seconds(start - t0), cost);
            now = start; // the caller waits for its slot
        }
        for (std::size_t i = 0; i < starts.size(); ++i) {
            double tokens = 0;
            for (std::size_t j = i; j < starts.size() && starts[j].first < starts[i].first + 10;
                 ++j)
                tokens += starts[j].second;
            BOOST_TEST(tokens <= burst + 10 * 5.0 + 3.0);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pause_gate)

BOOST_AUTO_TEST_CASE(pauses_only_extend) {
    b::pause_gate g;
    BOOST_TEST(g.is_open(t0));
    g.pause_until(t0 + 2s);
    BOOST_TEST(!g.is_open(t0));
    BOOST_TEST(!g.is_open(t0 + 1999ms));
    BOOST_TEST(g.is_open(t0 + 2s));
    g.pause_until(t0 + 1s); // shorter: no effect
    BOOST_TEST((g.opens_at() == t0 + 2s));
    BOOST_TEST(g.pauses() == 1u);
    g.pause_until(t0 + 3s);
    BOOST_TEST((g.opens_at() == t0 + 3s));
    BOOST_TEST(g.pauses() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limit_headers)

BOOST_AUTO_TEST_CASE(reset_values) {
    BOOST_TEST(b::parse_reset("1s").value().count() == 1000);
    BOOST_TEST(b::parse_reset("20ms").value().count() == 20);
    BOOST_TEST(b::parse_reset("6m0s").value().count() == 360000);
    BOOST_TEST(b::parse_reset("1h2m3.5s").value().count() == 3723500);
    BOOST_TEST(b::parse_reset("0.5s").value().count() == 500);
    BOOST_TEST(b::parse_reset("2m").value().count() == 120000);
    BOOST_TEST(!b::parse_reset(""));
    BOOST_TEST(!b::parse_reset("5"));
    BOOST_TEST(!b::parse_reset("s"));
    BOOST_TEST(!b::parse_reset("1x"));
    BOOST_TEST(!b::parse_reset("-1s"));
    BOOST_TEST(!b::parse_reset("48h"));
}

BOOST_AUTO_TEST_CASE(an_exhausted_limit_pauses_until_its_reset) {
    openai::rate_limits l;
    BOOST_TEST(!b::exhausted_limit_pause(l));
    l.remaining_requests = 3;
    l.reset_requests = "1s";
    BOOST_TEST(!b::exhausted_limit_pause(l));
    l.remaining_requests = 0;
    BOOST_TEST(b::exhausted_limit_pause(l).value().count() == 1000);
    l.remaining_tokens = 0;
    l.reset_tokens = "6m0s";
    BOOST_TEST(b::exhausted_limit_pause(l).value().count() == 360000); // the longer one
    l.reset_tokens = "garbage";
    BOOST_TEST(b::exhausted_limit_pause(l).value().count() == 1000);
}

BOOST_AUTO_TEST_CASE(rate_limited_pause_takes_what_was_asked_within_a_cap) {
    BOOST_TEST(b::rate_limited_pause(std::chrono::milliseconds(2500)).count() == 2500);
    BOOST_TEST(b::rate_limited_pause(std::nullopt).count() == 1000);
    BOOST_TEST(b::rate_limited_pause(std::chrono::milliseconds(0)).count() == 1000);
    BOOST_TEST(b::rate_limited_pause(std::chrono::hours(1)).count() == 60000);
}

BOOST_AUTO_TEST_SUITE_END()
