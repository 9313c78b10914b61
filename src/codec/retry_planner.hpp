// The retry decision of one request, as a socket-free state machine: the operation's coroutine
// reports what happened to each attempt, and the planner answers "retry now on a fresh
// connection", "wait D, then retry" or "finish with this error". Every rule of when a request may
// be sent again lives here, so that it is tested without a socket (test/unit/retry_planner_test).
//
// Billing safety: every failure gets an outcome (openai::request_outcome). A request that left
// whole and then lost its answer (`unknown`) may have been processed; for calls that create images
// it is retried only when the caller opted in, because the first generation may have been billed.
//
// Not thread-safe; one planner per call, used by its coroutine alone.
#pragma once

#include "codec/retry_rules.hpp"

#include <openai/request_error.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace openai::codec {

// Where an attempt stopped.
enum class attempt_stage : std::uint8_t {
    before_send, // the request did not leave whole: waiting for a connection, resolve, connect,
                 // proxy CONNECT, TLS handshake, or a write cut short
    after_send,  // the request left whole; no response head arrived
    response,    // a non-2xx response head arrived (`http_status`)
    body,        // a 2xx response head arrived; its body could not be read or used
};

// What the coroutine saw of one attempt.
struct attempt_facts {
    boost::system::error_code error; // empty: the attempt succeeded
    attempt_stage stage = attempt_stage::before_send;
    int http_status = 0;
    retry_headers headers;          // of the response, when one arrived; views read in decide()
    bool reused_connection = false; // sent over a kept-alive connection
    bool response_started = false;  // any byte of a response arrived
};

struct retry_settings {
    unsigned max_retries = 2; // retries after the first attempt
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{8000};
    std::chrono::milliseconds max_retry_after{60000}; // a longer server-asked wait: no retry
    bool creates_images = false;        // the request is billed (generation, edit, variation)
    bool retry_unknown_outcome = false; // the caller accepts paying twice for a lost answer
};

enum class retry_action : std::uint8_t {
    finish,      // done: success, or the error is final
    retry_fresh, // send again now on a new connection (a kept-alive one went stale); not counted
    retry_after, // wait `delay`, then send again (counted against max_retries)
};

struct retry_decision {
    retry_action action = retry_action::finish;
    std::chrono::milliseconds delay{0};
    request_outcome outcome = request_outcome::not_sent; // of this attempt, when it failed
    // The wait the server asked for, in a form understood (for error_info::retry_after).
    std::optional<std::chrono::milliseconds> server_retry_after;
    // The failure could have been retried but for billing safety (an `unknown` outcome of a
    // call that creates images): the message should say so.
    bool held_back_for_billing = false;
};

// The outcome class of a failed attempt.
request_outcome outcome_of(const attempt_facts& facts) noexcept;

// Whether the failure is of a kind a retry may cure, ignoring the retry budget and billing.
bool is_retryable(const attempt_facts& facts) noexcept;

class retry_planner {
public:
    explicit retry_planner(const retry_settings& settings) noexcept
        : settings_(settings) {}

    // The decision after one attempt. `now` turns a retry-after date into a wait;
    // `unit_random` (uniform in [0, 1)) is the backoff's jitter.
    retry_decision decide(const attempt_facts& facts, std::chrono::system_clock::time_point now,
                          double unit_random);

    // Attempts decided so far (stale-connection retries included).
    unsigned attempts() const noexcept { return attempts_; }
    // Counted retries granted so far.
    unsigned retries() const noexcept { return retries_; }

private:
    retry_settings settings_;
    unsigned attempts_ = 0;
    unsigned retries_ = 0;
    bool stale_retry_used_ = false;
};

// The sentence added to a failure that was not retried for billing safety.
std::string_view billing_hold_note() noexcept;

} // namespace openai::codec
