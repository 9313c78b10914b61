// Batch progress: the rate over a sliding window, the ETA, and the status line and JSON.
#include "batch_progress.hpp"

#include <boost/test/unit_test.hpp>

namespace b = openai::cli::batch;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(batch_progress)

BOOST_AUTO_TEST_CASE(rate_over_a_window) {
    b::rate_meter m(10s);
    const auto t0 = b::rate_meter::clock::time_point{} + 100h;
    BOOST_TEST(!m.per_second(t0));
    m.record(t0);
    BOOST_TEST(!m.per_second(t0 + 1s)); // one completion: no span yet
    for (int i = 1; i <= 10; ++i)
        m.record(t0 + i * 500ms);
    BOOST_TEST(m.per_second(t0 + 5s).value() == 2.0, boost::test_tools::tolerance(1e-9));
    // Long after, the old completions leave the window.
    BOOST_TEST(!m.per_second(t0 + 60s));
}

BOOST_AUTO_TEST_CASE(eta_and_durations) {
    BOOST_TEST(b::eta(0, std::nullopt).value().count() == 0);
    BOOST_TEST(!b::eta(5, std::nullopt));
    BOOST_TEST(!b::eta(5, 0.0));
    BOOST_TEST(b::eta(10, 4.0).value().count() == 3);
    BOOST_TEST(b::format_duration(0s) == "0:00");
    BOOST_TEST(b::format_duration(42s) == "0:42");
    BOOST_TEST(b::format_duration(725s) == "12:05");
    BOOST_TEST(b::format_duration(10927s) == "3:02:07");
}

BOOST_AUTO_TEST_CASE(status_line_and_json) {
    b::progress_counts c;
    c.total = 200;
    c.ok = 117;
    c.failed = 3;
    c.in_flight = 8;
    BOOST_TEST(c.finished() == 120u);
    BOOST_TEST(c.remaining() == 80u);
    BOOST_TEST(b::format_status(c, 9.84) ==
               "120/200 done (3 failed), 8 in flight, 9.8/s, ETA 0:09");
    BOOST_TEST(b::format_status(c, std::nullopt) == "120/200 done (3 failed), 8 in flight");
    c.skipped = 50;
    c.cancelled = 2;
    BOOST_TEST(b::format_status(c, std::nullopt) ==
               "172/200 done (3 failed, 2 cancelled), 50 from earlier runs, 8 in flight");
    auto j = b::status_json(c, 2.0);
    BOOST_TEST(j.at("total").to_number<int>() == 200);
    BOOST_TEST(j.at("done").to_number<int>() == 172);
    BOOST_TEST(j.at("in_flight").to_number<int>() == 8);
    BOOST_TEST(j.at("eta_s").to_number<int>() == 14);
    BOOST_TEST(b::status_json(c, std::nullopt).at("rate_per_s").is_null());
}

BOOST_AUTO_TEST_SUITE_END()
