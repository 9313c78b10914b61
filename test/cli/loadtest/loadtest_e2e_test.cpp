// openai-images loadtest end to end: phase bounds against an emulator with a known latency,
// coordinated omission made visible by a capacity limit, the exact count of intended starts of
// an open loop, the SLO gate, and the messages for bad input.
#include "cli/cli_process.hpp"
#include "cli/workspace.hpp"
#include "support/emulator_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;
using openai::test::cli_process;
using openai::test::emulator_process;

namespace {

// The e2e tests' temporary directory, named after this file's tests.
struct workspace : openai::test::workspace {
    workspace()
        : openai::test::workspace("loadtest-e2e") {}
};

struct run_output {
    int status = -1;
    std::string out;
    std::string err;
};

run_output loadtest(const workspace& ws, const std::string& tag, std::vector<std::string> args,
                    const emulator_process* emu = nullptr) {
    args.insert(args.begin(), "loadtest");
    if (emu) {
        args.insert(args.end(),
                    {"--base-url", emu->base_url() + "/v1", "--ca-file", emu->ca_file().string()});
    }
    cli_process p(args, ws.path, tag, {"OPENAI_API_KEY=sk-loadtest"});
    run_output r;
    r.status = p.wait(std::chrono::seconds{180});
    r.out = p.out();
    r.err = p.err();
    BOOST_TEST_MESSAGE(tag << " exited " << r.status << "; stderr: " << r.err.substr(0, 2000));
    return r;
}

json::object parse_summary(const std::string& out) {
    boost::system::error_code ec;
    auto v = json::parse(out, ec);
    BOOST_TEST_REQUIRE(!ec, "stdout is not one JSON object: " << out.substr(0, 500));
    BOOST_TEST_REQUIRE(v.is_object());
    return v.as_object();
}

std::int64_t num(const json::value& v) {
    return v.to_number<std::int64_t>();
}

const json::object& histogram(const json::object& summary, const char* phase) {
    return summary.at("histograms").at(phase).as_object();
}

// The sum of a histogram's bucket counts (what a merge across runs adds up).
std::int64_t bucket_total(const json::object& h) {
    std::int64_t total = 0;
    for (const auto& b : h.at("buckets").as_array())
        total += num(b.as_array().at(2));
    return total;
}

// The CSV as rows of named cells.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
    std::istringstream in(cli_process::slurp(p));
    std::string line;
    std::vector<std::string> names;
    std::vector<std::map<std::string, std::string>> rows;
    auto split = [](const std::string& l) {
        std::vector<std::string> cells;
        std::string cell;
        bool quoted = false;
        for (char c : l) {
            if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted) {
                cells.push_back(cell);
                cell.clear();
            } else
                cell += c;
        }
        cells.push_back(cell);
        return cells;
    };
    while (std::getline(in, line)) {
        auto cells = split(line);
        if (names.empty()) {
            names = cells;
            continue;
        }
        BOOST_TEST_REQUIRE(cells.size() == names.size(), "row: " << line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < names.size(); ++i)
            row[names[i]] = cells[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

double ms(const std::map<std::string, std::string>& row, const std::string& column) {
    const auto& v = row.at(column);
    BOOST_TEST_REQUIRE(!v.empty(), "empty " << column);
    return std::stod(v);
}

} // namespace

BOOST_AUTO_TEST_SUITE(loadtest_e2e, *boost::unit_test::label("e2e"))

// --latency-ms 200, streams of 2 partial images: every phase bound holds for every request, the
// JSON histograms count every request, the CSV has a row per request, the plot is a PNG.
BOOST_AUTO_TEST_CASE(streamed_phases_respect_the_emulated_latency) {
    emulator_process emu({"--latency-ms", "200", "--partial-interval-ms", "20"});
    workspace ws;
    const int requests = 8;
    auto r = loadtest(ws, "phases",
                      {"--prompt", "a lighthouse", "--model", "gpt-image-1", "--quality", "low",
                       "--stream", "--partial-images", "2", "--concurrency", "3", "--requests",
                       std::to_string(requests), "--json", "--csv", (ws.path / "run.csv").string(),
                       "--plot", (ws.path / "run.png").string()},
                      &emu);
    BOOST_TEST_REQUIRE(r.status == 0);
    const auto s = parse_summary(r.out);
    BOOST_TEST(num(s.at("requests").at("measured")) == requests);
    BOOST_TEST(num(s.at("requests").at("ok")) == requests);
    BOOST_TEST(num(s.at("images")) == requests);
    for (const char* phase : {"head", "first_partial", "complete", "service_complete"}) {
        const auto& h = histogram(s, phase);
        BOOST_TEST(num(h.at("count")) == requests, phase);
        BOOST_TEST(bucket_total(h) == requests, phase);
        // The emulator waits 200 ms before every head: nothing can be faster.
        BOOST_TEST(num(h.at("min_us")) >= 200000, phase);
    }
    // One gap between the two partial images of each request.
    BOOST_TEST(num(histogram(s, "partial_gap").at("count")) == requests);

    const auto rows = read_csv(ws.path / "run.csv");
    BOOST_TEST_REQUIRE(rows.size() == static_cast<std::size_t>(requests));
    for (const auto& row : rows) {
        BOOST_TEST(row.at("outcome") == "ok");
        BOOST_TEST(row.at("partials") == "2");
        BOOST_TEST(ms(row, "latency_ms") >= 200.0);
        BOOST_TEST(ms(row, "service_ms") >= 200.0);
        BOOST_TEST(ms(row, "head_ms") - ms(row, "intended_start_ms") >= 200.0);
        BOOST_TEST(ms(row, "first_partial_ms") <= ms(row, "completed_ms"));
        BOOST_TEST(ms(row, "head_ms") <= ms(row, "first_partial_ms"));
        BOOST_TEST(ms(row, "intended_start_ms") <= ms(row, "actual_start_ms"));
        std::istringstream times(row.at("partial_times_ms"));
        int n = 0;
        for (double t; times >> t;)
            ++n;
        BOOST_TEST(n == 2);
    }
    const auto png = cli_process::slurp(ws.path / "run.png");
    BOOST_TEST((png.size() > 1000 && png.compare(0, 4, "\x89PNG") == 0));
}

// Coordinated omission: the service handles one generation at a time in 200 ms (5/s) while the
// schedule asks for 10/s and the client holds one request in flight. Each request's service
// time stays about 200 ms, but the arrivals queue: measured from their intended starts, the
// latencies grow through the run. A harness that timed from the send would report 200 ms.
BOOST_AUTO_TEST_CASE(latency_from_the_intended_start_shows_the_queue) {
    emulator_process emu({"--latency-ms", "200", "--max-concurrent-generations", "1"});
    workspace ws;
    auto r = loadtest(ws, "omission",
                      {"--prompt", "a queue", "--model", "gpt-image-1", "--quality", "low",
                       "--rate", "10", "--duration", "3s", "--max-in-flight", "1", "--json",
                       "--csv", (ws.path / "co.csv").string()},
                      &emu);
    BOOST_TEST_REQUIRE(r.status == 0);
    const auto s = parse_summary(r.out);
    BOOST_TEST(num(s.at("requests").at("measured")) == 30);
    BOOST_TEST(num(s.at("requests").at("ok")) == 30);
    const auto corrected = num(histogram(s, "complete").at("p50_us"));
    const auto service = num(histogram(s, "service_complete").at("p50_us"));
    BOOST_TEST_MESSAGE("corrected p50 " << corrected << " us, service p50 " << service << " us");
    BOOST_TEST(service >= 200000);
    BOOST_TEST(corrected >= 2 * service);
    // The arrivals that found the cap full are counted, not hidden.
    BOOST_TEST(num(s.at("requests").at("waited_for_max_in_flight")) > 0);
    // Intended starts follow the schedule, not the server: exactly 100 ms apart.
    const auto rows = read_csv(ws.path / "co.csv");
    BOOST_TEST_REQUIRE(rows.size() == 30u);
    for (std::size_t i = 0; i < rows.size(); ++i)
        BOOST_TEST(std::abs(ms(rows[i], "intended_start_ms") - 100.0 * static_cast<double>(i)) <
                   0.01);
}

// The emulator's --max-concurrent-generations: four clients at once against a capacity of one
// take turns, so eight 200 ms generations take at least 1.6 s (without the limit: about 0.4 s).
BOOST_AUTO_TEST_CASE(emulator_capacity_serialises_generations) {
    emulator_process emu({"--latency-ms", "200", "--max-concurrent-generations", "1"});
    workspace ws;
    auto r =
        loadtest(ws, "capacity",
                 {"--prompt", "turns", "--concurrency", "4", "--requests", "8", "--json"}, &emu);
    BOOST_TEST_REQUIRE(r.status == 0);
    const auto s = parse_summary(r.out);
    BOOST_TEST(num(s.at("requests").at("ok")) == 8);
    BOOST_TEST(s.at("window_s").to_number<double>() >= 1.6);
    // The queue is on the server: the service time includes it.
    BOOST_TEST(num(histogram(s, "service_complete").at("max_us")) >= 400000);
}

// Open loop, constant arrivals: rate x duration intended starts, exactly; a warm-up adds its own
// and is excluded from the results; a step schedule adds its steps up.
BOOST_AUTO_TEST_CASE(constant_open_loop_starts_rate_times_duration_requests) {
    emulator_process emu;
    workspace ws;
    auto r = loadtest(ws, "count",
                      {"--prompt", "a count", "--rate", "20", "--duration", "2s", "--warmup",
                       "500ms", "--json", "--csv", (ws.path / "count.csv").string()},
                      &emu);
    BOOST_TEST_REQUIRE(r.status == 0);
    const auto s = parse_summary(r.out);
    BOOST_TEST(num(s.at("requests").at("measured")) == 40);
    BOOST_TEST(num(s.at("requests").at("ok")) == 40);
    BOOST_TEST(num(s.at("requests").at("warmup_excluded")) == 10);
    BOOST_TEST(bucket_total(histogram(s, "complete")) == 40);
    const auto rows = read_csv(ws.path / "count.csv");
    BOOST_TEST(rows.size() == 50u);
    std::size_t warm = 0;
    for (const auto& row : rows)
        warm += row.at("warmup") == "1";
    BOOST_TEST(warm == 10u);

    auto steps =
        loadtest(ws, "steps", {"--prompt", "steps", "--rate", "10:1s,20:1s", "--json"}, &emu);
    BOOST_TEST_REQUIRE(steps.status == 0);
    BOOST_TEST(num(parse_summary(steps.out).at("requests").at("measured")) == 30);
}

// --slo: a term that fails makes the exit status 3 and is named; the terms that hold are not.
BOOST_AUTO_TEST_CASE(a_failing_slo_exits_non_zero_naming_the_term) {
    emulator_process emu({"--latency-ms", "200"});
    workspace ws;
    auto r = loadtest(ws, "slo-fail",
                      {"--prompt", "slo", "--concurrency", "2", "--requests", "4", "--slo",
                       "errors<1%,p50(complete)<100ms"},
                      &emu);
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err.find("SLO not met: p50(complete)<100ms") != std::string::npos);
    BOOST_TEST(r.err.find("SLO not met: errors<1%") == std::string::npos);
    BOOST_TEST(r.out.find("slo p50(complete)<100ms: NOT met") != std::string::npos);

    auto ok = loadtest(ws, "slo-ok",
                       {"--prompt", "slo", "--concurrency", "2", "--requests", "4", "--slo",
                        "p99(complete)<60s,errors<=0%,ipm>0"},
                       &emu);
    BOOST_TEST(ok.status == 0);
    BOOST_TEST(ok.err.find("SLO not met") == std::string::npos);
}

