#include "loadtest_slo.hpp"

#include "loadtest_schedule.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace openai::cli::loadtest {
namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return std::string(s);
}

std::optional<double> to_number(std::string_view s) {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

bool is_duration_metric(slo_term::metric m) {
    return m == slo_term::metric::percentile || m == slo_term::metric::mean ||
           m == slo_term::metric::max;
}

} // namespace

std::optional<std::vector<slo_term>> parse_slo(std::string_view text, std::string& error) {
    std::vector<slo_term> terms;
    std::string_view rest = text;
    if (trim(text).empty()) {
        error = "--slo is empty; e.g. --slo 'p99(complete)<30s,errors<1%'";
        return std::nullopt;
    }
    while (true) {
        const auto comma = rest.find(',');
        slo_term t;
        t.text = trim(rest.substr(0, comma));
        auto fail = [&](const std::string& why) -> std::optional<std::vector<slo_term>> {
            error = "--slo term '" + t.text + "': " + why;
            return std::nullopt;
        };
        const auto op_at = t.text.find_first_of("<>");
        if (op_at == std::string::npos || op_at == 0)
            return fail("needs METRIC<VALUE or METRIC>VALUE, e.g. p99(complete)<30s");
        const std::string lhs = trim(std::string_view(t.text).substr(0, op_at));
        const bool equal = op_at + 1 < t.text.size() && t.text[op_at + 1] == '=';
        t.op = t.text[op_at] == '<'
                   ? (equal ? slo_term::comparison::less_equal : slo_term::comparison::less)
                   : (equal ? slo_term::comparison::greater_equal : slo_term::comparison::greater);
        const std::string rhs = trim(std::string_view(t.text).substr(op_at + (equal ? 2 : 1)));

        if (lhs == "errors") {
            t.what = slo_term::metric::errors;
        } else if (lhs == "throughput") {
            t.what = slo_term::metric::throughput;
        } else if (lhs == "ipm") {
            t.what = slo_term::metric::ipm;
        } else {
            const auto open = lhs.find('(');
            if (open == std::string::npos || lhs.back() != ')')
                return fail("unknown metric '" + lhs +
                            "' (pQ(PHASE), mean(PHASE), max(PHASE), errors, throughput, ipm)");
            const std::string fn = lhs.substr(0, open);
            t.phase = lhs.substr(open + 1, lhs.size() - open - 2);
            if (!known_phase(t.phase))
                return fail("unknown phase '" + t.phase +
                            "' (head, first_partial, partial_gap, complete, queue, "
                            "service_head, service_first_partial, service_complete)");
            if (fn == "mean") {
                t.what = slo_term::metric::mean;
            } else if (fn == "max") {
                t.what = slo_term::metric::max;
            } else if (fn.size() > 1 && fn[0] == 'p') {
                auto q = to_number(std::string_view(fn).substr(1));
                if (!q || *q <= 0 || *q > 100)
                    return fail("'" + fn + "' is not a percentile (p50, p99, p99.9)");
                t.quantile = *q;
            } else {
                return fail("unknown function '" + fn + "' (pQ, mean, max)");
            }
        }
        if (is_duration_metric(t.what)) {
            auto d = parse_duration(rhs);
            // A bare number is ambiguous for a latency: ask for the unit.
            if (!d || to_number(rhs))
                return fail("'" + rhs + "' is not a duration with a unit (30s, 500ms, 2m)");
            t.threshold = static_cast<double>(d->count()) / 1e9;
        } else if (t.what == slo_term::metric::errors) {
            std::string v = rhs;
            double scale = 1;
            if (!v.empty() && v.back() == '%') {
                v.pop_back();
                scale = 0.01;
            }
            auto n = to_number(v);
            if (!n || *n < 0 || *n * scale > 1)
                return fail("'" + rhs + "' is not a ratio (1%, 0.01)");
            t.threshold = *n * scale;
        } else {
            auto n = to_number(rhs);
            if (!n || *n < 0)
                return fail("'" + rhs + "' is not a number");
            t.threshold = *n;
        }
        terms.push_back(std::move(t));
        if (comma == std::string_view::npos)
            break;
        rest = rest.substr(comma + 1);
    }
    return terms;
}

std::string slo_verdict::describe() const {
    std::string out = term->text + ": " + (met ? "met" : "NOT met");
    if (!measured)
        return out + " (nothing measured)";
    char buf[64];
    switch (term->what) {
    case slo_term::metric::percentile:
    case slo_term::metric::mean:
    case slo_term::metric::max:
        return out + " (measured " +
               format_duration(std::chrono::nanoseconds(
                   static_cast<std::int64_t>(std::llround(*measured * 1e9)))) +
               ")";
    case slo_term::metric::errors:
        std::snprintf(buf, sizeof buf, " (measured %.3g%%)", *measured * 100);
        return out + buf;
    case slo_term::metric::throughput:
    case slo_term::metric::ipm:
        break;
    }
    std::snprintf(buf, sizeof buf, " (measured %.4g)", *measured);
    return out + buf;
}

std::vector<slo_verdict> evaluate(const std::vector<slo_term>& terms, const summary& s) {
    std::vector<slo_verdict> out;
    for (const auto& t : terms) {
        slo_verdict v;
        v.term = &t;
        switch (t.what) {
        case slo_term::metric::percentile:
        case slo_term::metric::mean:
        case slo_term::metric::max: {
            const auto& h = s.histogram(t.phase);
            if (h.empty())
                break;
            const double us = t.what == slo_term::metric::mean ? h.mean_us()
                              : t.what == slo_term::metric::max
                                  ? static_cast<double>(h.max().count())
                                  : static_cast<double>(h.percentile(t.quantile).count());
            v.measured = us / 1e6;
            break;
        }
        case slo_term::metric::errors:
            if (s.sent() > 0)
                v.measured = s.error_ratio();
            break;
        case slo_term::metric::throughput:
            v.measured = s.throughput_per_second();
            break;
        case slo_term::metric::ipm:
            v.measured = s.images_per_minute();
            break;
        }
        if (v.measured) {
            const double m = *v.measured;
            switch (t.op) {
            case slo_term::comparison::less:
                v.met = m < t.threshold;
                break;
            case slo_term::comparison::less_equal:
                v.met = m <= t.threshold;
                break;
            case slo_term::comparison::greater:
                v.met = m > t.threshold;
                break;
            case slo_term::comparison::greater_equal:
                v.met = m >= t.threshold;
                break;
            }
        }
        out.push_back(v);
    }
    return out;
}

} // namespace openai::cli::loadtest
