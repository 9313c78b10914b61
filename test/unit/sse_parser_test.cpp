// Hand-written cases for every rule of the event-stream parser (WHATWG HTML 9.2.6), each run
// whole and byte by byte, plus the pull-shaped feed() contract and the size limit.
#include "sse_test_util.hpp"

#include <openai/sse.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using openai::sse::event;
using openai::sse::parser;
using openai::sse::parser_options;
using openai::sse::test::compare;
using openai::sse::test::every_byte;
using openai::sse::test::outcome;
using openai::sse::test::problems;
using openai::sse::test::run;
using openai::sse::test::shown;
using namespace std::string_literals;

namespace {

event ev(std::string data, std::string type = "message", std::string id = "") {
    return event{std::move(type), std::move(data), std::move(id)};
}

// The events of `input` must be `expected` whether it arrives whole, byte by byte, or cut in two
// anywhere; both take_event() forms are used.
void expect_events(std::string_view input, const std::vector<event>& expected) {
    BOOST_TEST_CONTEXT("input " << openai::sse::test::show(input)) {
        auto expect = [&](const outcome& o, const std::string& how) {
            const std::string why = problems(o, expected);
            BOOST_TEST(why.empty(), how << ": " << why);
            return why.empty();
        };
        expect(run(input), "whole");
        expect(run(input, every_byte(input.size()), {}, true), "byte by byte");
        for (std::size_t cut = 0; cut <= input.size(); ++cut)
            if (!expect(run(input, {cut}, {}, cut % 2 == 0), "cut at " + std::to_string(cut)))
                break;
    }
}

// Feeds pieces one by one without taking events in between unless asked; returns consumed sizes.
struct fed {
    std::size_t consumed;
    boost::system::error_code ec;
};
fed feed(parser& p, std::string_view input) {
    fed f{};
    f.consumed = p.feed(input, f.ec);
    return f;
}

std::string repeat(char c, std::size_t n) {
    return std::string(n, c);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sse_parser)

// ---- line endings

BOOST_AUTO_TEST_CASE(lf_crlf_and_cr_end_lines) {
    for (const std::string& eol : {"\n"s, "\r\n"s, "\r"s}) {
        BOOST_TEST_CONTEXT("eol " << openai::sse::test::show(eol)) {
            expect_events("data: a" + eol + "data: b" + eol + eol + "data: c" + eol + eol,
                          {ev("a\nb"), ev("c")});
        }
    }
    expect_events("data: a\rdata: b\r\ndata: c\n\r\n", {ev("a\nb\nc")});
}

BOOST_AUTO_TEST_CASE(crlf_split_across_chunks_is_one_line_end) {
    parser p;
    BOOST_TEST(feed(p, "data: a\r").consumed == 8u);
    BOOST_TEST(!p.has_event());
    // The LF completes the CRLF: it must not be read as an empty line (which would dispatch).
    BOOST_TEST(feed(p, "\n").consumed == 1u);
    BOOST_TEST(!p.has_event());
    BOOST_TEST(feed(p, "data: b\r").consumed == 8u);
    BOOST_TEST(feed(p, "\n").consumed == 1u);
    BOOST_TEST(!p.has_event());
    BOOST_TEST(feed(p, "\r").consumed == 1u);
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("a\nb"));
    BOOST_TEST(feed(p, "\n").consumed == 1u);
    BOOST_TEST(!p.has_event());
}

BOOST_AUTO_TEST_CASE(cr_then_cr_in_the_next_chunk_is_a_blank_line) {
    parser p;
    feed(p, "data: a\r");
    BOOST_TEST(!p.has_event());
    // Dispatched as soon as the second CR arrives, without waiting to see whether an LF follows.
    BOOST_TEST(feed(p, "\r").consumed == 1u);
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("a"));
}

BOOST_AUTO_TEST_CASE(lf_cr_lf_is_two_line_ends) {
    expect_events("data: a\n\r\ndata: b\n\n", {ev("a"), ev("b")});
    expect_events("data: a\r\r\r\ndata: b\n\n", {ev("a"), ev("b")});
    expect_events("\r\n\r\n\n\r\rdata: a\n\n", {ev("a")});
}

