// What the HTTP layer of a response tells beyond its body: the request id to quote to support,
// the rate-limit headers to pace a batch by, and how many attempts the call took.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace openai {

// The x-ratelimit-* headers. Counts are unset when the header was absent or not a number; the
// reset values are kept as sent ("1s", "6m0s").
struct rate_limits {
    std::optional<std::int64_t> limit_requests;
    std::optional<std::int64_t> remaining_requests;
    std::string reset_requests;
    std::optional<std::int64_t> limit_tokens;
    std::optional<std::int64_t> remaining_tokens;
    std::string reset_tokens;

    friend bool operator==(const rate_limits&, const rate_limits&) = default;
};

struct response_metadata {
    int http_status = 0;
    std::string request_id; // x-request-id
    openai::rate_limits rate_limits;
    unsigned attempts = 0;                // 1 when the first try succeeded
    std::chrono::milliseconds elapsed{0}; // from the call to its completion, waits included

    friend bool operator==(const response_metadata&, const response_metadata&) = default;
};

} // namespace openai
