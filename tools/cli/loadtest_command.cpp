// `openai-images loadtest`: a load test of an Images API service (OpenAI, Azure OpenAI, or any
// server that speaks the API), in closed or open loop, with coordinated-omission-corrected
// latencies per phase, a table, --json, --csv, --plot, and an --slo gate for CI.
#include "arguments.hpp"
#include "commands.hpp"
#include "loadtest_plot.hpp"
#include "loadtest_report.hpp"
#include "loadtest_runner.hpp"
#include "loadtest_slo.hpp"
#include "loadtest_workload.hpp"
#include "output.hpp"
#include "session.hpp"

#include <openai/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>

#include <unistd.h>

namespace openai::cli {
namespace {

namespace lt = loadtest;

const char* const loadtest_help =
    R"(usage: openai-images loadtest (--prompt TEXT | --prompts FILE.jsonl) [--edit --image F...]
                             [--stream --partial-images K] (--concurrency N | --rate R)
                             (--duration T | --requests N) [OPTIONS]

Load-tests an Images API service and reports latency per phase, measured from each request's
intended start (coordinated omission corrected, as wrk2 and HdrHistogram define it) and as
service time from the send; throughput; images per minute; outcomes.

what to send:
  --prompt TEXT              one prompt for every request
  --prompts FILE.jsonl       request lines in the batch format ({"prompt": ..., "size": ...}),
                             cycled in order; the request flags fill what a line leaves unset
  --edit --image PATH...     edits of these images (read into memory once) instead of
                             generations; --mask PATH, --input-fidelity F
  --stream                   streamed requests: time to first partial image, gaps between them
  --partial-images K         with --stream: partial images per request, 0..3
  --model, --n, --size, --quality, --background, --output-format, --output-compression,
  --moderation, --style, --response-format, --user: as for generate and edit

load:
  --concurrency N            closed loop: N requests in flight, each started when one ends
  --rate R                   open loop: R requests per second started on schedule whatever
                             the server does (R/m: per minute); steps 1:60s,2:60s,4:60s;
                             ramps 1..8:2m
  --arrival constant|poisson open-loop spacing: even, or a Poisson process (default constant)
  --seed N                   seed of the Poisson arrivals (default 1)
  --duration T               measured time: 30s, 5m, 1h (a plain number is seconds); open loop
                             with a step schedule: the schedule's length unless given
  --requests N               stop after N measured requests
  --warmup T                 run this long first (at the first rate, or the same concurrency)
                             and leave it out of the results (default 0)
  --max-in-flight N          open loop: never more than N requests in flight; arrivals that
                             must wait keep their intended start, and are counted (default 1024)
  --probe                    send one request first and stop with its error if it fails

results:
  --json                     one JSON summary on stdout (histograms with their buckets, which
                             merge across runs and machines by adding counts) instead of the
                             table
  --csv FILE                 one row per request: intended and actual start, phase times,
                             bytes, attempts, outcome
  --plot FILE.png|FILE.svg   latency percentiles over time and a CDF per phase (gnuplot)
  --save-images DIR          keep the final images (off by default: no disk in the
                             measurement path; written on other threads)
  --slo TERMS                e.g. 'p99(complete)<30s,errors<1%%'; exit status 3 naming each
                             term not met. Terms: pQ(PHASE), mean(PHASE), max(PHASE) against a
                             duration; errors against a ratio (1%%); throughput (ok/s) and ipm
                             (images per minute) against a number. Phases: head, first_partial,
                             partial_gap, complete, queue, service_head, service_first_partial,
                             service_complete

Retries are off unless --max-retries is given (a retry would hide a failure in a latency).
Exit status: 0 done, 1 no request succeeded (or a failure before the load), 2 usage error,
3 SLO not met, 130 interrupted.

%s)";

option_spec loadtest_spec() {
    option_spec spec;
    spec.valued = {"concurrency", "rate",          "arrival", "seed", "duration",    "requests",
                   "warmup",      "max-in-flight", "csv",     "plot", "save-images", "slo"};
    spec.flags = {"help", "probe"};
    lt::add_workload_options(spec);
    add_session_options(spec);
    return spec;
}

lt::nanoseconds duration_option(const parsed_arguments& args, const std::string& name) {
    const auto text = *args.value(name);
    auto d = lt::parse_duration(text);
    if (!d)
        throw usage_error("--" + name + " '" + text +
                          "' is not a duration (30s, 500ms, 5m, 1h; a plain number is seconds)");
    return *d;
}

lt::run_options load_options(const parsed_arguments& args) {
    lt::run_options o;
    const bool closed = args.value("concurrency").has_value();
    const bool open = args.value("rate").has_value();
    if (closed && open)
        throw usage_error("give --concurrency N (closed loop) or --rate R (open loop), not both");
    if (!closed && !open)
        throw usage_error("loadtest needs --concurrency N (closed loop) or --rate R (open loop)");
    if (args.value("duration")) {
        o.duration = duration_option(args, "duration");
        if (o.duration->count() <= 0)
            throw usage_error("--duration must be above 0");
    }
    if (args.value("requests"))
        o.requests = static_cast<std::size_t>(*args.integer("requests", 1, 1'000'000'000));
    if (args.value("warmup"))
        o.warmup = duration_option(args, "warmup");
    if (closed) {
        o.mode = lt::run_options::loop::closed;
        o.concurrency = static_cast<unsigned>(*args.integer("concurrency", 1, 100000));
        for (const char* open_only : {"arrival", "max-in-flight", "seed"})
            if (args.value(open_only))
                throw usage_error(std::string("--") + open_only +
                                  " is for open loop (--rate), not --concurrency");
        if (!o.duration && !o.requests)
            throw usage_error(
                "closed loop needs --duration T or --requests N to know when to stop");
        return o;
    }
    o.mode = lt::run_options::loop::open;
    std::string error;
    auto schedule = lt::parse_rate_schedule(*args.value("rate"), error);
    if (!schedule)
        throw usage_error(error);
    o.schedule = std::move(*schedule);
    if (auto a = args.value("arrival")) {
        auto m = lt::parse_arrival(*a);
        if (!m)
            throw usage_error("--arrival '" + *a + "' is not constant or poisson");
        o.arrival = *m;
    }
    if (auto s = args.value("seed")) {
        std::uint64_t seed = 0;
        auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), seed);
        if (ec != std::errc{} || end != s->data() + s->size())
            throw usage_error("--seed needs a non-negative integer, not '" + *s + "'");
        o.seed = seed;
    }
    o.max_in_flight =
        static_cast<std::size_t>(args.integer("max-in-flight", 1, 1'000'000).value_or(1024));
    if (!o.duration && !o.requests && !o.schedule.length())
        throw usage_error("open loop needs --duration T, --requests N, or a schedule whose "
                          "steps all have lengths (1:60s,2:60s) to know when to stop");
    return o;
}

std::string run_line(const lt::run_options& o, const lt::workload& w, const std::string& base_url) {
    std::string line = std::string(w.edit ? "edits" : "generations") +
                       (w.stream ? " (streamed)" : " (unary)") + " against " + base_url + "; ";
    if (o.mode == lt::run_options::loop::closed) {
        line += "closed loop, concurrency " + std::to_string(o.concurrency);
    } else {
        line += std::string("open loop, ") +
                (o.arrival == lt::arrival_model::poisson ? "poisson" : "constant") +
                " arrivals at " + o.schedule.describe() + ", max in flight " +
                std::to_string(o.max_in_flight);
    }
    if (o.duration)
        line += ", " + lt::format_duration(*o.duration);
    if (o.requests)
        line += ", " + std::to_string(*o.requests) + " requests";
    if (o.warmup.count() > 0)
        line += " after a " + lt::format_duration(o.warmup) + " warm-up";
    return line;
}

boost::json::object run_json(const lt::run_options& o, const lt::workload& w,
                             const parsed_arguments& args, const std::string& base_url) {
    boost::json::object run;
    run["base_url"] = base_url;
    run["operation"] = w.edit ? "edit" : "generate";
    run["stream"] = w.stream;
    run["mode"] = o.mode == lt::run_options::loop::closed ? "closed" : "open";
    if (o.mode == lt::run_options::loop::closed) {
        run["concurrency"] = o.concurrency;
    } else {
        run["rate"] = *args.value("rate");
        run["arrival"] = o.arrival == lt::arrival_model::poisson ? "poisson" : "constant";
        run["max_in_flight"] = o.max_in_flight;
        run["seed"] = o.seed;
    }
    run["duration_s"] = o.duration
                            ? boost::json::value(static_cast<double>(o.duration->count()) / 1e9)
                            : boost::json::value(nullptr);
    run["requests"] = o.requests ? boost::json::value(*o.requests) : boost::json::value(nullptr);
    run["warmup_s"] = static_cast<double>(o.warmup.count()) / 1e9;
    return run;
}

} // namespace