BOOST_AUTO_TEST_CASE(only_cr_and_lf_end_lines) {
    expect_events("data: a\x0b"
                  "b\x0c"
                  "c\xc2\x85"
                  "d\xe2\x80\xa8"
                  "e\n\n",
                  {ev("a\x0b"
                      "b\x0c"
                      "c\xc2\x85"
                      "d\xe2\x80\xa8"
                      "e")});
}

// ---- byte order mark

BOOST_AUTO_TEST_CASE(leading_bom_is_skipped_even_when_split) {
    expect_events("\xEF\xBB\xBF"
                  "data: x\n\n",
                  {ev("x")});
    expect_events("\xEF\xBB\xBF\r\n"
                  "data: x\n\n",
                  {ev("x")});
}

BOOST_AUTO_TEST_CASE(bom_is_skipped_only_once_and_only_at_the_start) {
    // A second BOM becomes part of the field name, which is then unknown.
    expect_events("\xEF\xBB\xBF\xEF\xBB\xBF"
                  "data: x\n\ndata: y\n\n",
                  {ev("y")});
    expect_events("\xEF\xBB\xBF"
                  "data: 1\n\n\xEF\xBB\xBF"
                  "data: 2\n\ndata: 3\n\n",
                  {ev("1"), ev("3")});
    expect_events("\n\xEF\xBB\xBF"
                  "data: x\n\n",
                  {});
    // A BOM inside a value is data.
    expect_events("data: \xEF\xBB\xBF\n\n", {ev("\xEF\xBB\xBF")});
}

BOOST_AUTO_TEST_CASE(incomplete_bom_is_an_invalid_byte_of_the_first_line) {
    // EF BB then 'd' decodes to U+FFFD "data": an unknown field name.
    expect_events("\xEF\xBB"
                  "data: x\n\ndata: y\n\n",
                  {ev("y")});
    expect_events("\xEF"
                  "data: x\n\ndata: y\n\n",
                  {ev("y")});
    expect_events("\xEF\n"
                  "data: x\n\n",
                  {ev("x")});
    expect_events("\xEF\xBB\r\n"
                  "data: x\n\n",
                  {ev("x")});
}

BOOST_AUTO_TEST_CASE(finish_starts_a_new_stream_whose_bom_is_skipped) {
    parser p;
    boost::system::error_code ec;
    p.feed("\xEF\xBB", ec);
    p.finish();
    const std::string second = "\xEF\xBB\xBF"
                               "data: x\n\n";
    BOOST_TEST(p.feed(second, ec) == second.size());
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("x"));
}

// ---- comments, fields, values

BOOST_AUTO_TEST_CASE(comments_are_ignored) {
    expect_events(": hello\ndata: a\n:\n:data: b\n: x: y\ndata: c\n\n", {ev("a\nc")});
    expect_events(":comment only\n\n:\n\n", {});
    expect_events(":" + repeat('x', 5000) + "\r\ndata: a\r\n\r\n", {ev("a")});
}

BOOST_AUTO_TEST_CASE(data_lines_are_joined_with_lf) {
    expect_events("data: a\ndata: b\ndata: c\n\n", {ev("a\nb\nc")});
    expect_events("data: a\n\ndata: b\n\n", {ev("a"), ev("b")});
}

BOOST_AUTO_TEST_CASE(data_with_and_without_colon_and_spaces) {
    expect_events("data\n\n", {ev("")});
    expect_events("data:\n\n", {ev("")});
    expect_events("data: \n\n", {ev("")});
    expect_events("data:  x\n\n", {ev(" x")});
    expect_events("data:x\n\n", {ev("x")});
    expect_events("data:\tx\n\n", {ev("\tx")});
    expect_events("data: x \n\n", {ev("x ")});
    expect_events("data\ndata\n\n", {ev("\n")});
    expect_events("data\ndata: a\ndata:\n\n", {ev("\na\n")});
}

BOOST_AUTO_TEST_CASE(field_without_colon_has_an_empty_value) {
    expect_events("event: foo\nevent\ndata: x\n\n", {ev("x")});
    expect_events("id: 7\ndata: a\n\nid\ndata: b\n\n", {ev("a", "message", "7"), ev("b")});
    expect_events("data\r\n\r\n", {ev("")});
}

