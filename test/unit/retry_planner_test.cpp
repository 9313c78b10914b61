// The retry planner, branch by branch, without a socket: every row is one attempt's facts under a
// policy, and the decision (and outcome) it must get.
#include "codec/retry_planner.hpp"

#include <openai/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using openai::errc;
using openai::request_outcome;
using openai::codec::attempt_facts;
using openai::codec::attempt_stage;
using openai::codec::retry_action;
using openai::codec::retry_decision;
using openai::codec::retry_planner;
using openai::codec::retry_settings;

namespace {

const auto now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 4} + 12h;

attempt_facts facts(boost::system::error_code ec, attempt_stage stage, int status = 0) {
    attempt_facts f;
    f.error = ec;
    f.stage = stage;
    f.http_status = status;
    return f;
}

retry_settings image_call(bool retry_unknown = false) {
    retry_settings s;
    s.creates_images = true;
    s.retry_unknown_outcome = retry_unknown;
    return s;
}

retry_settings download_call() {
    return retry_settings{};
}

struct row {
    std::string name;
    attempt_facts facts;
    retry_settings settings;
    retry_action action;
    request_outcome outcome;
    bool held_back = false;
};

std::string to_string(retry_action a) {
    switch (a) {
    case retry_action::finish:
        return "finish";
    case retry_action::retry_fresh:
        return "retry_fresh";
    case retry_action::retry_after:
        return "retry_after";
    }
    return "?";
}

} // namespace

BOOST_AUTO_TEST_SUITE(retry_planner_rules)

