// openai::latency_histogram: bucket layout, the stated relative error of percentiles against an
// exact sort, merging (the same as recording everything in one), and the bucket round trip used
// by the load test's JSON.
#include <openai/latency_histogram.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using openai::latency_histogram;
using namespace std::chrono_literals;

namespace {

// The exact value at rank ceil(q/100 * n) of sorted `v` (the histogram's definition).
std::uint64_t exact_percentile(std::vector<std::uint64_t> v, double q) {
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(q / 100.0 * static_cast<double>(v.size())));
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
}

} // namespace

BOOST_AUTO_TEST_SUITE(latency_histogram_suite)

BOOST_AUTO_TEST_CASE(empty_histogram_reports_zeros) {
    latency_histogram h;
    BOOST_TEST(h.empty());
    BOOST_TEST(h.count() == 0u);
    BOOST_TEST(h.percentile(50).count() == 0);
    BOOST_TEST(h.mean_us() == 0.0);
    BOOST_TEST(h.buckets().empty());
}

BOOST_AUTO_TEST_CASE(buckets_tile_the_value_range_without_gaps) {
    for (unsigned p : {1u, 3u, 7u, 10u}) {
        latency_histogram h(p);
        // Every bucket starts where the previous one ended, and holds exactly its own values.
        std::uint64_t expected_lower = 0;
        for (std::size_t i = 0; i < 2000; ++i) {
            BOOST_TEST_REQUIRE(h.bucket_lower(i) == expected_lower, "p=" << p << " i=" << i);
            const auto upper = h.bucket_upper(i);
            BOOST_TEST_REQUIRE(upper > expected_lower);
            BOOST_TEST_REQUIRE(h.bucket_index(expected_lower) == i);
            BOOST_TEST_REQUIRE(h.bucket_index(upper - 1) == i);
            // Width at most 2^-(p-1) of the lower bound once past the linear range.
            if (expected_lower >= (std::uint64_t{1} << p))
                BOOST_TEST_REQUIRE(static_cast<double>(upper - expected_lower) <=
                                   std::ldexp(static_cast<double>(expected_lower), 1 - int(p)));
            if (upper == ~std::uint64_t{0})
                break; // the last bucket (small p reaches it within 2000)
            expected_lower = upper;
        }
    }
    latency_histogram h;
    const std::uint64_t top = ~std::uint64_t{0};
    BOOST_TEST(h.bucket_upper(h.bucket_index(top)) == top); // saturates, no overflow
    BOOST_TEST(h.bucket_lower(h.bucket_index(top)) <= top);
}

BOOST_AUTO_TEST_CASE(small_values_are_exact) {
    latency_histogram h; // p = 7: values below 128 µs have buckets of their own
    for (std::uint64_t v = 1; v <= 100; ++v)
        h.record_us(v);
    BOOST_TEST(h.percentile(50).count() == 50);
    BOOST_TEST(h.percentile(99).count() == 99);
    BOOST_TEST(h.percentile(100).count() == 100);
    BOOST_TEST(h.percentile(0).count() == 1);
    BOOST_TEST(h.min().count() == 1);
    BOOST_TEST(h.max().count() == 100);
    BOOST_TEST(h.mean_us() == 50.5);
}

BOOST_AUTO_TEST_CASE(percentiles_stay_within_the_stated_relative_error) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(std::log(2'000'000.0), 1.0); // ~2 s, long tail
    for (unsigned p : {4u, 7u, 10u}) {
        latency_histogram h(p);
        std::vector<std::uint64_t> values;
        for (int i = 0; i < 20000; ++i) {
            const auto v = static_cast<std::uint64_t>(dist(rng));
            values.push_back(v);
            h.record_us(v);
        }
        BOOST_TEST(h.relative_error() == std::ldexp(1.0, -int(p)));
        for (double q : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
            const double exact = static_cast<double>(exact_percentile(values, q));
            const double got = static_cast<double>(h.percentile(q).count());
            BOOST_TEST(std::abs(got - exact) <= exact * h.relative_error() + 1.0,
                       "p=" << p << " q=" << q << " exact " << exact << " got " << got);
        }
        BOOST_TEST(h.max().count() ==
                   static_cast<std::int64_t>(*std::max_element(values.begin(), values.end())));
    }
}