BOOST_AUTO_TEST_CASE(values_keep_colons_and_nul) {
    expect_events("data: a: b:c\ndata::d\n\n", {ev("a: b:c\n:d")});
    expect_events("data: a\0b\n\n"s, {ev("a\0b"s)});
    expect_events("data:\0\n\n"s, {ev("\0"s)});
}

BOOST_AUTO_TEST_CASE(unknown_and_misspelled_fields_are_ignored) {
    expect_events("foo: bar\nDATA: x\nData: x\n data: x\ndata : x\ndatax: x\ndat: x\n"
                  "datadata: x\nevents: e\nid2: 3\nretryx: 5\ndata: a\n\n",
                  {ev("a")});
    expect_events(repeat('n', 3000) + "\n" + repeat('n', 3000) + ": v\ndata: a\n\n", {ev("a")});
    outcome o = run("Retry: 5\nID: 4\nEvent: e\ndata: a\n\n");
    BOOST_TEST(compare({ev("a")}, o.events) == "");
    BOOST_TEST(!o.retry);
    BOOST_TEST(o.last_event_id == "");
}

// ---- event type

BOOST_AUTO_TEST_CASE(event_sets_the_type_and_the_last_one_wins) {
    expect_events("event: a\nevent: b\ndata: x\n\n", {ev("x", "b")});
    expect_events("event: image_generation.completed\ndata: {}\n\n",
                  {ev("{}", "image_generation.completed")});
    expect_events("event:  spaced \ndata: x\n\n", {ev("x", " spaced ")});
    expect_events("data: x\nevent: late\n\n", {ev("x", "late")});
}

BOOST_AUTO_TEST_CASE(empty_event_field_means_message) {
    expect_events("event:\ndata: x\n\n", {ev("x")});
    expect_events("event: \ndata: x\n\n", {ev("x")});
    expect_events("event: a\nevent\ndata: x\n\n", {ev("x")});
}

BOOST_AUTO_TEST_CASE(type_is_reset_after_each_block) {
    expect_events("event: a\ndata: 1\n\ndata: 2\n\n", {ev("1", "a"), ev("2")});
    // A block without data resets the type too.
    expect_events("event: a\n\ndata: x\n\n", {ev("x")});
}

// ---- blocks without data

BOOST_AUTO_TEST_CASE(blocks_without_data_dispatch_nothing) {
    const outcome o = run("event: ping\n\nid: 3\n\nretry: 10\n\n\n\n: c\n\nevent: x\nid: 4\n\n");
    BOOST_TEST(o.events.empty());
    BOOST_TEST(o.last_event_id == "4"); // id and retry still apply
    BOOST_TEST(shown(o.retry) == "10");
    expect_events("event: ping\n\nevent: done\n\n", {});
}

// ---- id

BOOST_AUTO_TEST_CASE(last_event_id_persists_across_events) {
    expect_events("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
                  {ev("a", "message", "1"), ev("b", "message", "1"), ev("c", "message", "2")});
    const outcome o = run("id: 1\ndata: a\n\ndata: b\n\n");
    BOOST_TEST(o.last_event_id == "1");
}

BOOST_AUTO_TEST_CASE(id_applies_to_its_own_block_wherever_it_stands) {
    expect_events("data: a\nid: 3\n\n", {ev("a", "message", "3")});
    expect_events("id: 42\n\ndata: x\n\n", {ev("x", "message", "42")});
}

BOOST_AUTO_TEST_CASE(empty_id_resets_the_last_event_id) {
    expect_events("id: 1\ndata: a\n\nid:\ndata: b\n\n", {ev("a", "message", "1"), ev("b")});
    expect_events("id: 1\ndata: a\n\nid: \ndata: b\n\n", {ev("a", "message", "1"), ev("b")});
}

