#include "loadtest_schedule.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace openai::cli::loadtest {
namespace {

std::optional<double> to_number(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return std::string(s);
}

// A rate per second from "10", "10/s", "30/m", "30/min".
std::optional<double> parse_rate(std::string_view s) {
    double scale = 1.0;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        const auto unit = s.substr(slash + 1);
        if (unit == "m" || unit == "min")
            scale = 1.0 / 60.0;
        else if (unit != "s")
            return std::nullopt;
        s = s.substr(0, slash);
    }
    auto v = to_number(s);
    if (!v)
        return std::nullopt;
    return *v * scale;
}

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

std::optional<nanoseconds> parse_duration(std::string_view text) {
    std::string t = trim(text);
    if (t.empty())
        return std::nullopt;
    if (auto plain = to_number(t)) {
        if (*plain < 0)
            return std::nullopt;
        return nanoseconds(static_cast<std::int64_t>(std::llround(*plain * 1e9)));
    }
    // A sequence of NUMBER UNIT pairs: "1m30s", "1.5s", "250ms".
    double total = 0;
    std::string_view s = t;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
            ++i;
        auto number = to_number(s.substr(0, i));
        if (!number)
            return std::nullopt;
        s.remove_prefix(i);
        std::size_t j = 0;
        while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])))
            ++j;
        const auto unit = s.substr(0, j);
        s.remove_prefix(j);
        double scale = 0;
        if (unit == "ms")
            scale = 1e-3;
        else if (unit == "us")
            scale = 1e-6;
        else if (unit == "s")
            scale = 1;
        else if (unit == "m" || unit == "min")
            scale = 60;
        else if (unit == "h")
            scale = 3600;
        else
            return std::nullopt;
        total += *number * scale;
    }
    return nanoseconds(static_cast<std::int64_t>(std::llround(total * 1e9)));
}

std::string format_duration(nanoseconds d) {
    const double s = static_cast<double>(d.count()) / 1e9;
    char buf[48];
    if (s < 1e-3)
        std::snprintf(buf, sizeof buf, "%.0f us", s * 1e6);
    else if (s < 1.0)
        std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
    else if (s < 120.0)
        std::snprintf(buf, sizeof buf, "%.3g s", s);
    else
        std::snprintf(buf, sizeof buf, "%.3g min", s / 60.0);
    return buf;
}

std::optional<nanoseconds> rate_schedule::length() const {
    nanoseconds total{0};
    for (const auto& s : steps) {
        if (!s.length)
            return std::nullopt;
        total += *s.length;
    }
    return total;
}

std::string rate_schedule::describe() const {
    std::string out;
    for (const auto& s : steps) {
        if (!out.empty())
            out += ", then ";
        out += s.from == s.to ? number_text(s.from) + "/s"
                              : number_text(s.from) + "/s rising to " + number_text(s.to) + "/s";
        if (s.length)
            out += " for " + format_duration(*s.length);
    }
    return out;
}

