#include "batch_pacing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace openai::cli::batch {

namespace {

clock::duration seconds_to_duration(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

} // namespace

rate_limiter::rate_limiter(double per_minute, double burst)
    : per_second_(per_minute > 0 ? per_minute / 60.0 : 0)
    , burst_(burst >= 1 ? burst : 1) {}

clock::time_point rate_limiter::reserve(double cost, clock::time_point now) {
    if (!limited())
        return now;
    if (cost < 0)
        cost = 0;
    // The bucket holds burst - (full_at - now) * rate tokens; `cost` of them (or a full bucket
    // when cost exceeds the burst) are there from full_at - (burst - cost) / rate on.
    const clock::time_point full = std::max(full_at_, now);
    const double spare = std::max(0.0, burst_ - cost);
    const clock::time_point start = std::max(now, full - seconds_to_duration(spare / per_second_));
    full_at_ = std::max(full_at_, start) + seconds_to_duration(cost / per_second_);
    return start;
}

void pause_gate::pause_until(clock::time_point until) noexcept {
    if (until > closed_until_) {
        closed_until_ = until;
        ++pauses_;
    }
}

std::optional<std::chrono::milliseconds> parse_reset(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    double total_ms = 0;
    while (!text.empty()) {
        double value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || value < 0 || !std::isfinite(value))
            return std::nullopt;
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
        double unit_ms = 0;
        if (text.starts_with("ms")) {
            unit_ms = 1;
            text.remove_prefix(2);
        } else if (text.starts_with("h")) {
            unit_ms = 3600e3;
            text.remove_prefix(1);
        } else if (text.starts_with("m")) {
            unit_ms = 60e3;
            text.remove_prefix(1);
        } else if (text.starts_with("s")) {
            unit_ms = 1e3;
            text.remove_prefix(1);
        } else {
            return std::nullopt; // a bare number or an unknown unit
        }
        total_ms += value * unit_ms;
    }
    if (total_ms > 86400e3)
        return std::nullopt; // a day or more is not a pause anyone meant
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(total_ms)));
}

std::optional<std::chrono::milliseconds> exhausted_limit_pause(const rate_limits& limits) {
    std::optional<std::chrono::milliseconds> pause;
    auto consider = [&](const std::optional<std::int64_t>& remaining, std::string_view reset) {
        if (!remaining || *remaining > 0)
            return;
        if (auto d = parse_reset(reset); d && (!pause || *d > *pause))
            pause = *d;
    };
    consider(limits.remaining_requests, limits.reset_requests);
    consider(limits.remaining_tokens, limits.reset_tokens);
    return pause;
}

std::chrono::milliseconds rate_limited_pause(std::optional<std::chrono::milliseconds> asked,
                                             std::chrono::milliseconds fallback,
                                             std::chrono::milliseconds cap) {
    auto pause = asked && asked->count() > 0 ? *asked : fallback;
    return std::min(pause, cap);
}

} // namespace openai::cli::batch
