// The fault language: every item parses into its field, bad items are refused with a message
// naming them, and `times=N` counts per fault key and per spec, also across threads.
#include "emulator/fault.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace em = openai::emulator;

namespace {

em::fault_spec parse(std::string_view text) {
    std::string error;
    auto spec = em::parse_fault_spec(text, error);
    BOOST_TEST_REQUIRE(spec.has_value(), "'" << text << "' failed: " << error);
    BOOST_TEST(error.empty());
    return *spec;
}

std::string refuse(std::string_view text) {
    std::string error;
    auto spec = em::parse_fault_spec(text, error);
    BOOST_TEST(!spec.has_value(), "'" << text << "' was accepted");
    BOOST_TEST(!error.empty());
    return error;
}

} // namespace

BOOST_AUTO_TEST_SUITE(fault_spec_parsing)

BOOST_AUTO_TEST_CASE(status_with_retry_headers_and_times) {
    auto s = parse("status=429;retry-after-ms=200;times=2");
    BOOST_TEST(s.status.value() == 429u);
    BOOST_TEST(s.retry_after_ms.value() == 200u);
    BOOST_TEST(s.times.value() == 2u);
    BOOST_TEST(!s.retry_after.has_value());
    BOOST_TEST(s.text == "status=429;retry-after-ms=200;times=2");
}

BOOST_AUTO_TEST_CASE(every_item) {
    auto s = parse(" status=503 ; retry-after=Wed, 21 Oct 2015 07:28:00 GMT ; x-should-retry=false;"
                   "delay-headers-ms=15;drip-bytes-per-s=1000;reset-after-bytes=10;truncate-body;"
                   "malformed-json;html-502;sse-error-after=1;sse-cut-after=2;sse-comments;"
                   "sse-crlf;sse-split=7;close-without-response;times=0;");
    BOOST_TEST(s.status.value() == 503u);
    BOOST_TEST(s.retry_after.value() == "Wed, 21 Oct 2015 07:28:00 GMT");
    BOOST_TEST(s.should_retry.value() == false);
    BOOST_TEST(s.delay_headers.count() == 15);
    BOOST_TEST(s.drip_bytes_per_s == 1000u);
    BOOST_TEST(s.reset_after_bytes.value() == 10u);
    BOOST_TEST(s.truncate_body);
    BOOST_TEST(s.malformed_json);
    BOOST_TEST(s.html_502);
    BOOST_TEST(s.sse_error_after.value() == 1u);
    BOOST_TEST(s.sse_cut_after.value() == 2u);
    BOOST_TEST(s.sse_comments);
    BOOST_TEST((s.sse_line_ending == em::line_ending::crlf));
    BOOST_TEST(s.sse_split == 7u);
    BOOST_TEST(s.close_without_response);
    BOOST_TEST(s.times.value() == 0u);
    BOOST_TEST((parse("sse-cr").sse_line_ending == em::line_ending::cr));
    BOOST_TEST(parse("x-should-retry=true").should_retry.value() == true);
}

BOOST_AUTO_TEST_CASE(bad_items_are_named) {
    BOOST_TEST(refuse("status=200").find("status=200") != std::string::npos);
    BOOST_TEST(refuse("status=abc").find("status=abc") != std::string::npos);
    BOOST_TEST(refuse("stauts=429").find("unknown fault") != std::string::npos);
    BOOST_TEST(refuse("truncate-body=1").find("truncate-body=1") != std::string::npos);
    refuse("");
    refuse(" ; ; ");
    refuse("times=-1");
    refuse("sse-split=0");
    refuse("drip-bytes-per-s=0");
    refuse("x-should-retry=maybe");
    refuse("retry-after-ms=");
    refuse("delay-headers-ms=12ms");
    refuse("status=429;bogus");
    refuse("prompt-contains");
    refuse("prompt-contains=");
    refuse("per-prompt=1");
}

BOOST_AUTO_TEST_CASE(prompt_items) {
    auto s = parse("prompt-contains=[429];status=429;times=1;per-prompt");
    BOOST_TEST(s.prompt_contains.value() == "[429]");
    BOOST_TEST(s.per_prompt);
    BOOST_TEST(s.uses_prompt());
    BOOST_TEST(!parse("status=500").uses_prompt());
    BOOST_TEST(parse("per-prompt;times=1").uses_prompt());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_book_counting)

