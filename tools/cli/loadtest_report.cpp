#include "loadtest_report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace openai::cli::loadtest {
namespace {

constexpr double report_quantiles[] = {50, 90, 95, 99, 99.9};

std::string ms(double us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", us / 1000.0);
    return buf;
}

std::string pad_left(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string table_row(const std::string& label, const latency_histogram& h) {
    std::string row = "  " + pad_right(label, 26) + pad_left(std::to_string(h.count()), 7);
    row += pad_left(ms(h.mean_us()), 10);
    for (double q : report_quantiles)
        row += pad_left(ms(static_cast<double>(h.percentile(q).count())), 10);
    row += pad_left(ms(static_cast<double>(h.max().count())), 10);
    return row + "\n";
}

// Milliseconds with three decimals from `origin`; empty for an absent time.
std::string offset_ms(clock::time_point t, clock::time_point origin) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f",
                  std::chrono::duration<double, std::milli>(t - origin).count());
    return buf;
}

std::string opt_ms(const std::optional<clock::time_point>& t, clock::time_point origin) {
    return t ? offset_ms(*t, origin) : std::string();
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + "\"";
}

std::string limits_text(const rate_limits& l) {
    auto part = [](const char* what, const std::optional<std::int64_t>& remaining,
                   const std::optional<std::int64_t>& limit, const std::string& reset) {
        std::string s = what;
        s += " ";
        s += remaining ? std::to_string(*remaining) : "?";
        s += "/";
        s += limit ? std::to_string(*limit) : "?";
        if (!reset.empty())
            s += " (reset " + reset + ")";
        return s;
    };
    return part("requests", l.remaining_requests, l.limit_requests, l.reset_requests) + ", " +
           part("tokens", l.remaining_tokens, l.limit_tokens, l.reset_tokens);
}

} // namespace

std::string format_report(const summary& s, const std::string& run_line) {
    std::string out = run_line + "\n\n";
    std::string head = "  " + pad_right("phase (ms)", 26) + pad_left("count", 7) +
                       pad_left("mean", 10) + pad_left("p50", 10) + pad_left("p90", 10) +
                       pad_left("p95", 10) + pad_left("p99", 10) + pad_left("p99.9", 10) +
                       pad_left("max", 10) + "\n";
    out += head;
    auto section = [&](const char* title, std::initializer_list<std::string_view> names) {
        std::string rows;
        for (auto name : names)
            for (const auto& p : phases())
                if (p.name == name && !s.histogram(name).empty())
                    rows += table_row(std::string(p.label), s.histogram(name));
        if (!rows.empty())
            out += std::string(title) + "\n" + rows;
    };
    section("latency from the intended start (coordinated omission corrected):",
            {"head", "first_partial", "complete"});
    section("service time from the send:",
            {"service_head", "service_first_partial", "service_complete"});
    section("other:", {"partial_gap", "queue"});

    char buf[256];
    out += "\nrequests: " + std::to_string(s.sent()) + " measured, " + std::to_string(s.ok()) +
           " ok, " + std::to_string(s.failed()) + " failed";
    if (s.warmup() > 0)
        out += " (" + std::to_string(s.warmup()) + " warm-up requests excluded)";
    out += "\noutcomes:";
    for (const auto& [name, n] : s.outcomes())
        out += " " + name + " " + std::to_string(n);
    if (s.outcomes().empty())
        out += " none";
    out += "\narrivals that waited for --max-in-flight: " + std::to_string(s.waited()) + "\n";
    std::snprintf(buf, sizeof buf,
                  "throughput: %.3g ok/s over %.3g s; images per minute: %.4g; errors: %.3g%%\n",
                  s.throughput_per_second(), s.window_seconds(), s.images_per_minute(),
                  s.error_ratio() * 100.0);
    out += buf;
    out += "rate limits last seen: " +
           (s.last_rate_limits() ? limits_text(*s.last_rate_limits()) : std::string("none")) + "\n";
    std::snprintf(
        buf, sizeof buf, "percentiles are within %.2g%% (log-bucketed histograms, %u bits)\n",
        s.histogram("complete").relative_error() * 100.0, s.histogram("complete").precision_bits());
    out += buf;
    return out;
}

boost::json::object histogram_json(const latency_histogram& h) {
    boost::json::object o;
    o["unit"] = "us";
    o["layout"] = "log-linear (HdrHistogram): 2^p unit buckets, then 2^(p-1) per power of two";
    o["precision_bits"] = h.precision_bits();
    o["relative_error"] = h.relative_error();
    o["count"] = h.count();
    o["min_us"] = h.min().count();
    o["max_us"] = h.max().count();
    o["mean_us"] = h.mean_us();
    o["sum_us"] = h.sum_us();
    for (double q : report_quantiles) {
        char key[32];
        std::snprintf(key, sizeof key, "p%g_us", q);
        o[key] = h.percentile(q).count();
    }
    boost::json::array buckets;
    for (const auto& b : h.buckets())
        buckets.push_back(boost::json::array{b.lower, b.upper, b.count});
    o["buckets"] = std::move(buckets);
    return o;
}

