// The sans-I/O pieces of `openai-images loadtest`: durations and rate schedules, the intended
// start times of open loops (exact counts), outcome classes, the per-phase summary, SLO terms,
// the CSV row and the JSON histograms that merge across runs.
#include "loadtest_plot.hpp"
#include "loadtest_report.hpp"
#include "loadtest_schedule.hpp"
#include "loadtest_slo.hpp"
#include "loadtest_stats.hpp"

#include <openai/error.hpp>
#include <openai/request_error.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace lt = openai::cli::loadtest;
using namespace std::chrono_literals;

namespace {

std::vector<double> arrivals(const std::string& rate, std::optional<lt::nanoseconds> total,
                             lt::arrival_model model = lt::arrival_model::constant,
                             std::size_t cap = 100000) {
    std::string error;
    auto s = lt::parse_rate_schedule(rate, error);
    BOOST_TEST_REQUIRE(s.has_value(), error);
    lt::arrival_generator gen(*s, model, total, 42);
    std::vector<double> out;
    while (out.size() < cap) {
        auto t = gen.next();
        if (!t)
            break;
        out.push_back(static_cast<double>(t->count()) / 1e9);
    }
    return out;
}

std::string schedule_error(const std::string& rate) {
    std::string error;
    auto s = lt::parse_rate_schedule(rate, error);
    BOOST_TEST(!s.has_value(), rate);
    return error;
}

std::string slo_error(const std::string& text) {
    std::string error;
    auto s = lt::parse_slo(text, error);
    BOOST_TEST(!s.has_value(), text);
    return error;
}

lt::request_record record(lt::clock::time_point t0, double intended_ms, double sent_ms,
                          std::vector<double> partials_ms, double completed_ms,
                          std::string outcome = "ok") {
    auto at = [t0](double ms) {
        return t0 + std::chrono::duration_cast<lt::clock::duration>(
                        std::chrono::duration<double, std::milli>(ms));
    };
    lt::request_record r;
    r.intended = at(intended_ms);
    r.actual = r.service_start = at(sent_ms);
    r.head = at(sent_ms + 10);
    for (double p : partials_ms)
        r.partials.push_back(at(p));
    if (outcome == "ok") {
        r.completed = at(completed_ms);
        r.images = 1;
    }
    r.finished = at(completed_ms);
    r.done = true;
    r.outcome = std::move(outcome);
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(loadtest_pieces)

BOOST_AUTO_TEST_CASE(durations) {
    BOOST_TEST(lt::parse_duration("250ms")->count() == 250'000'000);
    BOOST_TEST(lt::parse_duration("1.5s")->count() == 1'500'000'000);
    BOOST_TEST(lt::parse_duration("2m")->count() == 120'000'000'000);
    BOOST_TEST(lt::parse_duration("1h")->count() == 3'600'000'000'000);
    BOOST_TEST(lt::parse_duration("1m30s")->count() == 90'000'000'000);
    BOOST_TEST(lt::parse_duration("3")->count() == 3'000'000'000);
    for (const char* bad : {"", "abc", "-1", "5x", "s", "1.2.3s"})
        BOOST_TEST(!lt::parse_duration(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(rate_schedules) {
    std::string error;
    auto one = lt::parse_rate_schedule("10", error);
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST(one->steps.size() == 1u);
    BOOST_TEST(!one->length().has_value());
    BOOST_TEST(lt::parse_rate_schedule("30/m", error)->steps[0].from == 0.5);
    auto steps = lt::parse_rate_schedule("1:60s,2:60s,4:60s", error);
    BOOST_TEST_REQUIRE(steps.has_value());
    BOOST_TEST(steps->length()->count() == 180'000'000'000);
    auto ramp = lt::parse_rate_schedule("1..8:2m", error);
    BOOST_TEST_REQUIRE(ramp.has_value());
    BOOST_TEST(ramp->steps[0].from == 1.0);
    BOOST_TEST(ramp->steps[0].to == 8.0);

    BOOST_TEST(schedule_error("0").find("the rate must be above 0") != std::string::npos);
    BOOST_TEST(schedule_error("-3").find("the rate must be above 0") != std::string::npos);
    BOOST_TEST(schedule_error("1:abc").find("'abc' is not a duration") != std::string::npos);
    BOOST_TEST(schedule_error("1,2:3s").find("every step but the last") != std::string::npos);
    BOOST_TEST(schedule_error("1..8").find("needs a length") != std::string::npos);
    BOOST_TEST(schedule_error("0..0:1s").find("not both 0") != std::string::npos);
    BOOST_TEST(schedule_error("5,").find("an empty step") != std::string::npos);
    BOOST_TEST(schedule_error("").find("empty") != std::string::npos);
    BOOST_TEST(schedule_error("ten").find("'ten' is not a rate") != std::string::npos);
    BOOST_TEST(schedule_error("5/h").find("is not a rate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(constant_arrivals_number_rate_times_duration_exactly) {
    const auto a = arrivals("10", 3s);
    BOOST_TEST_REQUIRE(a.size() == 30u);
    for (std::size_t k = 0; k < a.size(); ++k)
        BOOST_TEST(std::abs(a[k] - 0.1 * static_cast<double>(k)) < 1e-9);
    BOOST_TEST(arrivals("7", 3s).size() == 21u);
    BOOST_TEST(arrivals("100", 10s).size() == 1000u);
    BOOST_TEST(arrivals("0.5", 3s).size() == 2u); // at 0 and 2 s: ceil(1.5)
    BOOST_TEST(arrivals("30/m", 60s).size() == 30u);
    // Steps add up; the second step starts on its boundary.
    const auto steps = arrivals("10:1s,20:1s", std::nullopt);
    BOOST_TEST_REQUIRE(steps.size() == 30u);
    BOOST_TEST(std::abs(steps[10] - 1.0) < 1e-9);
    BOOST_TEST(std::abs(steps[11] - 1.05) < 1e-9);
    // --duration longer than the schedule: the last rate holds; shorter: it is cut.
    BOOST_TEST(arrivals("10:1s", 2s).size() == 20u);
    BOOST_TEST(arrivals("10:5s", 1s).size() == 10u);
    // Open-ended without a bound: as many as asked for.
    BOOST_TEST(arrivals("10", std::nullopt, lt::arrival_model::constant, 5000).size() == 5000u);
}

BOOST_AUTO_TEST_CASE(ramp_arrivals_follow_the_integral_of_the_rate) {
    // 0 -> 10/s over 2 s: 10 requests, the k-th at sqrt(k / 2.5) s.
    const auto a = arrivals("0..10:2s", std::nullopt);
    BOOST_TEST_REQUIRE(a.size() == 10u);
    for (std::size_t k = 0; k < a.size(); ++k)
        BOOST_TEST(std::abs(a[k] - std::sqrt(static_cast<double>(k) / 2.5)) < 1e-6);
    // Falling: 10 -> 0 over 2 s, also 10 requests, ever further apart.
    const auto down = arrivals("10..0:2s", std::nullopt);
    BOOST_TEST_REQUIRE(down.size() == 10u);
    for (std::size_t k = 2; k < down.size(); ++k)
        BOOST_TEST(down[k] - down[k - 1] > down[k - 1] - down[k - 2]);
    BOOST_TEST(down.back() < 2.0);
}

BOOST_AUTO_TEST_CASE(poisson_arrivals_are_seeded_and_have_the_rate) {
    const auto a = arrivals("100", 20s, lt::arrival_model::poisson);
    const auto b = arrivals("100", 20s, lt::arrival_model::poisson);
    BOOST_TEST(a == b); // same seed, same run
    // 2000 expected; a Poisson count's standard deviation is sqrt(2000) ~ 45.
    BOOST_TEST(a.size() > 1800u);
    BOOST_TEST(a.size() < 2200u);
    BOOST_TEST(std::is_sorted(a.begin(), a.end()));
    BOOST_TEST(a.back() < 20.0);
    // Not evenly spaced: some gaps far below and far above the mean of 10 ms.
    std::size_t short_gaps = 0, long_gaps = 0;
    for (std::size_t i = 1; i < a.size(); ++i) {
        short_gaps += a[i] - a[i - 1] < 0.002;
        long_gaps += a[i] - a[i - 1] > 0.03;
    }
    BOOST_TEST(short_gaps > 100u);
    BOOST_TEST(long_gaps > 20u);
}

BOOST_AUTO_TEST_CASE(outcome_classes) {
    openai::error_info info;
    BOOST_TEST(lt::classify(info) == "ok");
    info.code = openai::errc::rate_limited;
    info.http_status = 429;
    BOOST_TEST(lt::classify(info) == "http_429");
    info = {};
    info.code = openai::errc::request_timeout;
    BOOST_TEST(lt::classify(info) == "timeout");
    info.code = openai::errc::stream_idle_timeout;
    BOOST_TEST(lt::classify(info) == "timeout");
    info.code = openai::errc::connect_failed;
    BOOST_TEST(lt::classify(info) == "connection_error");
    info.code = openai::errc::stream_truncated;
    BOOST_TEST(lt::classify(info) == "truncated_stream");
    info.code = openai::errc::stream_error_event;
    info.http_status = 200;
    BOOST_TEST(lt::classify(info) == "stream_error_event");
    info = {};
    info.code = openai::errc::invalid_request;
    BOOST_TEST(lt::classify(info) == "refused_before_sending");
    info.code = boost::asio::error::operation_aborted;
    BOOST_TEST(lt::classify(info) == "cancelled");
}

BOOST_AUTO_TEST_CASE(summary_measures_each_phase_from_its_start) {
    const auto t0 = lt::clock::now();
    lt::summary s;
    // Intended at 0, sent at 300 (it queued), partials at 400 and 450, complete at 500.
    s.add(record(t0, 0, 300, {400, 450}, 500));
    s.add(record(t0, 100, 100, {200, 260}, 400));
    s.add(record(t0, 200, 200, {}, 250, "http_500"));
    auto warm = record(t0, 0, 0, {}, 50);
    warm.warmup = true;
    s.add(warm);
    s.set_window(1s);
    BOOST_TEST(s.sent() == 3u);
    BOOST_TEST(s.ok() == 2u);
    BOOST_TEST(s.warmup() == 1u);
    BOOST_TEST(s.outcomes().at("http_500") == 1u);
    BOOST_TEST(std::abs(s.error_ratio() - 1.0 / 3.0) < 1e-12);
    BOOST_TEST(s.images_per_minute() == 120.0);
    const auto& complete = s.histogram("complete");
    BOOST_TEST(complete.count() == 2u);
    BOOST_TEST(complete.max().count() == 500000);                        // from the intended start
    BOOST_TEST(s.histogram("service_complete").max().count() == 300000); // from the send
    BOOST_TEST(s.histogram("first_partial").min().count() == 100000);
    BOOST_TEST(s.histogram("service_first_partial").max().count() == 100000);
    BOOST_TEST(s.histogram("partial_gap").count() == 2u);
    BOOST_TEST(s.histogram("queue").max().count() == 300000);
    BOOST_TEST(s.histogram("head").count() == 3u); // the failed one got a head too
}

BOOST_AUTO_TEST_CASE(slo_terms) {
    std::string error;
    auto terms = lt::parse_slo("p99(complete)<30s, errors<1%,p99.9(service_head)<=500ms,"
                               "mean(first_partial)<2s,max(queue)<1m,throughput>=2,ipm>100",
                               error);
    BOOST_TEST_REQUIRE(terms.has_value(), error);
    BOOST_TEST_REQUIRE(terms->size() == 7u);
    BOOST_TEST((*terms)[0].quantile == 99.0);
    BOOST_TEST((*terms)[0].threshold == 30.0);
    BOOST_TEST((*terms)[1].threshold == 0.01);
    BOOST_TEST((*terms)[2].quantile == 99.9);
    BOOST_TEST(((*terms)[2].op == lt::slo_term::comparison::less_equal));
    BOOST_TEST(((*terms)[5].op == lt::slo_term::comparison::greater_equal));

    BOOST_TEST(slo_error("").find("--slo is empty") != std::string::npos);
    BOOST_TEST(slo_error("p99(complete)").find("needs METRIC<VALUE") != std::string::npos);
    BOOST_TEST(slo_error("p99(render)<1s").find("unknown phase 'render'") != std::string::npos);
    BOOST_TEST(slo_error("p101(complete)<1s").find("not a percentile") != std::string::npos);
    BOOST_TEST(slo_error("p99(complete)<30").find("with a unit") != std::string::npos);
    BOOST_TEST(slo_error("errors<200%").find("not a ratio") != std::string::npos);
    BOOST_TEST(slo_error("latency<1s").find("unknown metric 'latency'") != std::string::npos);
    BOOST_TEST(slo_error("median(complete)<1s").find("unknown function") != std::string::npos);

    const auto t0 = lt::clock::now();
    lt::summary s;
    s.add(record(t0, 0, 0, {}, 1000));
    s.add(record(t0, 0, 0, {}, 3000));
    s.set_window(10s);
    auto gate = lt::parse_slo("p50(complete)<2s,p99(complete)<2s,errors<1%,ipm>=12", error);
    BOOST_TEST_REQUIRE(gate.has_value());
    const auto v = lt::evaluate(*gate, s);
    BOOST_TEST(v[0].met);
    BOOST_TEST(!v[1].met);
    BOOST_TEST(v[1].describe().find("p99(complete)<2s: NOT met (measured 3") == 0u);
    BOOST_TEST(v[2].met);
    BOOST_TEST(v[3].met);
    // Nothing measured is not met.
    auto partial = lt::parse_slo("p50(first_partial)<1s", error);
    const auto none = lt::evaluate(*partial, s);
    BOOST_TEST(!none[0].met);
    BOOST_TEST(none[0].describe().find("nothing measured") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(csv_rows_match_the_header) {
    const auto t0 = lt::clock::now();
    auto r = record(t0, 100, 150, {300, 350}, 400);
    r.error = "a message, with \"quotes\"";
    const auto header = lt::csv_header();
    const auto row = lt::csv_row(r, t0);
    auto columns = [](const std::string& line) {
        std::size_t n = 1;
        bool quoted = false;
        for (char c : line) {
            if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
                ++n;
        }
        return n;
    };
    BOOST_TEST(columns(header) == columns(row));
    BOOST_TEST(row.find(",100.000,150.000,150.000,call,") != std::string::npos);
    // completed, end, latency (from the intended start), service time, partials and their times
    BOOST_TEST(row.find(",400.000,400.000,300.000,250.000,2,300.000 350.000,") !=
               std::string::npos);
    BOOST_TEST(row.find("\"a message, with \"\"quotes\"\"\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_histograms_merge_by_adding_buckets) {
    openai::latency_histogram a, b, both;
    for (int i = 1; i <= 500; ++i) {
        const auto v = static_cast<std::uint64_t>(i) * 1537;
        (i % 2 ? a : b).record_us(v);
        both.record_us(v);
    }
    auto back_a = lt::histogram_from_json(lt::histogram_json(a));
    const auto back_b = lt::histogram_from_json(lt::histogram_json(b));
    BOOST_TEST(back_a.count() == a.count());
    BOOST_TEST(back_a.percentile(99) == a.percentile(99));
    back_a.merge(back_b);
    BOOST_TEST(back_a.count() == both.count());
    for (double q : {50.0, 90.0, 99.0, 99.9})
        BOOST_TEST(back_a.percentile(q) == both.percentile(q));
    const auto j = lt::histogram_json(both);
    BOOST_TEST(j.at("count").to_number<std::uint64_t>() == 500u);
    BOOST_TEST(j.contains("p99.9_us"));
    BOOST_CHECK_THROW(lt::histogram_from_json(boost::json::object{{"buckets", 1}}),
                      std::runtime_error);
}

BOOST_AUTO_TEST_CASE(plot_script_and_format) {
    BOOST_TEST(lt::plot_format("a/b.PNG") == "png");
    BOOST_TEST(lt::plot_format("x.svg") == "svg");
    BOOST_TEST(lt::plot_format("x.jpg").empty());
    const auto t0 = lt::clock::now();
    lt::summary s;
    std::vector<lt::request_record> rs;
    for (int i = 0; i < 20; ++i) {
        rs.push_back(record(t0, i * 100.0, i * 100.0, {i * 100.0 + 50}, i * 100.0 + 200));
        s.add(rs.back());
    }
    const auto script = lt::plot_script("it's.svg", rs, s, t0);
    BOOST_TEST(script.find("set terminal svg") != std::string::npos);
    BOOST_TEST(script.find("set output 'it''s.svg'") != std::string::npos);
    BOOST_TEST(script.find("$cdf_complete << EOD") != std::string::npos);
    BOOST_TEST(script.find("$cdf_first_partial << EOD") != std::string::npos);
    BOOST_TEST(script.find("$over_time << EOD\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
