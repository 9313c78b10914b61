// Rate-limit headers, token counts, the URL store and the request log on their own.
#include "emulator/rate_limit.hpp"
#include "emulator/request_log.hpp"
#include "emulator/url_store.hpp"
#include "emulator/usage.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace em = openai::emulator;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(bookkeeping)

BOOST_AUTO_TEST_CASE(reset_durations_look_like_the_api) {
    BOOST_TEST(em::format_reset(0ms) == "0ms");
    BOOST_TEST(em::format_reset(120ms) == "120ms");
    BOOST_TEST(em::format_reset(1000ms) == "1s");
    BOOST_TEST(em::format_reset(1500ms) == "1.5s");
    BOOST_TEST(em::format_reset(6'000ms) == "6s");
    BOOST_TEST(em::format_reset(360'000ms) == "6m0s");
    BOOST_TEST(em::format_reset(3'723'000ms) == "1h2m3s");
}

BOOST_AUTO_TEST_CASE(rate_limit_window) {
    em::rate_limits limits(3, 1000);
    auto t0 = em::rate_limits::clock::now();
    auto value = [](const auto& headers, std::string_view name) {
        for (const auto& [n, v] : headers)
            if (n == name)
                return v;
        return std::string("<absent>");
    };
    auto h1 = limits.record(t0, 100);
    BOOST_TEST(value(h1, "x-ratelimit-limit-requests") == "3");
    BOOST_TEST(value(h1, "x-ratelimit-remaining-requests") == "2");
    BOOST_TEST(value(h1, "x-ratelimit-remaining-tokens") == "900");
    limits.record(t0 + 1s, 100);
    limits.record(t0 + 2s, 100);
    auto h4 = limits.record(t0 + 3s, 900);
    BOOST_TEST(value(h4, "x-ratelimit-remaining-requests") == "0"); // never negative
    BOOST_TEST(value(h4, "x-ratelimit-remaining-tokens") == "0");
    auto h5 = limits.record(t0 + 61s, 10); // a new window
    BOOST_TEST(value(h5, "x-ratelimit-remaining-requests") == "2");
    BOOST_TEST(value(h5, "x-ratelimit-remaining-tokens") == "990");
}

BOOST_AUTO_TEST_CASE(usage_is_deterministic_and_grows) {
    em::usage_input in;
    in.prompt = "a watercolour lighthouse";
    in.quality = "high";
    auto a = em::compute_usage(in);
    auto b = em::compute_usage(in);
    BOOST_TEST(a.total_tokens() == b.total_tokens());
    BOOST_TEST(a.output_tokens == 4160u);
    BOOST_TEST(a.text_tokens == 6u);
    in.n = 2;
    in.partial_images = 3;
    auto c = em::compute_usage(in);
    BOOST_TEST(c.output_tokens == 2u * 4160u + 2u * 300u);
    in.input_images = {{1024, 1024}, {512, 512}};
    auto d = em::compute_usage(in);
    BOOST_TEST(d.image_tokens > 0u);
    BOOST_TEST(d.input_tokens() == d.text_tokens + d.image_tokens);
    in.high_input_fidelity = true;
    BOOST_TEST(em::compute_usage(in).image_tokens > d.image_tokens);
    auto j = em::usage_json(d, true);
    BOOST_TEST(j.at("total_tokens").as_uint64() == d.total_tokens());
    BOOST_TEST(j.at("output_tokens_details").at("image_tokens").as_uint64() == d.output_tokens);
    BOOST_TEST(!em::usage_json(d, false).contains("output_tokens_details"));
}

BOOST_AUTO_TEST_CASE(url_store_expires_and_evicts) {
    em::url_store store(100ms, 2);
    auto now = em::url_store::clock::now();
    auto bytes = std::make_shared<const std::string>("PNG");
    std::string a = store.put(bytes, "png", "image/png", now);
    BOOST_TEST(a.ends_with(".png"));
    BOOST_TEST(store.get(a, now + 50ms).value().bytes->compare("PNG") == 0);
    BOOST_TEST(!store.get(a, now + 100ms).has_value());
    std::string b = store.put(bytes, "png", "image/png", now);
    std::string c = store.put(bytes, "webp", "image/webp", now);
    std::string d = store.put(bytes, "png", "image/png", now);
    BOOST_TEST(b != c);
    BOOST_TEST(!store.get(b, now).has_value()); // evicted: capacity 2
    BOOST_TEST(store.get(c, now).value().content_type == "image/webp");
    BOOST_TEST(store.get(d, now).has_value());
    BOOST_TEST(!store.get("img-unknown.png", now).has_value());
}

BOOST_AUTO_TEST_CASE(request_log_ring_and_queries) {
    em::request_log log(3);
    for (int i = 0; i < 5; ++i) {
        boost::json::object r;
        r["request_id"] = "req_" + std::to_string(i);
        r["fault_key"] = i % 2 ? boost::json::value("odd") : boost::json::value(nullptr);
        log.add(std::move(r));
    }
    auto all = log.find({});
    BOOST_TEST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].at("request_id").as_string() == "req_2");
    BOOST_TEST(all[2].at("seq").as_uint64() == 5u);
    em::request_log::query q;
    q.fault_key = "odd";
    BOOST_TEST(log.find(q).size() == 1u);
    q = {};
    q.request_id = "req_4";
    BOOST_TEST(log.find(q).at(0).at("seq").as_uint64() == 5u);
    q = {};
    q.limit = 2;
    BOOST_TEST(log.find(q).at(0).at("request_id").as_string() == "req_3");
}

BOOST_AUTO_TEST_CASE(stats_peaks) {
    em::server_stats s;
    s.connection_opened();
    s.connection_opened();
    s.connection_closed();
    s.connection_opened();
    auto j = s.to_json();
    BOOST_TEST(j.at("connections_accepted").as_uint64() == 3u);
    BOOST_TEST(j.at("connections_open").as_uint64() == 2u);
    BOOST_TEST(j.at("connections_peak").as_uint64() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