BOOST_AUTO_TEST_CASE(id_with_nul_is_ignored) {
    expect_events("id: 1\nid: 2\0x\ndata: a\n\n"s, {ev("a", "message", "1")});
    expect_events("id: \0\ndata: a\n\n"s, {ev("a")});
    expect_events("id: 5\nid: a" + repeat('b', 300) + "\0\ndata: a\n\n"s,
                  {ev("a", "message", "5")});
    expect_events("id: 1\ndata: a\n\nid: x\0\ndata: b\n\n"s,
                  {ev("a", "message", "1"), ev("b", "message", "1")});
}

BOOST_AUTO_TEST_CASE(id_keeps_spaces_and_unicode) {
    expect_events("id:  a b \ndata: x\n\n", {ev("x", "message", " a b ")});
    expect_events("id: \xE2\x80\xA6\ndata: x\n\n", {ev("x", "message", "\xE2\x80\xA6")});
}

BOOST_AUTO_TEST_CASE(id_of_an_unfinished_block_does_not_count) {
    BOOST_TEST(run("id: 1\ndata: a\n\nid: 2").last_event_id == "1");
    BOOST_TEST(run("id: 1\ndata: a\n\nid: 2\n").last_event_id == "1");
    BOOST_TEST(run("id: 1\ndata: a\n\nid: 2\ndata: b\n").last_event_id == "1");
    BOOST_TEST(run("id: 1\ndata: a\n\nid: 2\n\n").last_event_id == "2");
    // Nor after finish(): the next stream's events carry the last committed id.
    parser p;
    boost::system::error_code ec;
    const std::string first = "id: 1\ndata: a\n\nid: 2\ndata: b\n";
    std::string_view rest = first;
    rest.remove_prefix(p.feed(rest, ec));
    BOOST_TEST(p.take_event() == ev("a", "message", "1"));
    BOOST_TEST(p.feed(rest, ec) == rest.size());
    BOOST_TEST(p.last_event_id() == "1"); // the block with id 2 has not ended
    p.finish();
    BOOST_TEST(p.last_event_id() == "1");
    BOOST_TEST(p.feed("data: c\n\n", ec) == 9u);
    BOOST_TEST(p.take_event() == ev("c", "message", "1"));
}

// ---- retry

BOOST_AUTO_TEST_CASE(retry_takes_ascii_digits_only) {
    BOOST_TEST(!run("data: x\n\n").retry);
    BOOST_TEST(shown(run("retry: 1500\n").retry) == "1500");
    BOOST_TEST(shown(run("retry:0\n").retry) == "0");
    BOOST_TEST(shown(run("retry: 007\n").retry) == "7");
    BOOST_TEST(shown(run("retry: 1\nretry: 2\n").retry) == "2");
    for (const std::string& bad :
         {"retry: -1\n"s, "retry: +1\n"s, "retry: 1.5\n"s, "retry:  7\n"s, "retry: 7 \n"s,
          "retry: 1e3\n"s, "retry: 0x10\n"s, "retry:\n"s, "retry: \n"s, "retry\n"s,
          "retry: \xD9\xA3\n"s, "retry: 5\0\n"s, "retry: 12" + repeat('3', 1000) + "x\n"}) {
        BOOST_TEST_CONTEXT("line " << openai::sse::test::show(bad)) {
            BOOST_TEST(!run(bad).retry);
            // An invalid value keeps the previous one.
            BOOST_TEST(shown(run("retry: 300\n" + bad).retry) == "300");
        }
    }
}

BOOST_AUTO_TEST_CASE(retry_split_across_chunks) {
    const std::string input = "retry: 123456\n";
    BOOST_TEST(shown(run(input, every_byte(input.size())).retry) == "123456");
    BOOST_TEST(!run("retry: 12", every_byte(9)).retry); // no line end: not applied
    BOOST_TEST(shown(run("retry: 12\r", every_byte(10)).retry) == "12");
}

BOOST_AUTO_TEST_CASE(retry_too_big_saturates) {
    BOOST_TEST(shown(run("retry: 18446744073709551615\n").retry) == "18446744073709551615");
    BOOST_TEST(shown(run("retry: 18446744073709551616\n").retry) == "18446744073709551615");
    BOOST_TEST(shown(run("retry: 99999999999999999999999999999\n").retry) ==
               "18446744073709551615");
    BOOST_TEST(shown(run("retry: 18446744073709551614\n").retry) == "18446744073709551614");
}

