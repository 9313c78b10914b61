#include "emulator/rate_limit.hpp"

#include <algorithm>

namespace openai::emulator {

std::string format_reset(std::chrono::milliseconds d) {
    long long ms = std::max<long long>(0, d.count());
    if (ms < 1000)
        return std::to_string(ms) + "ms";
    if (ms < 60'000) {
        std::string s = std::to_string(ms / 1000);
        long long frac = ms % 1000;
        if (frac != 0) {
            std::string f = std::to_string(1000 + frac).substr(1);
            while (f.back() == '0')
                f.pop_back();
            s += "." + f;
        }
        return s + "s";
    }
    long long secs = ms / 1000;
    std::string out;
    if (secs >= 3600)
        out += std::to_string(secs / 3600) + "h";
    out += std::to_string(secs % 3600 / 60) + "m" + std::to_string(secs % 60) + "s";
    return out;
}

std::vector<std::pair<std::string, std::string>> rate_limits::record(clock::time_point now,
                                                                     std::uint64_t tokens) {
    using namespace std::chrono;
    std::lock_guard lock(mutex_);
    if (!started_ || now - window_start_ >= minutes(1)) {
        started_ = true;
        window_start_ = now;
        requests_ = 0;
        tokens_ = 0;
    }
    ++requests_;
    tokens_ += tokens;
    auto left = duration_cast<milliseconds>(window_start_ + minutes(1) - now);
    auto remaining = [](std::uint64_t limit, std::uint64_t used) {
        return std::to_string(used >= limit ? 0 : limit - used);
    };
    // The API refills continuously; the time until one more request (or the used tokens) is
    // available again is about the used share of the window.
    auto reset_for = [&](std::uint64_t limit, std::uint64_t used) {
        if (limit == 0)
            return format_reset(left);
        auto per_unit = duration_cast<milliseconds>(minutes(1)) / static_cast<double>(limit);
        auto d = duration_cast<milliseconds>(per_unit * static_cast<double>(std::min(used, limit)));
        return format_reset(std::min(d, left));
    };
    return {
        {"x-ratelimit-limit-requests", std::to_string(limit_requests_)},
        {"x-ratelimit-limit-tokens", std::to_string(limit_tokens_)},
        {"x-ratelimit-remaining-requests", remaining(limit_requests_, requests_)},
        {"x-ratelimit-remaining-tokens", remaining(limit_tokens_, tokens_)},
        {"x-ratelimit-reset-requests", reset_for(limit_requests_, 1)},
        {"x-ratelimit-reset-tokens", reset_for(limit_tokens_, tokens_)},
    };
}

} // namespace openai::emulator