// Bad input: a clear message each, exit status 2, nothing sent.
BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_message) {
    workspace ws;
    const std::vector<std::string> base = {"--prompt", "x", "--base-url", "https://127.0.0.1:9/v1"};
    struct bad_case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<bad_case> cases = {
        {{"--concurrency", "1", "--requests", "1", "--bogus"}, "unknown option --bogus"},
        {{"--rate", "1:abc"}, "'abc' is not a duration"},
        {{"--rate", "1:10s,,2:10s"}, "an empty step"},
        {{"--rate", "fast", "--duration", "1s"}, "'fast' is not a rate"},
        {{"--rate", "0", "--duration", "1s"}, "the rate must be above 0"},
        {{"--rate", "-2", "--duration", "1s"}, "the rate must be above 0"},
        {{"--rate", "1", "--duration", "1s", "--slo", "p99(complete)<<3s"},
         "--slo term 'p99(complete)<<3s'"},
        {{"--rate", "1", "--duration", "1s", "--slo", "p99(render)<3s"}, "unknown phase 'render'"},
        {{"--rate", "1", "--duration", "1s", "--slo", "p99(complete)<3"},
         "is not a duration with a unit"},
        {{"--rate", "1", "--duration", "1s", "--slo", "p99(first_partial)<3s"}, "needs --stream"},
        {{"--rate", "1", "--duration", "1s", "--arrival", "bursty"}, "not constant or poisson"},
        {{"--rate", "1"}, "open loop needs --duration"},
        {{"--concurrency", "2"}, "closed loop needs --duration T or --requests N"},
        {{"--concurrency", "2", "--rate", "1", "--duration", "1s"}, "not both"},
        {{"--duration", "1s"}, "needs --concurrency N (closed loop) or --rate R"},
        {{"--rate", "1", "--duration", "soon"}, "--duration 'soon' is not a duration"},
        {{"--rate", "1", "--duration", "1s", "--plot", "out.jpg"}, "must end in .png or .svg"},
        {{"--concurrency", "1", "--requests", "1", "--partial-images", "2"},
         "--partial-images needs --stream"},
        {{"--concurrency", "1", "--requests", "1", "--edit"}, "--edit needs at least one --image"},
    };
    int i = 0;
    for (const auto& c : cases) {
        auto args = base;
        args.insert(args.end(), c.args.begin(), c.args.end());
        auto r = loadtest(ws, "bad-" + std::to_string(i++), args);
        BOOST_TEST(r.status == 2, c.message);
        BOOST_TEST(r.err.find(c.message) != std::string::npos,
                   "expected '" << c.message << "' in: " << r.err);
    }
}

// --probe against an endpoint that does not answer: one failed probe is reported before any
// load, with the reason.
BOOST_AUTO_TEST_CASE(probe_reports_an_unreachable_endpoint_before_the_load) {
    workspace ws;
    // A port that was free a moment ago: nothing listens there.
    std::uint16_t port = 0;
    {
        emulator_process emu;
        port = emu.port();
    }
    auto r = loadtest(ws, "probe",
                      {"--prompt", "x", "--base-url",
                       "https://127.0.0.1:" + std::to_string(port) + "/v1", "--rate", "5",
                       "--duration", "10s", "--probe", "--csv", (ws.path / "p.csv").string()});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("probe failed before the load (connection_error)") != std::string::npos);
    BOOST_TEST(!fs::exists(ws.path / "p.csv")); // no load ran
}

BOOST_AUTO_TEST_SUITE_END()
