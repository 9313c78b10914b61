/// What the HTTP layer of a response tells beyond its body: the request id to quote to support,
/// the rate-limit headers to pace a batch by, and how many attempts the call took.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace openai {

/// The x-ratelimit-* headers. Counts are unset when the header was absent or not a number; the
/// reset values are kept as sent ("1s", "6m0s").
struct rate_limits {
    std::optional<std::int64_t> limit_requests;
    std::optional<std::int64_t> remaining_requests;
    std::string reset_requests;
    std::optional<std::int64_t> limit_tokens;
    std::optional<std::int64_t> remaining_tokens;
    std::string reset_tokens;

    friend bool operator==(const rate_limits&, const rate_limits&) = default;
};

/// When each phase of a call happened, on the steady clock, for latency measurements (load tests,
/// dashboards). Recording costs a clock read per phase; a phase that did not happen stays at the
/// epoch (`time_point{}`), so `has(...)` tells. For a retried call the request and response phases
/// are those of the last attempt; `started` is the call's start.
struct phase_times {
    using clock = std::chrono::steady_clock;
    clock::time_point started;             ///< the operation began (before validation)
    clock::time_point request_written;     ///< the last byte of the request left (last attempt)
    clock::time_point response_head;       ///< the response head was parsed
    clock::time_point first_body_byte;     ///< the first byte of the body arrived
    clock::time_point first_partial_image; ///< streams: the first partial image event was decoded
    clock::time_point completed;           ///< the result was whole (unary: body decoded; stream:
                                           /// the completed event decoded)

    static bool has(clock::time_point t) noexcept { return t != clock::time_point{}; }

    friend bool operator==(const phase_times&, const phase_times&) = default;
};

struct response_metadata {
    int http_status = 0;
    std::string request_id; ///< x-request-id
    openai::rate_limits rate_limits;
    unsigned attempts = 0;                ///< 1 when the first try succeeded
    std::chrono::milliseconds elapsed{0}; ///< from the call to its completion, waits included
    phase_times times;                    ///< when each phase happened (see phase_times)

    friend bool operator==(const response_metadata&, const response_metadata&) = default;
};

} // namespace openai
