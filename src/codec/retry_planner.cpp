#include "codec/retry_planner.hpp"

#include <openai/error.hpp>

#include <boost/system/errc.hpp>

namespace openai::codec {
namespace {

// Transport failures a new attempt may cure: the request may not have reached the server, or
// its answer was lost. Certificate problems, proxy refusals and our own refusals are final.
bool is_retryable_transport(const boost::system::error_code& ec) noexcept {
    return ec == errc::connection_closed || ec == errc::connect_failed ||
           ec == errc::resolve_failed || ec == errc::truncated_body ||
           ec == errc::tls_handshake_failed || ec == errc::connect_timeout ||
           ec == errc::tls_handshake_timeout || ec == errc::write_timeout ||
           ec == errc::first_byte_timeout || ec == errc::request_timeout;
}

// A 2xx body that broke off; decoding errors, size limits and file errors are final.
bool is_retryable_body(const boost::system::error_code& ec) noexcept {
    return ec == errc::connection_closed || ec == errc::truncated_body ||
           ec == errc::request_timeout;
}

bool is_cancellation(const boost::system::error_code& ec) noexcept {
    // asio::error::operation_aborted is ECANCELED in the system category; codec has no Asio.
    return ec == boost::system::errc::operation_canceled;
}

} // namespace

request_outcome outcome_of(const attempt_facts& facts) noexcept {
    switch (facts.stage) {
    case attempt_stage::before_send:
        return request_outcome::not_sent;
    case attempt_stage::response:
        return request_outcome::refused;
    case attempt_stage::after_send:
    case attempt_stage::body:
        break;
    }
    return request_outcome::unknown;
}

bool is_retryable(const attempt_facts& facts) noexcept {
    if (!facts.error || is_cancellation(facts.error))
        return false;
    switch (facts.stage) {
    case attempt_stage::before_send:
    case attempt_stage::after_send:
        return is_retryable_transport(facts.error);
    case attempt_stage::response:
        return is_retryable_status(facts.http_status, facts.headers);
    case attempt_stage::body:
        return is_retryable_body(facts.error);
    }
    return false;
}

retry_decision retry_planner::decide(const attempt_facts& facts,
                                     std::chrono::system_clock::time_point now,
                                     double unit_random) {
    ++attempts_;
    retry_decision decision;
    if (!facts.error)
        return decision;
    decision.outcome = outcome_of(facts);
    if (facts.stage == attempt_stage::response)
        decision.server_retry_after = server_retry_delay(facts.headers, now);
    if (is_cancellation(facts.error))
        return decision;

    const bool billing_allows = decision.outcome != request_outcome::unknown ||
                                !settings_.creates_images || settings_.retry_unknown_outcome;

    // A kept-alive connection the server had already closed: once more on a new one, without
    // counting it against the retries.
    const bool stale = facts.reused_connection && facts.stage == attempt_stage::after_send &&
                       facts.error == errc::connection_closed && !facts.response_started;
    if (stale && !stale_retry_used_ && billing_allows) {
        stale_retry_used_ = true;
        decision.action = retry_action::retry_fresh;
        return decision;
    }

    if (!is_retryable(facts))
        return decision;
    if (!billing_allows) {
        decision.held_back_for_billing = true;
        return decision;
    }
    if (retries_ >= settings_.max_retries)
        return decision;
    if (decision.server_retry_after) {
        if (*decision.server_retry_after > settings_.max_retry_after)
            return decision; // the server wants a longer wait than the caller allows
        decision.delay = *decision.server_retry_after;
    } else {
        decision.delay =
            backoff_delay(retries_, settings_.initial_backoff, settings_.max_backoff, unit_random);
    }
    ++retries_;
    decision.action = retry_action::retry_after;
    return decision;
}

std::string_view billing_hold_note() noexcept {
    return "; the request reached the server and may have been processed and billed, so it was "
           "not sent again (client_config::retry.unknown_outcome or "
           "request_options::retry_unknown_outcome allows it)";
}

} // namespace openai::codec