// ---- end of input

BOOST_AUTO_TEST_CASE(unfinished_block_is_discarded_at_the_end) {
    expect_events("data: a\n\ndata: b\n", {ev("a")});
    expect_events("data: a\n\ndata: b", {ev("a")});
    expect_events("data: a\n\nevent: x\ndata: b\r", {ev("a")});
    expect_events("data: a\n\r", {ev("a")});
    expect_events("", {});
}

BOOST_AUTO_TEST_CASE(finish_discards_the_block_and_keeps_id_and_retry) {
    parser p;
    boost::system::error_code ec;
    const std::string first = "id: 9\nretry: 50\ndata: a\n\ndata: partial\nevent: e\n";
    std::string_view rest = first;
    rest.remove_prefix(p.feed(rest, ec));
    BOOST_TEST_REQUIRE(p.has_event());
    p.take_event();
    BOOST_TEST(p.feed(rest, ec) == rest.size());
    p.finish();
    BOOST_TEST(!p.has_event());
    BOOST_TEST(p.last_event_id() == "9");
    BOOST_TEST(shown(p.retry()) == "50");
    // The discarded block's data and type do not reach the next stream's events.
    const std::string second = "\ndata: b\n\n";
    BOOST_TEST(p.feed(second, ec) == second.size());
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("b", "message", "9"));
}

BOOST_AUTO_TEST_CASE(finish_keeps_a_pending_event) {
    parser p;
    boost::system::error_code ec;
    p.feed("data: a\n\n", ec);
    p.finish();
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("a"));
}

BOOST_AUTO_TEST_CASE(reset_forgets_everything) {
    parser p(parser_options{8});
    boost::system::error_code ec;
    p.feed("id: 1\nretry: 5\ndata: a\n\n", ec);
    BOOST_TEST(p.has_event());
    p.reset();
    BOOST_TEST(!p.has_event());
    BOOST_TEST(p.last_event_id() == "");
    BOOST_TEST(!p.retry());
    p.feed("data: 123456789\n\n", ec);
    BOOST_TEST(ec == openai::errc::event_too_large);
    BOOST_TEST(p.failed());
    p.reset();
    BOOST_TEST(!p.failed());
    BOOST_TEST(p.options().max_event_size == 8u);
    const std::string input = "\xEF\xBB\xBF"
                              "data: ok\n\n";
    BOOST_TEST(p.feed(input, ec) == input.size());
    BOOST_TEST(!ec);
    BOOST_TEST_REQUIRE(p.has_event());
    BOOST_TEST(p.take_event() == ev("ok"));
}

// ---- the pull-shaped feed()

BOOST_AUTO_TEST_CASE(feed_stops_after_exactly_one_event) {
    const std::string input = "data: a\n\ndata: b\n\n: c\n\ndata: c\n\n\n";
    parser p;
    std::string_view rest = input;
    fed f = feed(p, rest);
    BOOST_TEST(!f.ec);
    BOOST_TEST(f.consumed == 9u); // through the blank line of the first block, no further
    BOOST_TEST_REQUIRE(p.has_event());
    // Feeding before the event is taken consumes nothing.
    BOOST_TEST(feed(p, rest.substr(f.consumed)).consumed == 0u);
    BOOST_TEST(p.take_event() == ev("a"));
    BOOST_TEST(!p.has_event());
    rest.remove_prefix(f.consumed);
    f = feed(p, rest);
    BOOST_TEST(f.consumed == 9u);
    BOOST_TEST(p.take_event() == ev("b"));
    rest.remove_prefix(f.consumed);
    f = feed(p, rest);
    BOOST_TEST(f.consumed == 14u); // the comment block dispatches nothing
    BOOST_TEST(p.take_event() == ev("c"));
    rest.remove_prefix(f.consumed);
    BOOST_TEST(rest == "\n");
    f = feed(p, rest);
    BOOST_TEST(f.consumed == 1u);
    BOOST_TEST(!p.has_event());
    BOOST_TEST(feed(p, "").consumed == 0u);
}

