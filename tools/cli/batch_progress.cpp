#include "batch_progress.hpp"

#include <cmath>
#include <cstdio>

namespace openai::cli::batch {

void rate_meter::record(clock::time_point t) {
    times_.push_back(t);
    trim(t);
}

void rate_meter::trim(clock::time_point now) const {
    while (!times_.empty() && now - times_.front() > window_)
        times_.pop_front();
}

std::optional<double> rate_meter::per_second(clock::time_point now) const {
    trim(now);
    if (times_.size() < 2)
        return std::nullopt;
    const double span = std::chrono::duration<double>(now - times_.front()).count();
    if (span <= 0)
        return std::nullopt;
    // n completions after the first one, over the time since it.
    return static_cast<double>(times_.size() - 1) / span;
}

std::optional<std::chrono::seconds> eta(std::size_t remaining, std::optional<double> per_second) {
    if (remaining == 0)
        return std::chrono::seconds{0};
    if (!per_second || !(*per_second > 0))
        return std::nullopt;
    const double s = std::ceil(static_cast<double>(remaining) / *per_second);
    if (s > 1e9)
        return std::nullopt;
    return std::chrono::seconds(static_cast<std::int64_t>(s));
}

std::string format_duration(std::chrono::seconds d) {
    auto s = d.count() < 0 ? 0 : d.count();
    char buf[48];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                      static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    return buf;
}

std::string format_status(const progress_counts& c, std::optional<double> per_second) {
    std::string out = std::to_string(c.finished()) + "/" + std::to_string(c.total) + " done";
    if (c.failed > 0 || c.cancelled > 0) {
        out += " (" + std::to_string(c.failed) + " failed";
        if (c.cancelled > 0)
            out += ", " + std::to_string(c.cancelled) + " cancelled";
        out += ")";
    }
    if (c.skipped > 0)
        out += ", " + std::to_string(c.skipped) + " from earlier runs";
    out += ", " + std::to_string(c.in_flight) + " in flight";
    if (per_second) {
        char buf[32];
        std::snprintf(buf, sizeof buf, ", %.1f/s", *per_second);
        out += buf;
    }
    if (auto e = eta(c.remaining(), per_second); e && c.remaining() > 0)
        out += ", ETA " + format_duration(*e);
    return out;
}

boost::json::object status_json(const progress_counts& c, std::optional<double> per_second) {
    boost::json::object o{
        {"total", c.total},        {"done", c.finished()},     {"ok", c.ok},
        {"failed", c.failed},      {"cancelled", c.cancelled}, {"skipped", c.skipped},
        {"in_flight", c.in_flight}};
    o["rate_per_s"] = per_second ? boost::json::value(*per_second) : boost::json::value(nullptr);
    auto e = eta(c.remaining(), per_second);
    o["eta_s"] = e ? boost::json::value(e->count()) : boost::json::value(nullptr);
    return o;
}

} // namespace openai::cli::batch