BOOST_AUTO_TEST_CASE(the_first_and_last_ranks_are_exact) {
    latency_histogram h; // 1'000'000 and 1'003'000 share a bucket 8192 µs wide
    BOOST_TEST_REQUIRE(h.bucket_index(1'000'000) == h.bucket_index(1'003'000));
    h.record_us(1'000'000);
    h.record_us(1'003'000);
    BOOST_TEST(h.percentile(99.9).count() == 1'003'000); // rank 2 of 2: the max
    BOOST_TEST(h.percentile(50).count() == 1'000'000);   // rank 1 of 2: the min
    for (int i = 0; i < 98; ++i)
        h.record_us(1'001'000);
    BOOST_TEST(h.percentile(99.9).count() == 1'003'000); // rank 100 of 100
    const auto p99 = h.percentile(99).count();           // rank 99: the bucket's middle
    BOOST_TEST(std::abs(p99 - 1'001'000) <= 1'001'000 * h.relative_error());
}

BOOST_AUTO_TEST_CASE(records_durations_in_microseconds) {
    latency_histogram h;
    h.record(std::chrono::nanoseconds(1500)); // 1 µs (truncated)
    h.record(-5ms);                           // counts as 0
    h.record(250ms, 3);
    BOOST_TEST(h.count() == 5u);
    BOOST_TEST(h.min().count() == 0);
    BOOST_TEST(h.max().count() == 250000);
    const double err = h.relative_error();
    BOOST_TEST(std::abs(h.percentile(50).count() - 250000) <= 250000 * err);
}

BOOST_AUTO_TEST_CASE(merging_equals_recording_everything_in_one) {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> dist(1.0 / 300000.0);
    latency_histogram a, b, all;
    for (int i = 0; i < 5000; ++i) {
        const auto v = static_cast<std::uint64_t>(dist(rng));
        (i % 3 == 0 ? a : b).record_us(v);
        all.record_us(v);
    }
    latency_histogram merged;
    merged.merge(a);
    merged.merge(b);
    BOOST_TEST(merged.count() == all.count());
    BOOST_TEST(merged.min() == all.min());
    BOOST_TEST(merged.max() == all.max());
    BOOST_TEST(merged.sum_us() == all.sum_us());
    for (double q : {50.0, 90.0, 99.0, 99.9})
        BOOST_TEST(merged.percentile(q) == all.percentile(q));
    const auto mb = merged.buckets();
    const auto ab = all.buckets();
    BOOST_TEST_REQUIRE(mb.size() == ab.size());
    for (std::size_t i = 0; i < mb.size(); ++i)
        BOOST_TEST((mb[i].lower == ab[i].lower && mb[i].count == ab[i].count));

    latency_histogram coarse(5);
    BOOST_CHECK_THROW(coarse.merge(a), std::invalid_argument);
    BOOST_CHECK_THROW(latency_histogram(0), std::invalid_argument);
    BOOST_CHECK_THROW(latency_histogram(17), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(buckets_round_trip_through_their_lower_bounds) {
    latency_histogram h;
    for (std::uint64_t v : {3u, 130u, 131u, 5000u, 5001u, 1234567u, 98765432u})
        h.record_us(v, v % 5 + 1);
    latency_histogram back;
    std::uint64_t total = 0;
    for (const auto& b : h.buckets()) {
        BOOST_TEST(b.lower < b.upper);
        back.add_bucket(b.lower, b.count);
        total += b.count;
    }
    BOOST_TEST(total == h.count());
    back.set_extremes(static_cast<std::uint64_t>(h.min().count()),
                      static_cast<std::uint64_t>(h.max().count()), h.sum_us());
    BOOST_TEST(back.count() == h.count());
    for (double q : {10.0, 50.0, 75.0, 99.0, 100.0})
        BOOST_TEST(back.percentile(q) == h.percentile(q));
    BOOST_TEST(back.mean_us() == h.mean_us());
}

BOOST_AUTO_TEST_SUITE_END()
