// Pacing of `openai-images batch`: rate limits as token buckets, and the gate that a rate-limited
// answer closes for every worker, not only the one that got it. Pure: the caller passes the time
// in and does the waiting, so all of it is tested without clocks or sockets.
#pragma once

#include <openai/response_metadata.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace openai::cli::batch {

using clock = std::chrono::steady_clock;

// A token bucket of `per_minute` tokens a minute holding at most `burst` tokens, in its virtual
// scheduling form (GCRA): reserve() books `cost` tokens and answers when they are there, and the
// next reservation starts from that booking. A request costing more than the burst goes when the
// bucket is full and leaves it in debt, so large requests are paced rather than refused.
//
// With burst 1 requests go exactly 60/per_minute seconds apart: over any window of T seconds at
// most 1 + T * per_minute / 60 start.
class rate_limiter {
public:
    rate_limiter() = default; // unlimited: every reservation may go at once
    explicit rate_limiter(double per_minute, double burst = 1.0);

    bool limited() const noexcept { return per_second_ > 0; }

    // Books `cost` tokens for the earliest time they are available (never before `now`) and
    // returns that time.
    clock::time_point reserve(double cost, clock::time_point now);

private:
    double per_second_ = 0;
    double burst_ = 1;
    // When the bucket is full again, given every booking so far.
    clock::time_point full_at_{};
};

// Closed by a rate-limited answer until the time the server asked for; new requests wait for it
// to open. Pauses only ever extend: a shorter one never reopens the gate early.
class pause_gate {
public:
    // Keeps the gate closed until at least `until`.
    void pause_until(clock::time_point until) noexcept;

    bool is_open(clock::time_point now) const noexcept { return now >= closed_until_; }
    // When the gate opens (a time in the past when it is open).
    clock::time_point opens_at() const noexcept { return closed_until_; }
    unsigned pauses() const noexcept { return pauses_; }

private:
    clock::time_point closed_until_{};
    unsigned pauses_ = 0;
};

// A reset value of the x-ratelimit-reset-* headers: "1s", "6m0s", "20ms", "1h2m3.5s", "0.5s".
// nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_reset(std::string_view text);

// How long everyone should hold back after a response with these rate-limit headers: until the
// reset of an exhausted limit (remaining 0), or nothing.
std::optional<std::chrono::milliseconds> exhausted_limit_pause(const rate_limits& limits);

// The pause after a 429: what the server asked (retry-after), or `fallback` when it asked
// nothing, at most `cap`.
std::chrono::milliseconds
rate_limited_pause(std::optional<std::chrono::milliseconds> asked,
                   std::chrono::milliseconds fallback = std::chrono::seconds{1},
                   std::chrono::milliseconds cap = std::chrono::seconds{60});

} // namespace openai::cli::batch