int run_loadtest(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, loadtest_spec());
    if (args.flag("help")) {
        std::printf(loadtest_help, connection_help);
        return 0;
    }
    // Every input is checked before anything is sent.
    auto options = load_options(args);
    std::optional<std::vector<lt::slo_term>> slo;
    if (auto text = args.value("slo")) {
        std::string error;
        slo = lt::parse_slo(*text, error);
        if (!slo)
            throw usage_error(error);
        for (const auto& t : *slo)
            if (!args.flag("stream") && (t.phase == "first_partial" || t.phase == "partial_gap" ||
                                         t.phase == "service_first_partial"))
                throw usage_error("--slo term '" + t.text + "': phase '" + t.phase +
                                  "' needs --stream");
    }
    std::optional<std::filesystem::path> plot;
    if (auto p = args.value("plot")) {
        plot = *p;
        if (lt::plot_format(*plot).empty())
            throw usage_error("--plot '" + *p + "' must end in .png or .svg");
    }
    if (auto dir = args.value("save-images")) {
        std::error_code ec;
        std::filesystem::create_directories(*dir, ec);
        if (ec)
            throw usage_error("--save-images: cannot create '" + *dir + "': " + ec.message());
        options.save_images = *dir;
    }
    auto session = make_session(args);
    if (!args.value("max-retries"))
        session.config.retry.max_retries = 0;
    const auto work = lt::make_workload(args, session.config.validate_requests);
    {
        // A bad base URL or CA file is a usage error, before any load.
        boost::asio::io_context check;
        openai::client client(check.get_executor(), session.config);
    }
    options.status_line = ::isatty(STDERR_FILENO) != 0;

    if (args.flag("probe")) {
        lt::run_options probe;
        probe.mode = lt::run_options::loop::closed;
        probe.concurrency = 1;
        probe.requests = 1;
        auto result = lt::run_load(session.config, work, probe);
        const auto& r = result.records.at(0);
        if (r.outcome != "ok") {
            std::cerr << "openai-images: probe failed before the load (" << r.outcome
                      << "): " << r.error << '\n';
            return 1;
        }
        if (!session.json)
            std::cerr << "probe ok: " << lt::format_duration(*r.completed - r.actual) << '\n';
    }

    const auto result = lt::run_load(session.config, work, options);
    std::vector<lt::slo_verdict> verdicts;
    if (slo)
        verdicts = lt::evaluate(*slo, result.stats);

    if (auto csv = args.value("csv"))
        lt::write_csv(*csv, result.records, result.origin);
    if (plot)
        lt::write_plot(*plot, result.records, result.stats, result.origin);

    if (session.json) {
        std::cout << boost::json::serialize(lt::summary_json(
                         result.stats, run_json(options, work, args, session.config.base_url),
                         verdicts))
                  << '\n';
    } else {
        std::cout << lt::format_report(result.stats,
                                       run_line(options, work, session.config.base_url));
        for (const auto& v : verdicts)
            std::cout << "slo " << v.describe() << '\n';
    }
    std::cout.flush();

    bool slo_failed = false;
    for (const auto& v : verdicts)
        if (!v.met) {
            std::cerr << "openai-images: SLO not met: " << v.describe() << '\n';
            slo_failed = true;
        }
    if (result.interrupted)
        return 130;
    if (slo_failed)
        return 3;
    return result.stats.ok() > 0 ? 0 : 1;
}

// For the command table (help, completions, man page).
option_spec loadtest_options() {
    return loadtest_spec();
}
std::string loadtest_help_text() {
    return format_help(loadtest_help, {connection_help});
}

} // namespace openai::cli
