// The stream rules, branch by branch, without a socket: sequences of what a stream's reader saw,
// and what each must make next() do.
#include "codec/stream_rules.hpp"

#include <openai/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using openai::errc;
using openai::request_outcome;
using openai::codec::stream_action;
using openai::codec::stream_rules;
using openai::codec::stream_verdict;

namespace {

std::string name(stream_action a) {
    switch (a) {
    case stream_action::yield:
        return "yield";
    case stream_action::yield_and_end:
        return "yield_and_end";
    case stream_action::skip:
        return "skip";
    case stream_action::end_clean:
        return "end_clean";
    case stream_action::end_discard:
        return "end_discard";
    case stream_action::already_ended:
        return "already_ended";
    case stream_action::fail:
        return "fail";
    }
    return "?";
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(stream_rules_machine)

BOOST_AUTO_TEST_CASE(partials_then_completed_then_end_of_body_is_a_clean_end) {
    stream_rules rules;
    BOOST_TEST(!rules.on_next(false).has_value());
    BOOST_TEST(name(rules.on_image(false, false).action) == "yield");
    BOOST_TEST(name(rules.on_blank_event().action) == "skip");
    BOOST_TEST(name(rules.on_unknown_event().action) == "yield"); // not an image event
    BOOST_TEST(name(rules.on_image(false, false).action) == "yield");
    BOOST_TEST(name(rules.on_image(true, false).action) == "yield");
    BOOST_TEST(rules.completed_seen());
    BOOST_TEST(rules.events() == 3u);
    BOOST_TEST(name(rules.on_end_of_body().action) == "end_clean");
    BOOST_TEST((rules.current() == stream_rules::phase::ended));
    // Every later next() yields nullopt again.
    auto again = rules.on_next(false);
    BOOST_REQUIRE(again.has_value());
    BOOST_TEST(name(again->action) == "already_ended");
}

BOOST_AUTO_TEST_CASE(completed_with_the_body_exhausted_ends_at_once) {
    stream_rules rules;
    BOOST_TEST(name(rules.on_image(true, true).action) == "yield_and_end");
    BOOST_TEST((rules.current() == stream_rules::phase::ended));
    // A partial with the body exhausted is not an end: the end of body decides.
    stream_rules other;
    BOOST_TEST(name(other.on_image(false, true).action) == "yield");
    const auto v = other.on_end_of_body();
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == errc::stream_truncated);
}

BOOST_AUTO_TEST_CASE(an_end_without_completed_event_is_truncated_and_unknown) {
    stream_rules rules;
    rules.on_image(false, false);
    const auto v = rules.on_end_of_body();
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == errc::stream_truncated);
    BOOST_TEST(v.outcome == request_outcome::unknown);
    BOOST_TEST(contains(v.message, "after 1 image event without a completed event"), v.message);
    // Later calls: stream_closed, quoting why.
    auto later = rules.on_next(false);
    BOOST_REQUIRE(later.has_value());
    BOOST_TEST(later->code == errc::stream_closed);
    BOOST_TEST(contains(later->message, "already ended"), later->message);
    BOOST_TEST(later->outcome == request_outcome::unknown);
}

BOOST_AUTO_TEST_CASE(an_error_event_is_refused_with_its_facts) {
    stream_rules rules;
    rules.on_image(false, false);
    openai::api_error error;
    error.message = "content policy";
    error.type = "invalid_request_error";
    error.code = "moderation_blocked";
    error.param = "prompt";
    const auto v = rules.on_error_event(error);
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == errc::stream_error_event);
    BOOST_TEST(v.outcome == request_outcome::refused);
    BOOST_REQUIRE(v.api.has_value());
    BOOST_TEST(*v.api->code == "moderation_blocked");
    BOOST_TEST(contains(v.message, "after 1 image event: content policy"), v.message);
    BOOST_TEST(contains(v.message, "[param prompt]"), v.message);
    BOOST_TEST((rules.current() == stream_rules::phase::failed));

    stream_rules unreadable;
    const auto u = unreadable.on_unreadable_error_event("{not json");
    BOOST_TEST(u.code == errc::stream_error_event);
    BOOST_TEST(contains(u.message, "unreadable error event: {not json"), u.message);
}

BOOST_AUTO_TEST_CASE(done_marker_ends_only_after_a_completed_event) {
    stream_rules before;
    const auto v = before.on_done_marker();
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == errc::stream_truncated);
    BOOST_TEST(contains(v.message, "[DONE] after 0 image events"), v.message);

    stream_rules after;
    after.on_image(true, false);
    // The body may go on after [DONE]: the connection cannot be reused.
    BOOST_TEST(name(after.on_done_marker().action) == "end_discard");
}

BOOST_AUTO_TEST_CASE(read_errors_before_and_after_the_completed_event) {
    stream_rules before;
    auto v = before.on_read_error(errc::connection_closed, "the server closed the connection");
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == errc::connection_closed);
    BOOST_TEST(v.outcome == request_outcome::unknown);
    BOOST_TEST(contains(v.message, "(after 0 image events, no completed event)"), v.message);

    stream_rules idle;
    v = idle.on_read_error(errc::stream_idle_timeout, "no byte for 5 s");
    BOOST_TEST(v.code == errc::stream_idle_timeout);

    stream_rules after;
    after.on_image(true, false);
    BOOST_TEST(name(after.on_read_error(errc::connection_closed, "reset").action) == "end_discard");
}

BOOST_AUTO_TEST_CASE(cancellation_and_close) {
    stream_rules cancelled;
    const auto v = cancelled.on_read_error(boost::asio::error::operation_aborted, "aborted");
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST(v.code == boost::asio::error::operation_aborted); // the caller's own code
    BOOST_TEST((cancelled.current() == stream_rules::phase::closed));

    stream_rules closing;
    const auto c = closing.on_next(true);
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->code == errc::stream_closed);
    BOOST_TEST(contains(c->message, "closed while next() was pending"), c->message);

    stream_rules idle;
    idle.close_idle();
    const auto later = idle.on_next(false);
    BOOST_REQUIRE(later.has_value());
    BOOST_TEST(later->code == errc::stream_closed);
    BOOST_TEST(contains(later->message, "the stream was closed"), later->message);

    // Closing a stream that ended cleanly keeps its clean end.
    stream_rules ended;
    ended.on_image(true, true);
    ended.close_idle();
    BOOST_TEST((ended.current() == stream_rules::phase::ended));
}

BOOST_AUTO_TEST_CASE(undecodable_and_oversized_events) {
    stream_rules rules;
    rules.count_sse_event();
    rules.count_sse_event();
    auto v = rules.on_undecodable(errc::invalid_json, "image_generation.partial_image",
                                  "expected a JSON object");
    BOOST_TEST(v.code == errc::invalid_json);
    BOOST_TEST(contains(v.message, "event 2 ('image_generation.partial_image')"), v.message);
    BOOST_TEST(contains(v.message, "expected a JSON object"), v.message);

    stream_rules big;
    v = big.on_oversized_event(errc::event_too_large, 1024);
    BOOST_TEST(v.code == errc::event_too_large);
    BOOST_TEST(contains(v.message, "1024 bytes (client_config::max_event_size)"), v.message);

    stream_rules internal;
    v = internal.on_internal_failure(errc::invalid_response, "internal failure in the stream: x");
    BOOST_TEST(name(v.action) == "fail");
    BOOST_TEST((internal.current() == stream_rules::phase::failed));
}

BOOST_AUTO_TEST_SUITE_END()