BOOST_AUTO_TEST_CASE(feed_stops_at_the_cr_of_a_crlf_blank_line) {
    const std::string input = "data: a\r\n\r\ndata: b\r\n\r\n";
    parser p;
    std::string_view rest = input;
    fed f = feed(p, rest);
    BOOST_TEST(f.consumed == 10u); // the CR ends the blank line; its LF is left for later
    BOOST_TEST(p.take_event() == ev("a"));
    rest.remove_prefix(f.consumed);
    f = feed(p, rest);
    BOOST_TEST(f.consumed == 11u); // the LF left over, then the block up to its blank CR
    BOOST_TEST(p.take_event() == ev("b"));
    rest.remove_prefix(f.consumed);
    BOOST_TEST(feed(p, rest).consumed == 1u);
    BOOST_TEST(!p.has_event());
}

BOOST_AUTO_TEST_CASE(take_event_without_an_event) {
    parser p;
    BOOST_TEST(p.take_event() == event{});
    event kept{"t", "d", "i"};
    p.take_event(kept);
    BOOST_TEST(kept == (event{"t", "d", "i"}));
}

BOOST_AUTO_TEST_CASE(take_event_into_a_reused_event_replaces_all_of_it) {
    parser p;
    boost::system::error_code ec;
    event e{"old type", std::string(100000, 'o'), "old id"};
    const std::string input = "event: big\nid: 1\ndata: " + repeat('b', 70000) +
                              "\n\ndata: small\n\nid\ndata:\n\nevent: t\ndata: " + repeat('c', 50) +
                              "\n\n";
    std::vector<event> got;
    std::string_view rest = input;
    while (!rest.empty()) {
        rest.remove_prefix(p.feed(rest, ec));
        if (p.has_event()) {
            p.take_event(e);
            got.push_back(e);
        }
    }
    BOOST_TEST(compare({ev(repeat('b', 70000), "big", "1"), ev("small", "message", "1"), ev(""),
                        ev(repeat('c', 50), "t")},
                       got) == "");
}

BOOST_AUTO_TEST_CASE(parse_feeds_everything_and_reports_each_event) {
    parser p;
    std::vector<event> got;
    auto collect = [&](event&& e) { got.push_back(std::move(e)); };
    BOOST_TEST(!openai::sse::parse(p, "data: a\n\nda", false, collect));
    BOOST_TEST(!openai::sse::parse(p, "ta: b\n\ndata: c\n", true, collect));
    BOOST_TEST(compare({ev("a"), ev("b")}, got) == "");
    // A pending event is delivered first.
    got.clear();
    parser q;
    boost::system::error_code ec;
    q.feed("data: x\n\ndata: y\n\n", ec);
    BOOST_TEST(!openai::sse::parse(q, "data: z\n\n", true, collect));
    BOOST_TEST(compare({ev("x"), ev("z")}, got) == "");
    // Errors stop parsing and are returned.
    got.clear();
    parser small(parser_options{4});
    const auto err =
        openai::sse::parse(small, "data: ok\n\ndata: toolong\n\ndata: b\n\n", true, collect);
    BOOST_TEST(err == openai::errc::event_too_large);
    BOOST_TEST(compare({ev("ok")}, got) == "");
}

// ---- size limit