BOOST_AUTO_TEST_CASE(times_counts_per_key) {
    em::fault_book book;
    std::vector<em::fault_spec> header{parse("status=429;times=2")};
    BOOST_TEST(book.choose(header, "a").has_value());
    BOOST_TEST(book.choose(header, "b").has_value());
    BOOST_TEST(book.choose(header, "a").has_value());
    BOOST_TEST(!book.choose(header, "a").has_value()); // a: exhausted after 2
    BOOST_TEST(book.choose(header, "b").has_value());
    BOOST_TEST(!book.choose(header, "b").has_value());
    // Another spec text is another counter, even with the same key.
    std::vector<em::fault_spec> other{parse("status=500;times=1")};
    BOOST_TEST(book.choose(other, "a").value().status.value() == 500u);
    BOOST_TEST(!book.choose(other, "a").has_value());
}

BOOST_AUTO_TEST_CASE(without_times_always_fires) {
    em::fault_book book;
    std::vector<em::fault_spec> header{parse("html-502")};
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(book.choose(header, "").value().html_502);
    BOOST_TEST(!book.choose({}, "").has_value()); // no header, no global: nothing
}

BOOST_AUTO_TEST_CASE(globals_in_order_and_header_overrides) {
    em::fault_book book({parse("status=500;times=1"), parse("delay-headers-ms=5")});
    BOOST_TEST(book.has_global());
    BOOST_TEST(book.choose({}, "").value().status.value() == 500u);
    auto second = book.choose({}, "");
    BOOST_TEST(!second.value().status.has_value());
    BOOST_TEST(second.value().delay_headers.count() == 5);
    // A header spec replaces the globals for its request.
    std::vector<em::fault_spec> header{parse("malformed-json")};
    auto h = book.choose(header, "");
    BOOST_TEST(h.value().malformed_json);
    BOOST_TEST(h.value().delay_headers.count() == 0);
}

BOOST_AUTO_TEST_CASE(prompt_contains_selects_requests) {
    em::fault_book book({parse("prompt-contains=[500];status=500"), parse("status=503;times=1")});
    BOOST_TEST(book.uses_prompt({}));
    BOOST_TEST(!book.uses_prompt({parse("status=429")})); // header specs replace the globals
    // A matching prompt fires the first spec every time.
    BOOST_TEST(book.choose({}, "", "a fox [500]").value().status.value() == 500u);
    BOOST_TEST(book.choose({}, "", "[500] again").value().status.value() == 500u);
    // Others pass it by and reach the next spec (once), then nothing.
    BOOST_TEST(book.choose({}, "", "a fox").value().status.value() == 503u);
    BOOST_TEST(!book.choose({}, "", "a fox").has_value());
    BOOST_TEST(!book.choose({}, "", "").has_value());
}

BOOST_AUTO_TEST_CASE(per_prompt_counts_each_prompt) {
    em::fault_book book({parse("prompt-contains=[429];status=429;times=1;per-prompt")});
    BOOST_TEST(book.choose({}, "", "one [429]").has_value());
    BOOST_TEST(!book.choose({}, "", "one [429]").has_value()); // its retry passes
    BOOST_TEST(book.choose({}, "", "two [429]").has_value());  // another prompt: its own count
    BOOST_TEST(!book.choose({}, "", "two [429]").has_value());
    BOOST_TEST(!book.choose({}, "", "three").has_value());
    // Without per-prompt, the count is shared by every matching prompt.
    em::fault_book shared({parse("prompt-contains=[429];status=429;times=1")});
    BOOST_TEST(shared.choose({}, "", "one [429]").has_value());
    BOOST_TEST(!shared.choose({}, "", "two [429]").has_value());
}

BOOST_AUTO_TEST_CASE(times_is_exact_across_threads) {
    em::fault_book book;
    std::vector<em::fault_spec> header{parse("status=429;times=100")};
    std::atomic<int> fired{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i)
                if (book.choose(header, "shared"))
                    ++fired;
        });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(fired.load() == 100);
}

BOOST_AUTO_TEST_SUITE_END()
