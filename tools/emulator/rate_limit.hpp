// The API's rate-limit headers (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`), kept
// over one-minute windows. The emulator only reports; it never refuses (faults do that).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace openai::emulator {

class rate_limits {
public:
    using clock = std::chrono::steady_clock;

    rate_limits(std::uint64_t requests_per_minute, std::uint64_t tokens_per_minute)
        : limit_requests_(requests_per_minute)
        , limit_tokens_(tokens_per_minute) {}

    /// Counts one request using `tokens` at `now` and returns the headers to send with it.
    std::vector<std::pair<std::string, std::string>> record(clock::time_point now,
                                                            std::uint64_t tokens);

private:
    std::mutex mutex_;
    std::uint64_t limit_requests_;
    std::uint64_t limit_tokens_;
    clock::time_point window_start_{};
    bool started_ = false;
    std::uint64_t requests_ = 0;
    std::uint64_t tokens_ = 0;
};

/// A reset duration as the API writes it: "120ms", "1.5s", "6m0s", "1h2m3s".
std::string format_reset(std::chrono::milliseconds d);

} // namespace openai::emulator