latency_histogram histogram_from_json(const boost::json::object& o) {
    try {
        latency_histogram h(static_cast<unsigned>(o.at("precision_bits").to_number<int>()));
        for (const auto& b : o.at("buckets").as_array()) {
            const auto& a = b.as_array();
            h.add_bucket(a.at(0).to_number<std::uint64_t>(), a.at(2).to_number<std::uint64_t>());
        }
        if (h.count() > 0)
            h.set_extremes(o.at("min_us").to_number<std::uint64_t>(),
                           o.at("max_us").to_number<std::uint64_t>(),
                           o.at("sum_us").to_number<double>());
        return h;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("not a load test histogram: ") + e.what());
    }
}

boost::json::object summary_json(const summary& s, const boost::json::object& run,
                                 const std::vector<slo_verdict>& verdicts) {
    boost::json::object o;
    o["run"] = run;
    boost::json::object req;
    req["measured"] = s.sent();
    req["ok"] = s.ok();
    req["failed"] = s.failed();
    req["warmup_excluded"] = s.warmup();
    req["waited_for_max_in_flight"] = s.waited();
    boost::json::object outcomes;
    for (const auto& [name, n] : s.outcomes())
        outcomes[name] = n;
    req["outcomes"] = std::move(outcomes);
    o["requests"] = std::move(req);
    o["images"] = s.images();
    o["bytes"] = s.bytes();
    o["window_s"] = s.window_seconds();
    o["throughput_per_s"] = s.throughput_per_second();
    o["images_per_minute"] = s.images_per_minute();
    o["error_ratio"] = s.error_ratio();
    if (const auto& l = s.last_rate_limits()) {
        boost::json::object rl;
        auto num = [](const std::optional<std::int64_t>& v) {
            return v ? boost::json::value(*v) : boost::json::value(nullptr);
        };
        rl["limit_requests"] = num(l->limit_requests);
        rl["remaining_requests"] = num(l->remaining_requests);
        rl["reset_requests"] = l->reset_requests;
        rl["limit_tokens"] = num(l->limit_tokens);
        rl["remaining_tokens"] = num(l->remaining_tokens);
        rl["reset_tokens"] = l->reset_tokens;
        o["rate_limits"] = std::move(rl);
    } else {
        o["rate_limits"] = nullptr;
    }
    boost::json::object hs;
    for (const auto& p : phases())
        hs[p.name] = histogram_json(s.histogram(p.name));
    o["histograms"] = std::move(hs);
    boost::json::array slo;
    for (const auto& v : verdicts) {
        boost::json::object t;
        t["term"] = v.term->text;
        t["met"] = v.met;
        t["measured"] = v.measured ? boost::json::value(*v.measured) : boost::json::value(nullptr);
        slo.push_back(std::move(t));
    }
    o["slo"] = std::move(slo);
    return o;
}

std::string csv_header() {
    return "index,warmup,outcome,http_status,intended_start_ms,actual_start_ms,service_start_ms,"
           "service_start_source,head_ms,first_partial_ms,completed_ms,end_ms,latency_ms,"
           "service_ms,partials,partial_times_ms,bytes,attempts,images,waited_for_max_in_flight,"
           "request_id,error\n";
}

std::string csv_row(const request_record& r, clock::time_point origin) {
    std::string row;
    auto add = [&row](const std::string& v) {
        if (!row.empty())
            row += ',';
        row += v;
    };
    add(std::to_string(r.index));
    add(r.warmup ? "1" : "0");
    add(r.outcome);
    add(r.http_status ? std::to_string(r.http_status) : std::string());
    add(offset_ms(r.intended, origin));
    add(offset_ms(r.actual, origin));
    add(offset_ms(r.service_start, origin));
    add(r.service_start_from_library ? "request_written" : "call");
    add(opt_ms(r.head, origin));
    add(r.partials.empty() ? std::string() : offset_ms(r.partials.front(), origin));
    add(opt_ms(r.completed, origin));
    add(r.done ? offset_ms(r.finished, origin) : std::string());
    const bool complete = r.outcome == "ok" && r.completed;
    add(complete ? offset_ms(*r.completed, r.intended) : std::string());
    add(complete ? offset_ms(*r.completed, r.service_start) : std::string());
    add(std::to_string(r.partials.size()));
    std::string times;
    for (const auto& t : r.partials) {
        if (!times.empty())
            times += ' ';
        times += offset_ms(t, origin);
    }
    add(times);
    add(std::to_string(r.bytes));
    add(std::to_string(r.attempts));
    add(std::to_string(r.images));
    add(r.waited ? "1" : "0");
    add(csv_quote(r.request_id));
    add(csv_quote(r.error));
    return row + "\n";
}

void write_csv(const std::filesystem::path& path, const std::vector<request_record>& records,
               clock::time_point origin) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error("cannot write '" + path.string() + "'");
    out << csv_header();
    for (const auto& r : records)
        out << csv_row(r, origin);
    out.flush();
    if (!out)
        throw std::runtime_error("cannot write '" + path.string() + "'");
}

} // namespace openai::cli::loadtest
