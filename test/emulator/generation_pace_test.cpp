// The emulator's generation pacing: latency jitter within its bounds and spread out, and the
// capacity limit's slots handed on first come first served.
#include "emulator/generation_pace.hpp"
#include "emulator/options.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <vector>

namespace em = openai::emulator;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(generation_pace)

BOOST_AUTO_TEST_CASE(no_jitter_keeps_the_latency_exact) {
    em::options o;
    em::latency_sampler s(o, 1);
    for (int i = 0; i < 100; ++i)
        BOOST_TEST(s.draw(200ms).count() == 200);
}

BOOST_AUTO_TEST_CASE(uniform_jitter_stays_within_base_and_base_plus_jitter) {
    em::options o;
    o.latency_jitter = 100ms;
    em::latency_sampler s(o, 2);
    std::set<long> seen;
    double sum = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto d = s.draw(200ms).count();
        BOOST_TEST_REQUIRE(d >= 200);
        BOOST_TEST_REQUIRE(d <= 300);
        seen.insert(static_cast<long>(d));
        sum += static_cast<double>(d);
    }
    BOOST_TEST(seen.size() > 50u); // spread out, not one value
    const double mean = sum / 2000;
    BOOST_TEST(mean > 240.0);
    BOOST_TEST(mean < 260.0);
}

BOOST_AUTO_TEST_CASE(exponential_jitter_has_its_mean_and_a_tail) {
    em::options o;
    o.latency_jitter = 50ms;
    o.latency_distribution = em::options::jitter_distribution::exponential;
    em::latency_sampler s(o, 3);
    double sum = 0;
    long max = 0;
    for (int i = 0; i < 5000; ++i) {
        const auto d = s.draw(100ms).count();
        BOOST_TEST_REQUIRE(d >= 100);
        BOOST_TEST_REQUIRE(d <= 100 + 50 * 50);
        sum += static_cast<double>(d - 100);
        max = std::max<long>(max, static_cast<long>(d));
    }
    const double mean = sum / 5000;
    BOOST_TEST(mean > 45.0);
    BOOST_TEST(mean < 55.0);
    BOOST_TEST(max > 100 + 3 * 50); // beyond anything a uniform 0..50 could give
}

BOOST_AUTO_TEST_CASE(unlimited_slots_never_queue) {
    em::generation_slots slots(0);
    BOOST_TEST(!slots.limited());
    for (int i = 0; i < 10; ++i)
        BOOST_TEST(slots.acquire([] { BOOST_FAIL("woken"); }));
    BOOST_TEST(slots.queued() == 0u);
}

BOOST_AUTO_TEST_CASE(beyond_capacity_requests_queue_in_arrival_order) {
    em::generation_slots slots(2);
    std::vector<int> woken;
    BOOST_TEST(slots.acquire([] {}));
    BOOST_TEST(slots.acquire([] {}));
    BOOST_TEST(slots.active() == 2u);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(!slots.acquire([&woken, i] { woken.push_back(i); }));
    BOOST_TEST(slots.queued() == 3u);
    BOOST_TEST(slots.max_queued() == 3u);
    slots.release(); // the slot passes to waiter 0
    BOOST_TEST(woken == std::vector<int>({0}));
    BOOST_TEST(slots.active() == 2u);
    slots.release();
    slots.release();
    BOOST_TEST(woken == std::vector<int>({0, 1, 2}));
    BOOST_TEST(slots.queued() == 0u);
    slots.release();
    slots.release();
    BOOST_TEST(slots.active() == 0u);
    BOOST_TEST(slots.total_queued() == 3u);
    // Capacity again, without waiting.
    BOOST_TEST(slots.acquire([] {}));
}

BOOST_AUTO_TEST_CASE(close_drops_waiters_without_waking_them) {
    em::generation_slots slots(1);
    bool woken = false;
    BOOST_TEST(slots.acquire([] {}));
    BOOST_TEST(!slots.acquire([&woken] { woken = true; }));
    slots.close();
    slots.release();
    BOOST_TEST(!woken);
    BOOST_TEST(slots.queued() == 0u);
    BOOST_TEST(slots.acquire([] {})); // nothing waits after close
}

BOOST_AUTO_TEST_SUITE_END()
