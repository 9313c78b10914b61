// When to retry a failed attempt and how long to wait: the SDKs' rules, as pure functions.
//
// Retry on connection errors, 408, 409, 429 and 5xx, unless the server says otherwise with
// `x-should-retry`. Wait what the server asks (`retry-after-ms`, then `retry-after` as seconds or
// an HTTP date) when that is within the caller's cap; otherwise back off exponentially with jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace openai::codec {

// The response headers the decision looks at; empty views mean "absent".
struct retry_headers {
    std::string_view should_retry;   // x-should-retry: "true" / "false"
    std::string_view retry_after_ms; // retry-after-ms: milliseconds, may be fractional
    std::string_view retry_after;    // retry-after: seconds, or an HTTP date
};

// Whether a response with this status (0 for a connection error, no response) may be retried.
bool is_retryable_status(int http_status, const retry_headers& headers) noexcept;

// The wait the server asked for, if it asked in a form we understand. `now` is needed to turn an
// HTTP date into a delay; a date in the past yields zero.
std::optional<std::chrono::milliseconds>
server_retry_delay(const retry_headers& headers, std::chrono::system_clock::time_point now);

// Exponential backoff before retry number `retry` (0-based): min(initial * 2^retry, max), then
// reduced by up to 25 % jitter. `unit_random` is uniform in [0, 1).
std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, double unit_random) noexcept;

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as HTTP requires senders to use.
std::optional<std::chrono::system_clock::time_point>
parse_http_date(std::string_view text) noexcept;

} // namespace openai::codec