BOOST_AUTO_TEST_CASE(first_attempt_decisions) {
    const auto before = attempt_stage::before_send;
    const auto after = attempt_stage::after_send;
    const auto response = attempt_stage::response;
    const auto body = attempt_stage::body;
    using enum request_outcome;
    const std::vector<row> rows = {
        // success
        {"ok", facts({}, body, 200), image_call(), retry_action::finish, not_sent},
        // nothing left whole: retried, whatever the call
        {"connect failed", facts(errc::connect_failed, before), image_call(),
         retry_action::retry_after, not_sent},
        {"resolve failed", facts(errc::resolve_failed, before), image_call(),
         retry_action::retry_after, not_sent},
        {"tls handshake failed", facts(errc::tls_handshake_failed, before), image_call(),
         retry_action::retry_after, not_sent},
        {"connect timeout", facts(errc::connect_timeout, before), image_call(),
         retry_action::retry_after, not_sent},
        {"write cut short", facts(errc::connection_closed, before), image_call(),
         retry_action::retry_after, not_sent},
        {"write timeout", facts(errc::write_timeout, before), image_call(),
         retry_action::retry_after, not_sent},
        // final before sending
        {"certificate", facts(errc::certificate_verification_failed, before), image_call(),
         retry_action::finish, not_sent},
        {"proxy refused", facts(errc::proxy_error, before), image_call(), retry_action::finish,
         not_sent},
        {"file changed", facts(errc::file_changed, before), image_call(), retry_action::finish,
         not_sent},
        {"cancelled waiting", facts(boost::asio::error::operation_aborted, before), image_call(),
         retry_action::finish, not_sent},
        // sent whole, answer lost: not retried for image calls unless opted in
        {"first byte timeout (image)", facts(errc::first_byte_timeout, after), image_call(),
         retry_action::finish, unknown, true},
        {"request timeout (image)", facts(errc::request_timeout, after), image_call(),
         retry_action::finish, unknown, true},
        {"reset after send (image)", facts(errc::connection_closed, after), image_call(),
         retry_action::finish, unknown, true},
        {"reset after send (opt-in)", facts(errc::connection_closed, after), image_call(true),
         retry_action::retry_after, unknown},
        {"first byte timeout (download)", facts(errc::first_byte_timeout, after), download_call(),
         retry_action::retry_after, unknown},
        {"truncated body (image)", facts(errc::truncated_body, body, 200), image_call(),
         retry_action::finish, unknown, true},
        {"truncated body (opt-in)", facts(errc::truncated_body, body, 200), image_call(true),
         retry_action::retry_after, unknown},
        {"truncated body (download)", facts(errc::truncated_body, body, 200), download_call(),
         retry_action::retry_after, unknown},
        {"undecodable body", facts(errc::invalid_json, body, 200), image_call(true),
         retry_action::finish, unknown},
        {"body too large", facts(errc::body_too_large, body, 200), download_call(),
         retry_action::finish, unknown},
        {"cancelled mid-body", facts(boost::asio::error::operation_aborted, body, 200),
         image_call(true), retry_action::finish, unknown},
        // refused: the status decides
        {"429", facts(errc::rate_limited, response, 429), image_call(), retry_action::retry_after,
         refused},
        {"500", facts(errc::server_error, response, 500), image_call(), retry_action::retry_after,
         refused},
        {"503", facts(errc::server_error, response, 503), image_call(), retry_action::retry_after,
         refused},
        {"408", facts(errc::api_error, response, 408), image_call(), retry_action::retry_after,
         refused},
        {"409", facts(errc::conflict, response, 409), image_call(), retry_action::retry_after,
         refused},
        {"400", facts(errc::bad_request, response, 400), image_call(), retry_action::finish,
         refused},
        {"401", facts(errc::authentication_error, response, 401), image_call(),
         retry_action::finish, refused},
        {"404", facts(errc::not_found, response, 404), download_call(), retry_action::finish,
         refused},
    };
    for (const auto& r : rows) {
        retry_planner planner(r.settings);
        const auto d = planner.decide(r.facts, now, 0.0);
        BOOST_TEST_CONTEXT(r.name) {
            BOOST_TEST(to_string(d.action) == to_string(r.action));
            if (r.facts.error)
                BOOST_TEST(openai::to_string(d.outcome) == openai::to_string(r.outcome));
            BOOST_TEST(d.held_back_for_billing == r.held_back);
            BOOST_TEST(planner.attempts() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(x_should_retry_decides_over_the_status) {
    auto f = facts(errc::bad_request, attempt_stage::response, 400);
    f.headers.should_retry = "true";
    retry_planner yes(image_call());
    BOOST_TEST(to_string(yes.decide(f, now, 0.0).action) == "retry_after");
    f = facts(errc::server_error, attempt_stage::response, 503);
    f.headers.should_retry = "false";
    retry_planner no(image_call());
    BOOST_TEST(to_string(no.decide(f, now, 0.0).action) == "finish");
}

BOOST_AUTO_TEST_CASE(server_wait_is_honoured_within_the_cap) {
    auto f = facts(errc::rate_limited, attempt_stage::response, 429);
    f.headers.retry_after_ms = "1500";
    retry_planner planner(image_call());
    auto d = planner.decide(f, now, 0.9);
    BOOST_TEST(to_string(d.action) == "retry_after");
    BOOST_TEST(d.delay.count() == 1500); // the server's wait, no jitter
    BOOST_REQUIRE(d.server_retry_after.has_value());
    BOOST_TEST(d.server_retry_after->count() == 1500);

    // Longer than the caller's cap: the error is returned with the server's wait.
    auto capped = image_call();
    capped.max_retry_after = 1s;
    f.headers.retry_after_ms = "";
    f.headers.retry_after = "120";
    retry_planner strict(capped);
    d = strict.decide(f, now, 0.0);
    BOOST_TEST(to_string(d.action) == "finish");
    BOOST_REQUIRE(d.server_retry_after.has_value());
    BOOST_TEST(d.server_retry_after->count() == 120000);

    // An HTTP date.
    f.headers.retry_after = "Fri, 04 Dec 2026 12:00:02 GMT";
    retry_planner dated(image_call());
    d = dated.decide(f, now, 0.0);
    BOOST_TEST(d.delay.count() == 2000);
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_budget) {
    retry_settings s = image_call();
    s.max_retries = 3;
    s.initial_backoff = 100ms;
    s.max_backoff = 300ms;
    retry_planner planner(s);
    const auto f = facts(errc::server_error, attempt_stage::response, 500);
    std::vector<long long> delays;
    for (;;) {
        const auto d = planner.decide(f, now, 0.0);
        if (d.action == retry_action::finish)
            break;
        delays.push_back(d.delay.count());
    }
    BOOST_TEST(delays == (std::vector<long long>{100, 200, 300}), boost::test_tools::per_element());
    BOOST_TEST(planner.attempts() == 4u);
    BOOST_TEST(planner.retries() == 3u);

    // Jitter takes up to a quarter off.
    retry_planner jittered(s);
    BOOST_TEST(jittered.decide(f, now, 0.999).delay.count() == 75);

    // No retries at all.
    s.max_retries = 0;
    retry_planner none(s);
    BOOST_TEST(to_string(none.decide(f, now, 0.0).action) == "finish");
}

BOOST_AUTO_TEST_CASE(a_stale_kept_alive_connection_is_retried_once_without_counting) {
    auto stale = facts(errc::connection_closed, attempt_stage::after_send);
    stale.reused_connection = true;
    retry_settings s = download_call();
    s.max_retries = 0;
    retry_planner planner(s);
    auto d = planner.decide(stale, now, 0.0);
    BOOST_TEST(to_string(d.action) == "retry_fresh");
    BOOST_TEST(planner.retries() == 0u);
    // The second time it is an ordinary failure (and the budget is spent).
    d = planner.decide(stale, now, 0.0);
    BOOST_TEST(to_string(d.action) == "finish");
    BOOST_TEST(planner.attempts() == 2u);

    // Once the response had started, it is not a stale connection.
    auto started = stale;
    started.response_started = true;
    retry_planner second(s);
    BOOST_TEST(to_string(second.decide(started, now, 0.0).action) == "finish");

    // A fresh connection is not stale either.
    auto fresh = stale;
    fresh.reused_connection = false;
    retry_planner third(s);
    BOOST_TEST(to_string(third.decide(fresh, now, 0.0).action) == "finish");
}

BOOST_AUTO_TEST_CASE(a_stale_connection_of_an_image_call_follows_the_billing_rule) {
    auto stale = facts(errc::connection_closed, attempt_stage::after_send);
    stale.reused_connection = true;
    retry_planner strict(image_call());
    const auto d = strict.decide(stale, now, 0.0);
    BOOST_TEST(to_string(d.action) == "finish");
    BOOST_TEST(d.held_back_for_billing);
    retry_planner opted_in(image_call(true));
    BOOST_TEST(to_string(opted_in.decide(stale, now, 0.0).action) == "retry_fresh");
}

BOOST_AUTO_TEST_CASE(outcome_classes) {
    using openai::codec::outcome_of;
    BOOST_TEST(outcome_of(facts(errc::connect_failed, attempt_stage::before_send)) ==
               request_outcome::not_sent);
    BOOST_TEST(outcome_of(facts(errc::first_byte_timeout, attempt_stage::after_send)) ==
               request_outcome::unknown);
    BOOST_TEST(outcome_of(facts(errc::server_error, attempt_stage::response, 500)) ==
               request_outcome::refused);
    BOOST_TEST(outcome_of(facts(errc::truncated_body, attempt_stage::body, 200)) ==
               request_outcome::unknown);
    BOOST_TEST(!openai::codec::billing_hold_note().empty());
}

BOOST_AUTO_TEST_SUITE_END()