BOOST_AUTO_TEST_CASE(event_at_the_limit_passes_and_one_byte_more_fails) {
    const parser_options limit16{16};
    BOOST_TEST(compare({ev(repeat('x', 16))},
                       run("data: " + repeat('x', 16) + "\n\n", limit16).events) == "");
    const outcome over = run("data: " + repeat('x', 17) + "\n\n", limit16);
    BOOST_TEST(over.ec == openai::errc::event_too_large);
    BOOST_TEST(over.events.empty());
    // The joining LF counts: 8 + 1 + 7 fits, 8 + 1 + 8 does not.
    BOOST_TEST(!run("data: " + repeat('x', 8) + "\ndata: " + repeat('x', 7) + "\n\n", limit16).ec);
    BOOST_TEST(run("data: " + repeat('x', 8) + "\ndata: " + repeat('x', 8) + "\n\n", limit16).ec ==
               openai::errc::event_too_large);
    // The type counts with the data.
    BOOST_TEST(!run("event: abcd\ndata: " + repeat('x', 12) + "\n\n", limit16).ec);
    BOOST_TEST(run("event: abcd\ndata: " + repeat('x', 13) + "\n\n", limit16).ec ==
               openai::errc::event_too_large);
    BOOST_TEST(run("data: " + repeat('x', 13) + "\nevent: abcd\n\n", limit16).ec ==
               openai::errc::event_too_large);
    // So do empty data lines, and an id on its own.
    BOOST_TEST(run("data\ndata\ndata\ndata\ndata\n\n", parser_options{3}).ec ==
               openai::errc::event_too_large);
    BOOST_TEST(!run("data\ndata\ndata\ndata\ndata\n\n", parser_options{4}).ec); // 4 LFs
    BOOST_TEST(run("id: " + repeat('i', 17) + "\n", limit16).ec == openai::errc::event_too_large);
    BOOST_TEST(!run("id: " + repeat('i', 16) + "\n", limit16).ec);
    // The limit is on decoded bytes: each invalid byte becomes three.
    BOOST_TEST(!run("data: \xFF\n\n", parser_options{3}).ec);
    BOOST_TEST(run("data: \xFF\xFF\n\n", parser_options{5}).ec == openai::errc::event_too_large);
    // Byte by byte, the same.
    const std::string over_input = "data: " + repeat('x', 17) + "\n\n";
    BOOST_TEST(run(over_input, every_byte(over_input.size()), limit16).ec ==
               openai::errc::event_too_large);
}

BOOST_AUTO_TEST_CASE(with_a_data_sink_the_limit_counts_what_was_handed_over) {
    // Byte by byte, every byte of data is handed over before the next arrives: the limit must
    // still count all of them, the joining LFs and the type included.
    const parser_options limit16{16};
    for (const bool byte_by_byte : {false, true}) {
        BOOST_TEST_CONTEXT("byte by byte " << byte_by_byte) {
            auto sunk = [&](const std::string& input) {
                return run(input,
                           byte_by_byte ? every_byte(input.size()) : std::vector<std::size_t>{},
                           limit16, false, true);
            };
            const auto fits =
                sunk("data: " + repeat('x', 8) + "\ndata: " + repeat('x', 7) + "\n\n");
            BOOST_TEST(!fits.ec);
            BOOST_TEST(fits.violation.empty(), fits.violation);
            BOOST_TEST(compare({ev(repeat('x', 8) + "\n" + repeat('x', 7))}, fits.events) == "");
            BOOST_TEST(sunk("data: " + repeat('x', 17) + "\n\n").ec ==
                       openai::errc::event_too_large);
            BOOST_TEST(sunk("data: " + repeat('x', 8) + "\ndata: " + repeat('x', 8) + "\n\n").ec ==
                       openai::errc::event_too_large);
            BOOST_TEST(sunk("data: " + repeat('x', 13) + "\nevent: abcd\n\n").ec ==
                       openai::errc::event_too_large);
            BOOST_TEST(sunk("event: abcd\ndata: " + repeat('x', 13) + "\n\n").ec ==
                       openai::errc::event_too_large);
            // The count starts again with each block.
            const auto two =
                sunk("data: " + repeat('x', 16) + "\n\ndata: " + repeat('y', 16) + "\n\n");
            BOOST_TEST(!two.ec);
            BOOST_TEST(compare({ev(repeat('x', 16)), ev(repeat('y', 16))}, two.events) == "");
        }
    }
}

BOOST_AUTO_TEST_CASE(limit_is_enforced_before_the_line_ends) {
    parser p(parser_options{1000});
    boost::system::error_code ec;
    const std::string start = "data: " + repeat('x', 600);
    BOOST_TEST(p.feed(start, ec) == start.size());
    BOOST_TEST(!ec);
    p.feed(repeat('x', 600), ec); // no line end anywhere yet
    BOOST_TEST(ec == openai::errc::event_too_large);
    BOOST_TEST(ec.message().find("event") != std::string::npos);
    BOOST_TEST(p.failed());
    // The parser stays failed until reset().
    BOOST_TEST(p.feed("\n\ndata: a\n\n", ec) == 0u);
    BOOST_TEST(ec == openai::errc::event_too_large);
    BOOST_TEST(!p.has_event());
    p.finish();
    BOOST_TEST(p.feed("data: a\n\n", ec) == 0u);
    BOOST_TEST(ec == openai::errc::event_too_large);
    p.reset();
    BOOST_TEST(p.feed("data: a\n\n", ec) == 9u);
    BOOST_TEST(!ec);
    BOOST_TEST(p.take_event() == ev("a"));
}