std::optional<rate_schedule> parse_rate_schedule(std::string_view text, std::string& error) {
    rate_schedule schedule;
    const std::string all = trim(text);
    auto fail = [&](const std::string& why) -> std::optional<rate_schedule> {
        error = "--rate '" + all + "': " + why;
        return std::nullopt;
    };
    if (all.empty())
        return fail("empty; give a rate per second (10), a step schedule (1:60s,2:60s) or a "
                    "ramp (1..8:2m)");
    std::string_view rest = all;
    while (true) {
        const auto comma = rest.find(',');
        const std::string item = trim(rest.substr(0, comma));
        if (item.empty())
            return fail("an empty step (two commas, or a trailing comma)");
        rate_step step;
        std::string rate_text = item;
        if (auto colon = item.find(':'); colon != std::string::npos) {
            rate_text = trim(item.substr(0, colon));
            const std::string len_text = trim(item.substr(colon + 1));
            auto len = parse_duration(len_text);
            if (!len || len->count() <= 0)
                return fail("'" + len_text + "' is not a duration (30s, 500ms, 2m, 1h)");
            step.length = *len;
        }
        if (auto dots = rate_text.find(".."); dots != std::string::npos) {
            auto from = parse_rate(trim(rate_text.substr(0, dots)));
            auto to = parse_rate(trim(rate_text.substr(dots + 2)));
            if (!from || !to)
                return fail("'" + rate_text + "' is not a ramp (FROM..TO requests per second)");
            if (*from < 0 || *to < 0 || (*from == 0 && *to == 0))
                return fail("a ramp's rates must be 0 or more and not both 0, not '" + rate_text +
                            "'");
            if (!step.length)
                return fail("the ramp '" + rate_text + "' needs a length (" + rate_text + ":60s)");
            step.from = *from;
            step.to = *to;
        } else {
            auto r = parse_rate(rate_text);
            if (!r)
                return fail("'" + rate_text + "' is not a rate (requests per second, or N/m)");
            if (*r <= 0)
                return fail("the rate must be above 0, not '" + rate_text + "'");
            step.from = step.to = *r;
        }
        schedule.steps.push_back(step);
        if (comma == std::string_view::npos)
            break;
        rest = rest.substr(comma + 1);
    }
    for (std::size_t i = 0; i + 1 < schedule.steps.size(); ++i)
        if (!schedule.steps[i].length)
            return fail("every step but the last needs a length (RATE:DURATION)");
    return schedule;
}

std::optional<arrival_model> parse_arrival(std::string_view text) {
    if (text == "constant")
        return arrival_model::constant;
    if (text == "poisson")
        return arrival_model::poisson;
    return std::nullopt;
}

arrival_generator::arrival_generator(rate_schedule schedule, arrival_model model,
                                     std::optional<nanoseconds> total, std::uint64_t seed)
    : model_(model)
    , rng_(seed) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double limit = total ? static_cast<double>(total->count()) / 1e9 : inf;
    double start = 0;
    for (std::size_t i = 0; i < schedule.steps.size() && start < limit; ++i) {
        const auto& s = schedule.steps[i];
        const bool last = i + 1 == schedule.steps.size();
        double len = s.length ? static_cast<double>(s.length->count()) / 1e9 : inf;
        double r1 = s.to;
        if (start + len > limit) {
            // Cut inside this step: a ramp ends at its rate at the cut.
            const double cut = limit - start;
            r1 = s.from + (s.to - s.from) * (cut / len);
            len = cut;
        }
        segments_.push_back({s.from, r1, start, len, 0});
        start += len;
        if (last && total && start < limit) { // the last rate holds until `total`
            segments_.push_back({s.to, s.to, start, limit - start, 0});
            start = limit;
        }
    }
    for (auto& seg : segments_)
        seg.mass = std::isinf(seg.length) ? inf : (seg.r0 + seg.r1) / 2.0 * seg.length;
    if (start < inf)
        end_ = nanoseconds(static_cast<std::int64_t>(std::llround(start * 1e9)));
    if (model_ == arrival_model::poisson)
        target_ = std::exponential_distribution<double>(1.0)(rng_);
}

std::optional<nanoseconds> arrival_generator::next() {
    if (!first_) {
        if (model_ == arrival_model::constant)
            target_ += 1.0;
        else
            target_ += std::exponential_distribution<double>(1.0)(rng_);
    }
    first_ = false;
    while (index_ < segments_.size()) {
        const segment& seg = segments_[index_];
        const double y = target_ - mass_before_;
        if (y < seg.mass) {
            // Solve r0 t + (r1 - r0) t^2 / (2 L) = y in its cancellation-free form.
            double t = 0;
            if (y > 0) {
                const double a =
                    std::isinf(seg.length) ? 0.0 : (seg.r1 - seg.r0) / (2 * seg.length);
                t = 2 * y / (seg.r0 + std::sqrt(std::max(0.0, seg.r0 * seg.r0 + 4 * a * y)));
            }
            t = std::min(t, seg.length);
            return nanoseconds(static_cast<std::int64_t>(std::llround((seg.start + t) * 1e9)));
        }
        mass_before_ += seg.mass;
        ++index_;
    }
    return std::nullopt;
}

} // namespace openai::cli::loadtest
