// The image cache: shared bytes and base64 per spec, every spec field in the key, LRU bound,
// one synthesis under concurrent first requests, failures not cached.
#include "codec/base64.hpp"
#include "emulator/image_cache.hpp"
#include "emulator/image_probe.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

namespace em = openai::emulator;

namespace {

em::image_spec small(std::string prompt = "cached") {
    em::image_spec s;
    s.prompt = std::move(prompt);
    s.width = 64;
    s.height = 48;
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_cache)

BOOST_AUTO_TEST_CASE(same_spec_shares_bytes_and_base64) {
    em::image_cache cache;
    const auto a = cache.get(small());
    BOOST_REQUIRE(a.bytes);
    BOOST_TEST(!a.base64); // not asked for
    BOOST_TEST(a.width == 64u);
    BOOST_TEST(a.height == 48u);
    BOOST_TEST(a.format == em::image_format::png);
    const auto b = cache.get(small(), true);
    BOOST_TEST(a.bytes.get() == b.bytes.get());
    BOOST_REQUIRE(b.base64);
    BOOST_TEST(cache.base64(small()).get() == b.base64.get());
    BOOST_TEST(cache.bytes(small()).get() == a.bytes.get());

    std::string decoded;
    boost::system::error_code ec;
    BOOST_TEST(openai::codec::base64_decode(*b.base64, decoded, ec));
    BOOST_TEST((decoded == *a.bytes));
    BOOST_TEST((*a.bytes == em::synthesize(small()).bytes));

    const auto stats = cache.stats();
    BOOST_TEST(stats.misses == 1u);
    BOOST_TEST(stats.hits == 3u);
    BOOST_TEST(stats.entries == 1u);
    BOOST_TEST(stats.bytes == a.bytes->size() + b.base64->size());
}

BOOST_AUTO_TEST_CASE(every_field_is_part_of_the_key) {
    em::image_cache cache;
    std::vector<em::image_spec> specs(10, small());
    specs[1].prompt = "cached!";
    specs[2].width = 65;
    specs[3].height = 49;
    specs[4].format = em::image_format::webp;
    specs[5].transparent = true;
    specs[6].compression = 50;
    specs[6].format = em::image_format::jpeg;
    specs[7].index = 1;
    specs[8].partial_count = 2;
    specs[9].payload_bytes = 100'000;
    std::vector<std::shared_ptr<const std::string>> files;
    for (const auto& s : specs)
        files.push_back(cache.bytes(s));
    BOOST_TEST(cache.stats().entries == specs.size());
    BOOST_TEST(cache.stats().misses == specs.size());
    for (std::size_t i = 0; i < files.size(); ++i)
        for (std::size_t j = i + 1; j < files.size(); ++j)
            BOOST_TEST(*files[i] != *files[j], i << " vs " << j);
    BOOST_TEST(em::probe(*files[4]).format == em::image_format::webp);
    BOOST_TEST(files[9]->size() == 100'000u);
    // partial_index joins the key too.
    auto partial = specs[8];
    partial.partial_index = 1;
    BOOST_TEST(*cache.bytes(partial) != *files[8]);
}

BOOST_AUTO_TEST_CASE(least_recently_used_entries_are_dropped) {
    const std::size_t one = em::synthesize(small("p0")).bytes.size();
    em::image_cache cache(one * 3 + one / 2); // room for about three
    auto kept = cache.bytes(small("p0"));
    cache.bytes(small("p1"));
    cache.bytes(small("p2"));
    cache.bytes(small("p0")); // p0 is now the most recent
    cache.bytes(small("p3")); // drops p1
    const auto stats = cache.stats();
    BOOST_TEST(stats.entries <= 3u);
    BOOST_TEST(stats.bytes <= cache.max_bytes());
    const auto misses = stats.misses;
    cache.bytes(small("p0"));
    BOOST_TEST(cache.stats().misses == misses); // still there
    cache.bytes(small("p1"));
    BOOST_TEST(cache.stats().misses == misses + 1); // had been dropped
    cache.clear();
    BOOST_TEST(cache.stats().entries == 0u);
    BOOST_TEST(cache.stats().bytes == 0u);
    BOOST_TEST(!kept->empty()); // handed-out strings outlive eviction
    BOOST_TEST(em::probe(*kept).width == 64u);
}

BOOST_AUTO_TEST_CASE(an_entry_larger_than_the_budget_is_served_and_replaces_the_rest) {
    em::image_cache cache(1);
    cache.bytes(small("a"));
    const auto b = cache.get(small("b"), true);
    BOOST_TEST(b.base64);
    BOOST_TEST(cache.stats().entries == 1u);
    BOOST_TEST(cache.base64(small("b")).get() == b.base64.get());
}

BOOST_AUTO_TEST_CASE(concurrent_first_requests_synthesize_once) {
    em::image_cache cache;
    auto spec = small("concurrent");
    spec.width = 1024;
    spec.height = 1024;
    std::vector<std::shared_ptr<const std::string>> results(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] { results[i] = cache.base64(spec); });
    for (auto& t : threads)
        t.join();
    for (const auto& r : results)
        BOOST_TEST(r.get() == results[0].get());
    BOOST_TEST(cache.stats().misses == 1u);
    BOOST_TEST(cache.stats().hits == 7u);
}

BOOST_AUTO_TEST_CASE(failures_are_not_cached) {
    em::image_cache cache;
    auto bad = small();
    bad.format = em::image_format::jpeg;
    bad.transparent = true;
    BOOST_CHECK_THROW(cache.get(bad), std::invalid_argument);
    BOOST_CHECK_THROW(cache.get(bad), std::invalid_argument);
    BOOST_TEST(cache.stats().entries == 0u);
    BOOST_TEST(cache.stats().bytes == 0u);
    BOOST_TEST(cache.stats().misses == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