BOOST_AUTO_TEST_CASE(zero_limit_means_unlimited) {
    const std::string data(3 * 1024 * 1024, 'z');
    const outcome o = run("data: " + data + "\n\n", parser_options{0});
    BOOST_TEST(!o.ec);
    BOOST_TEST_REQUIRE(o.events.size() == 1u);
    BOOST_TEST((o.events[0].data == data));
}

BOOST_AUTO_TEST_CASE(huge_event_under_the_default_limit_passes_in_socket_sized_reads) {
    // A 4K image arrives as one data line of tens of MB, split across many reads.
    std::string payload(40 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 7 + i / 64) %
                                                                               64];
    const std::string input =
        ": keep-alive\n\nevent: image_generation.completed\ndata: " + payload +
        "\n\nevent: after\ndata: x\n\n";
    std::vector<std::size_t> cuts;
    for (std::size_t at = 65536 - 17; at < input.size(); at += 65536)
        cuts.push_back(at);
    const outcome o = run(input, cuts);
    BOOST_TEST(!o.ec);
    BOOST_TEST(o.violation == "");
    BOOST_TEST_REQUIRE(o.events.size() == 2u);
    BOOST_TEST(o.events[0].type == "image_generation.completed");
    BOOST_TEST(o.events[0].data.size() == payload.size());
    BOOST_TEST((o.events[0].data == payload));
    BOOST_TEST(o.events[1] == ev("x", "after"));
    // One byte more than the limit fails.
    const outcome over = run(input, cuts, parser_options{payload.size() + 25});
    BOOST_TEST(over.ec == openai::errc::event_too_large);
    const outcome exact = run(input, cuts, parser_options{payload.size() + 26});
    BOOST_TEST(!exact.ec);
    BOOST_TEST(exact.events.size() == 2u);
}

// ---- UTF-8

BOOST_AUTO_TEST_CASE(utf8_is_kept_across_chunk_boundaries) {
    expect_events("data: \xF0\x9F\xA5\x8C \xD0\xB8\xD0\xB7 \xE2\x99\xA5\n\n",
                  {ev("\xF0\x9F\xA5\x8C \xD0\xB8\xD0\xB7 \xE2\x99\xA5")});
    expect_events("event: \xE2\x99\xA5\nid: \xF0\x9F\xA5\x8C\ndata: x\n\n",
                  {ev("x", "\xE2\x99\xA5", "\xF0\x9F\xA5\x8C")});
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
    const std::string fffd = "\xEF\xBF\xBD";
    expect_events("data: a\xFF"
                  "b\n\n",
                  {ev("a" + fffd + "b")});
    // A sequence cut short by the line end is one U+FFFD; the line end still counts.
    expect_events("data: \xE2\x82\n\n", {ev(fffd)});
    expect_events("data: \xF0\x9F\xA5\r\ndata: x\n\n", {ev(fffd + "\nx")});
    // Overlong forms, surrogates and code points past U+10FFFF: one U+FFFD per bad byte.
    expect_events("data: \xC0\x80\n\n", {ev(fffd + fffd)});
    expect_events("data: \xED\xA0\x80\n\n", {ev(fffd + fffd + fffd)});
    expect_events("data: \xF4\x90\x80\x80\n\n", {ev(fffd + fffd + fffd + fffd)});
    expect_events("data: \xE0\x9F\xBF"
                  "z\n\n",
                  {ev(fffd + fffd + fffd + "z")});
    // The maximal-subpart example of Unicode 15 table 3-8.
    expect_events("data: \x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64\n\n",
                  {ev("a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d")});
    expect_events("event: \xFF\nid: \xC3\ndata: x\n\n", {ev("x", fffd, fffd)});
}

BOOST_AUTO_TEST_SUITE_END()
