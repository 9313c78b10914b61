// openai-images batch, the program, against the emulator: faults on chosen lines (429s with
// retry-after, 500s, invalid lines) end in the right manifest; a run killed with SIGKILL and
// resumed makes every image exactly once; --rpm and --ipm hold their rate; --shard splits cover a
// file exactly; SIGINT lets requests in flight finish within the grace period or cancels them.
#include "cli_process.hpp"
#include "integration/raw_client.hpp"
#include "support/emulator_process.hpp"
#include "workspace.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;
using openai::test::cli_process;
using openai::test::emulator_process;
using namespace std::chrono_literals;

namespace {

// The e2e tests' temporary directory, named after this file's tests.
struct workspace : openai::test::workspace {
    workspace()
        : openai::test::workspace("batch-e2e") {}
};

void write_lines(const fs::path& p, const std::vector<std::string>& lines) {
    std::ofstream out(p, std::ios::binary);
    for (const auto& l : lines)
        out << l << '\n';
}

std::vector<json::object> json_lines(const std::string& text) {
    std::vector<json::object> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        BOOST_TEST_REQUIRE(nl != std::string::npos, "a line without its newline");
        auto line = text.substr(pos, nl - pos);
        pos = nl + 1;
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        BOOST_TEST_REQUIRE(!ec, "not JSON: " << line);
        BOOST_TEST_REQUIRE(v.is_object());
        out.push_back(v.as_object());
    }
    return out;
}

// The result records of DIR/results.jsonl, in order; the "started" record written before each
// request is left out (started_ids has those).
std::vector<json::object> manifest(const fs::path& dir) {
    auto records = json_lines(cli_process::slurp(dir / "results.jsonl"));
    std::erase_if(records, [](const json::object& r) {
        const auto* s = r.if_contains("status");
        return s && s->is_string() && s->as_string() == "started";
    });
    return records;
}

std::multiset<std::string> started_ids(const fs::path& dir) {
    std::multiset<std::string> ids;
    for (const auto& r : json_lines(cli_process::slurp(dir / "results.jsonl")))
        if (const auto* s = r.if_contains("status");
            s && s->is_string() && s->as_string() == "started")
            ids.insert(std::string(r.at("id").as_string()));
    return ids;
}

std::size_t notices_containing(const std::string& out, std::string_view text) {
    std::size_t n = 0;
    for (const auto& o : json_lines(out)) {
        const auto* type = o.if_contains("type");
        const auto* message = o.if_contains("message");
        if (type && type->is_string() && type->as_string() == "notice" && message &&
            message->is_string() && message->as_string().find(text) != json::string::npos)
            ++n;
    }
    return n;
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t num(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
}

std::vector<std::string> connection(const emulator_process& emu) {
    return {"--base-url", emu.base_url() + "/v1", "--ca-file", emu.ca_file().string()};
}

std::unique_ptr<cli_process> start_batch(const emulator_process& emu, const workspace& ws,
                                         const std::string& tag, std::vector<std::string> args) {
    auto conn = connection(emu);
    args.insert(args.begin(), "batch");
    args.insert(args.end(), conn.begin(), conn.end());
    return std::make_unique<cli_process>(args, ws.path, tag,
                                         std::vector<std::string>{"OPENAI_API_KEY=sk-e2e"});
}

int run_batch(const emulator_process& emu, const workspace& ws, const std::string& tag,
              std::vector<std::string> args, std::string* out = nullptr) {
    auto p = start_batch(emu, ws, tag, std::move(args));
    const int status = p->wait(std::chrono::seconds{180});
    if (out)
        *out = p->out();
    BOOST_TEST_MESSAGE(tag << " exited " << status << "; stderr: " << p->err().substr(0, 2000));
    return status;
}

json::array emulator_log(const emulator_process& emu) {
    openai::test::raw_client raw(emu);
    auto r = raw.request("GET", "/v1/_emulator/requests");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().at("requests").as_array();
}

std::string logged_prompt(const json::value& record) {
    const auto* body = record.as_object().if_contains("body");
    if (!body || !body->is_object())
        return {};
    return str(body->as_object(), "prompt");
}

bool is_png(const fs::path& p) {
    auto bytes = cli_process::slurp(p);
    return bytes.size() > 8 && bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
}

// A GPT image request (usage is reported), or with `small` a 256x256 dall-e-2 one, which the
// emulator draws and encodes fastest: for the tests that measure time.
std::string request_line(const std::string& id, const std::string& prompt, int n = 1,
                         bool small = false) {
    json::object o{{"prompt", prompt}};
    if (small) {
        o["model"] = "dall-e-2";
        o["size"] = "256x256";
        o["response_format"] = "b64_json";
    } else {
        o["model"] = "gpt-image-1";
        o["quality"] = "low";
        o["size"] = "1024x1024";
    }
    if (!id.empty())
        o["id"] = id;
    if (n != 1)
        o["n"] = n;
    return json::serialize(o);
}

// The pace of a paced run, from the start times in its manifest. Never faster than asked: the
// whole run's rate stays under +10% and no second holds more than the limit allows (one more
// for millisecond rounding). And at the pace asked: the median gap between starts is within
// 10% of the interval. (The median, because a loaded machine may stall a process for a moment,
// which delays starts but must not fail the test; the mean is checked loosely for that reason.)
void check_pace(const std::vector<json::object>& records, std::size_t count, double interval_ms,
                int images_per_request, const std::string& what) {
    std::vector<std::int64_t> starts;
    for (const auto& r : records) {
        BOOST_TEST(str(r, "status") == "ok");
        starts.push_back(num(r, "started_ms"));
    }
    BOOST_TEST_REQUIRE(starts.size() == count);
    std::sort(starts.begin(), starts.end());
    const double span_ms = static_cast<double>(starts.back() - starts.front());
    const double mean_gap = span_ms / static_cast<double>(count - 1);
    std::vector<std::int64_t> gaps;
    for (std::size_t i = 1; i < starts.size(); ++i)
        gaps.push_back(starts[i] - starts[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                     gaps.end());
    const double median_gap = static_cast<double>(gaps[gaps.size() / 2]);
    BOOST_TEST_MESSAGE(what << ": mean gap " << mean_gap << " ms, median " << median_gap
                            << " ms (asked " << interval_ms << " ms per " << images_per_request
                            << " image(s))");
    BOOST_TEST(mean_gap >= interval_ms * 0.9, what); // never faster than asked
    BOOST_TEST(mean_gap <= interval_ms * 1.5, what);
    BOOST_TEST(median_gap >= interval_ms * 0.9, what);
    BOOST_TEST(median_gap <= interval_ms * 1.1, what);
    const auto per_second = static_cast<std::ptrdiff_t>(1000.0 / interval_ms);
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const auto in_window = std::upper_bound(starts.begin(), starts.end(), starts[i] + 999) -
                               (starts.begin() + static_cast<std::ptrdiff_t>(i));
        BOOST_TEST(in_window <= per_second + 1, what);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_e2e, *boost::unit_test::label("e2e"))

BOOST_AUTO_TEST_CASE(two_hundred_lines_with_faults_end_in_the_right_manifest) {
    emulator_process emu({"--latency-ms", "20", "--log-capacity", "5000", "--fault",
                          "prompt-contains=[429];status=429;retry-after=1;times=1;per-prompt",
                          "--fault", "prompt-contains=[flaky];status=500;times=1;per-prompt",
                          "--fault", "prompt-contains=[500];status=500"});
    workspace ws;
    // Line i (0-based) by i % 20: 3 a 429 then success, 7 a 500 every time, 11 one 500 then
    // success, 15 an invalid line (four kinds), 17 two images, 0 no id; the rest plain.
    enum class kind { plain, rate_limited, broken, flaky, invalid, two, no_id };
    auto kind_of = [](int i) {
        switch (i % 20) {
        case 3:
            return kind::rate_limited;
        case 7:
            return kind::broken;
        case 11:
            return kind::flaky;
        case 15:
            return kind::invalid;
        case 17:
            return kind::two;
        case 0:
            return kind::no_id;
        default:
            return kind::plain;
        }
    };
    // Faulted prompts are distinct (faults count per prompt); the others repeat, so that the
    // emulator draws each picture once: the test is about the batch, not image synthesis.
    std::vector<std::string> lines;
    std::map<std::string, int> index_of_id;
    std::map<std::string, std::string> invalid_code;
    for (int i = 0; i < 200; ++i) {
        const std::string id = "L" + std::to_string(i);
        const std::string prompt = "picture " + std::to_string(i);
        switch (kind_of(i)) {
        case kind::plain:
            lines.push_back(request_line(id, "plain", 1, true));
            break;
        case kind::rate_limited:
            lines.push_back(request_line(id, prompt + " [429]", 1, true));
            break;
        case kind::broken:
            lines.push_back(request_line(id, prompt + " [500]", 1, true));
            break;
        case kind::flaky:
            lines.push_back(request_line(id, prompt + " [flaky]", 1, true));
            break;
        case kind::two:
            lines.push_back(request_line(id, "two of them", 2));
            break;
        case kind::no_id:
            lines.push_back(request_line("", "plain", 1, true));
            break;
        case kind::invalid:
            switch (i / 20 % 4) {
            case 0:
                lines.push_back("{\"id\":\"" + id + "\",\"prompt\": oops");
                invalid_code[id] = "invalid_json";
                break;
            case 1:
                lines.push_back("{\"id\":\"" + id +
                                "\",\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"n\":99}");
                invalid_code[id] = "invalid_request";
                break;
            case 2:
                lines.push_back("{\"id\":\"" + id + "\",\"prompt\":\"x\",\"sise\":\"big\"}");
                invalid_code[id] = "invalid_line";
                break;
            default:
                // A second claim on L1: recorded under that id, as an error of this line.
                lines.push_back("{\"id\":\"L1\",\"prompt\":\"dup\"}");
                break;
            }
            break;
        }
        index_of_id[kind_of(i) == kind::no_id ? std::to_string(i + 1) : id] = i;
    }
    write_lines(ws.path / "in.jsonl", lines);

    std::string out;
    const int status =
        run_batch(emu, ws, "faults",
                  {(ws.path / "in.jsonl").string(), "--out", (ws.path / "out").string(),
                   "--concurrency", "16", "--max-retries", "1", "--json"},
                  &out);
    BOOST_TEST(status == 1); // some lines failed

    const auto records = manifest(ws.path / "out");
    BOOST_TEST(records.size() == 200u);
    std::size_t ok = 0, failed = 0, duplicates = 0;
    std::set<std::string> seen_ok;
    for (const auto& r : records) {
        const std::string id = str(r, "id");
        const auto line = num(r, "line");
        BOOST_TEST_REQUIRE(line >= 1);
        const int i = static_cast<int>(line - 1);
        const kind k = kind_of(i);
        const std::string status_text = str(r, "status");
        if (k == kind::invalid) {
            BOOST_TEST(status_text == "error");
            BOOST_TEST(!r.at("retryable").as_bool());
            const auto& e = r.at("error").as_object();
            if (i / 20 % 4 == 3) {
                ++duplicates;
                BOOST_TEST(id == "L1");
                BOOST_TEST(str(e, "error_code") == "duplicate_id");
            } else if (i / 20 % 4 == 0) {
                BOOST_TEST(id == std::to_string(line)); // unreadable: the id is the line number
                BOOST_TEST(str(e, "error_code") == "invalid_json");
            } else {
                BOOST_TEST(id == "L" + std::to_string(i));
                BOOST_TEST(str(e, "error_code") == invalid_code[id]);
            }
            BOOST_TEST(str(e, "message").starts_with("line " + std::to_string(line) + ": "));
            ++failed;
            continue;
        }
        BOOST_TEST(index_of_id.at(id) == i, id);
        if (k == kind::broken) {
            BOOST_TEST(status_text == "error", id);
            BOOST_TEST(r.at("retryable").as_bool());
            BOOST_TEST(num(r.at("error").as_object(), "status") == 500);
            BOOST_TEST(num(r, "attempts") == 2);
            BOOST_TEST(str(r, "request_id").starts_with("req_"));
            BOOST_TEST(files_in(ws.path / "out" / id).empty(), id);
            ++failed;
            continue;
        }
        BOOST_TEST_REQUIRE(status_text == "ok", id << ": " << json::serialize(r));
        ++ok;
        BOOST_TEST(seen_ok.insert(id).second, "two ok records for " << id);
        const std::size_t n = k == kind::two ? 2 : 1;
        const auto& files = r.at("files").as_array();
        BOOST_TEST(files.size() == n, id);
        for (std::size_t f = 0; f < files.size(); ++f) {
            BOOST_TEST(files[f].as_string() == id + "/image-" + std::to_string(f + 1) + ".png");
            BOOST_TEST(is_png(ws.path / "out" / std::string(files[f].as_string())));
        }
        BOOST_TEST(files_in(ws.path / "out" / id).size() == n);
        BOOST_TEST(num(r, "attempts") == (k == kind::rate_limited || k == kind::flaky ? 2 : 1), id);
        if (k == kind::two) // a GPT image model: usage is reported and recorded
            BOOST_TEST(r.at("usage").at("total_tokens").to_number<std::int64_t>() > 0);
        else
            BOOST_TEST(r.at("usage").is_null()); // dall-e-2 reports none
        BOOST_TEST(str(r, "request_id").starts_with("req_"));
    }
    BOOST_TEST(ok == 180u);
    BOOST_TEST(failed == 20u);
    BOOST_TEST(duplicates == 2u);

    // --json: a line per record, then the summary.
    const auto printed = json_lines(out);
    BOOST_TEST_REQUIRE(printed.size() == 201u);
    const auto& summary = printed.back();
    BOOST_TEST(str(summary, "type") == "summary");
    BOOST_TEST(num(summary, "ok") == 180);
    BOOST_TEST(num(summary, "failed") == 20);
    BOOST_TEST(num(summary, "total") == 200);

    // The emulator saw exactly one 429 per [429] line, and no invalid line was sent.
    std::size_t rate_limited = 0;
    std::map<std::string, std::vector<std::int64_t>> arrivals; // prompt -> times it came
    for (const auto& rec : emulator_log(emu)) {
        const auto prompt = logged_prompt(rec);
        BOOST_TEST(prompt != "x");
        BOOST_TEST(prompt != "dup");
        if (num(rec.as_object(), "status") == 429)
            ++rate_limited;
        arrivals[prompt].push_back(num(rec.as_object(), "time_ms"));
    }
    BOOST_TEST(rate_limited == 10u);

    // A 429 (retry-after: 1) paused everyone, not only its line: the library retried that
    // request when the pause ended, so its retry reached the emulator at T = (429 received) +
    // 1000 ms + (the time a request takes to arrive, well under 400 ms here). Hence the pause
    // covered (T - 1000, T - 400) at least, and no line may have started in it.
    std::vector<std::int64_t> starts;
    for (const auto& r : records)
        if (r.contains("started_ms"))
            starts.push_back(num(r, "started_ms"));
    std::size_t checked = 0;
    for (const auto& [prompt, times] : arrivals) {
        if (prompt.find("[429]") == std::string::npos)
            continue;
        BOOST_TEST_REQUIRE(times.size() == 2u, prompt);
        BOOST_TEST(times[1] - times[0] >= 1000); // the retry waited what was asked
        for (auto s : starts)
            BOOST_TEST(!(s > times[1] - 990 && s < times[1] - 400),
                       "a line started " << times[1] - s << " ms before the retry of '" << prompt
                                         << "'");
        ++checked;
    }
    BOOST_TEST(checked == 10u);
}

BOOST_AUTO_TEST_CASE(a_killed_run_resumes_without_repeating_anything) {
    emulator_process emu({"--latency-ms", "100", "--log-capacity", "5000"});
    workspace ws;
    std::vector<std::string> lines;
    for (int i = 0; i < 60; ++i)
        lines.push_back(
            request_line("k" + std::to_string(i), "resumable " + std::to_string(i), 1, true));
    write_lines(ws.path / "in.jsonl", lines);
    const auto out_dir = ws.path / "out";
    const std::vector<std::string> args{(ws.path / "in.jsonl").string(), "--out", out_dir.string(),
                                        "--concurrency", "4"};

    auto first = start_batch(emu, ws, "first", args);
    // Kill it once a third of the lines are recorded, with more in flight.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
        const auto text = cli_process::slurp(out_dir / "results.jsonl");
        std::size_t done = 0;
        for (auto at = text.find("\"status\":\"ok\""); at != std::string::npos;
             at = text.find("\"status\":\"ok\"", at + 1))
            ++done;
        if (done >= 20)
            break;
        BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline));
        std::this_thread::sleep_for(5ms);
    }
    first->signal(SIGKILL);
    BOOST_TEST(first->wait() == 128 + SIGKILL);
    std::set<std::string> done_first;
    for (const auto& r : manifest(out_dir)) {
        BOOST_TEST(str(r, "status") == "ok");
        done_first.insert(str(r, "id"));
    }
    BOOST_TEST(done_first.size() >= 20u);
    BOOST_TEST(done_first.size() < 60u);
    // Every request it started left a "started" record first; those without a result were in
    // flight when it died: they may have been made and billed.
    std::set<std::string> in_flight;
    for (const auto& id : started_ids(out_dir)) {
        BOOST_TEST(started_ids(out_dir).count(id) == 1u, id);
        if (!done_first.count(id))
            in_flight.insert(id);
    }
    BOOST_TEST(done_first.size() + in_flight.size() == started_ids(out_dir).size());
    BOOST_TEST(in_flight.size() <= 4u); // --concurrency 4
    BOOST_TEST_MESSAGE("killed with " << done_first.size() << " done and " << in_flight.size()
                                      << " in flight");
    // As if the machine had also died in the middle of a record.
    {
        std::ofstream torn(out_dir / "results.jsonl", std::ios::app | std::ios::binary);
        torn << "{\"id\":\"k59\",\"line\":60,\"status\":\"o";
    }

    const auto with = [&](std::vector<std::string> extra) {
        auto a = args;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    const auto requests_for = [&] {
        std::map<std::string, int> requests;
        for (const auto& rec : emulator_log(emu))
            ++requests[logged_prompt(rec)];
        return requests;
    };
    const auto prompt_of = [](const std::string& id) { return "resumable " + id.substr(1); };

    // Resumed: everything else is made, the lines in flight are held back and listed.
    std::string out;
    const auto before_resume = requests_for();
    BOOST_TEST(run_batch(emu, ws, "resumed", with({"--resume", "--json"}), &out) ==
               (in_flight.empty() ? 0 : 1));
    auto printed = json_lines(out);
    BOOST_TEST_REQUIRE(!printed.empty());
    BOOST_TEST(num(printed.back(), "skipped") == static_cast<std::int64_t>(done_first.size()));
    BOOST_TEST(notices_containing(out, "torn") == 1u);
    BOOST_TEST(notices_containing(out, "--retry-unknown") == (in_flight.empty() ? 0u : 1u));
    auto after_resume = requests_for();
    for (const auto& id : in_flight) {
        auto before = before_resume;
        BOOST_TEST(after_resume[prompt_of(id)] == before[prompt_of(id)],
                   id << " was sent again without --retry-unknown");
        for (const auto& o : printed) {
            const auto message = str(o, "message");
            if (str(o, "type") == "notice" && message.find("--retry-unknown") != std::string::npos)
                BOOST_TEST((message.find(" " + id + " ") != std::string::npos ||
                            message.find(" " + id + ")") != std::string::npos),
                           id << " is not listed in: " << message);
        }
    }
    // Asked to, it sends them too.
    BOOST_TEST(
        run_batch(emu, ws, "retried", with({"--resume", "--retry-unknown", "--json"}), &out) == 0);
    printed = json_lines(out);
    BOOST_TEST(num(printed.back(), "skipped") == static_cast<std::int64_t>(60 - in_flight.size()));

    // Every line exactly once in the manifest, every image exactly once on disk.
    const auto records = manifest(out_dir);
    BOOST_TEST(records.size() == 60u);
    std::map<std::string, int> per_id;
    for (const auto& r : records) {
        BOOST_TEST(str(r, "status") == "ok");
        ++per_id[str(r, "id")];
    }
    BOOST_TEST(per_id.size() == 60u);
    for (const auto& [id, count] : per_id) {
        BOOST_TEST(count == 1, id);
        const auto files = files_in(out_dir / id);
        BOOST_TEST_REQUIRE(files.size() == 1u, id);
        BOOST_TEST(files[0] == fs::path("image-1.png"));
        BOOST_TEST(is_png(out_dir / id / "image-1.png"));
    }
    // Nothing finished in the first run was generated again; at most the 4 in flight were lost.
    std::map<std::string, int> requests;
    for (const auto& rec : emulator_log(emu))
        ++requests[logged_prompt(rec)];
    std::size_t total = 0;
    for (int i = 0; i < 60; ++i) {
        const auto prompt = "resumable " + std::to_string(i);
        total += static_cast<std::size_t>(requests[prompt]);
        if (done_first.count("k" + std::to_string(i)))
            BOOST_TEST(requests[prompt] == 1, prompt);
        else
            BOOST_TEST((requests[prompt] == 1 || requests[prompt] == 2), prompt);
    }
    BOOST_TEST(total <= 64u);
}

BOOST_AUTO_TEST_CASE(rpm_and_ipm_hold_their_rate) {
    emulator_process emu({"--latency-ms", "20", "--log-capacity", "5000"});
    workspace ws;
    // --rpm 600 over 10 s: 101 requests, 100 intervals of 100 ms.
    std::vector<std::string> lines;
    for (int i = 0; i < 101; ++i)
        lines.push_back(request_line("r" + std::to_string(i), "paced", 1, true)); // drawn once
    write_lines(ws.path / "rpm.jsonl", lines);
    BOOST_TEST(run_batch(emu, ws, "rpm",
                         {(ws.path / "rpm.jsonl").string(), "--out", (ws.path / "rpm").string(),
                          "--concurrency", "32", "--rpm", "600"}) == 0);
    check_pace(manifest(ws.path / "rpm"), 101, 100.0, 1, "--rpm 600");

    // --ipm 1200 with two images per request: an image every 50 ms, so a request every 100 ms.
    lines.clear();
    for (int i = 0; i < 51; ++i)
        lines.push_back(request_line("i" + std::to_string(i), "images", 2, true));
    write_lines(ws.path / "ipm.jsonl", lines);
    BOOST_TEST(run_batch(emu, ws, "ipm",
                         {(ws.path / "ipm.jsonl").string(), "--out", (ws.path / "ipm").string(),
                          "--concurrency", "32", "--ipm", "1200"}) == 0);
    check_pace(manifest(ws.path / "ipm"), 51, 100.0, 2, "--ipm 1200");
}

BOOST_AUTO_TEST_CASE(shards_cover_the_file_exactly) {
    emulator_process emu({"--log-capacity", "5000"});
    workspace ws;
    std::vector<std::string> lines;
    std::set<std::int64_t> expected_lines;
    for (int i = 0; i < 50; ++i) {
        if (i % 9 == 4) {
            lines.emplace_back(); // blank lines are in no shard's output
            continue;
        }
        lines.push_back(request_line(i % 2 ? "s" + std::to_string(i) : "", "shard", 1, true));
        expected_lines.insert(i + 1);
    }
    write_lines(ws.path / "in.jsonl", lines);
    // Three workers at once on one directory, as an indexed job would run them.
    std::vector<std::unique_ptr<cli_process>> shards;
    for (int s = 0; s < 3; ++s)
        shards.push_back(
            start_batch(emu, ws, "shard" + std::to_string(s),
                        {(ws.path / "in.jsonl").string(), "--out", (ws.path / "out").string(),
                         "--shard", std::to_string(s) + "/3", "--resume", "--json"}));
    std::multiset<std::int64_t> lines_seen;
    for (int s = 0; s < 3; ++s) {
        BOOST_TEST(shards[s]->wait() == 0, "shard " << s << ": " << shards[s]->err());
        const auto printed = json_lines(shards[s]->out());
        std::int64_t mine = 0;
        for (const auto& o : printed) {
            if (str(o, "type") != "line")
                continue;
            const auto line = num(o, "line");
            BOOST_TEST((line - 1) % 3 == s, "line " << line << " in shard " << s);
            lines_seen.insert(line);
            ++mine;
        }
        BOOST_TEST(num(printed.back(), "total") == mine);
    }
    BOOST_TEST((std::set<std::int64_t>(lines_seen.begin(), lines_seen.end()) == expected_lines));
    BOOST_TEST(lines_seen.size() == expected_lines.size()); // none twice
    const auto records = manifest(ws.path / "out");
    BOOST_TEST(records.size() == expected_lines.size());
    std::set<std::string> ids;
    for (const auto& r : records)
        ids.insert(str(r, "id"));
    BOOST_TEST(ids.size() == records.size());
}

BOOST_AUTO_TEST_CASE(sigint_waits_for_work_in_flight_then_cancels_it) {
    emulator_process emu({"--latency-ms", "1500", "--log-capacity", "5000"});
    workspace ws;
    std::vector<std::string> lines;
    for (int i = 0; i < 10; ++i)
        lines.push_back(
            request_line("g" + std::to_string(i), "slow " + std::to_string(i), 1, true));
    write_lines(ws.path / "in.jsonl", lines);
    auto started_three = [&](const std::string& tag) {
        // Three requests reached the emulator (their responses take 1.5 s).
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        for (;;) {
            std::size_t n = 0;
            for (const auto& rec : emulator_log(emu))
                if (logged_prompt(rec).starts_with("slow "))
                    ++n;
            if (n >= 3)
                return n;
            BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline), tag);
            std::this_thread::sleep_for(20ms);
        }
    };

    // A long grace: the three in flight finish and are recorded; nothing else starts.
    {
        auto p = start_batch(emu, ws, "graceful",
                             {(ws.path / "in.jsonl").string(), "--out", (ws.path / "a").string(),
                              "--concurrency", "3", "--grace", "30", "--json"});
        started_three("graceful");
        p->signal(SIGINT);
        BOOST_TEST(p->wait(60s) == 130);
        const auto records = manifest(ws.path / "a");
        BOOST_TEST(records.size() == 3u);
        for (const auto& r : records)
            BOOST_TEST(str(r, "status") == "ok");
        const auto printed = json_lines(p->out());
        BOOST_TEST(num(printed.back(), "not_started") == 7);
        BOOST_TEST(printed.back().at("interrupted").as_bool());
    }
    // A short grace: the three are cancelled (per operation) and recorded as such, quickly.
    {
        const auto before = emulator_log(emu).size();
        auto p = start_batch(emu, ws, "impatient",
                             {(ws.path / "in.jsonl").string(), "--out", (ws.path / "b").string(),
                              "--concurrency", "3", "--grace", "0.2"});
        for (;;) {
            if (emulator_log(emu).size() >= before + 3)
                break;
            std::this_thread::sleep_for(20ms);
        }
        const auto signalled = std::chrono::steady_clock::now();
        p->signal(SIGINT);
        BOOST_TEST(p->wait(60s) == 130);
        BOOST_TEST((std::chrono::steady_clock::now() - signalled < 1200ms));
        const auto records = manifest(ws.path / "b");
        BOOST_TEST(records.size() == 3u);
        for (const auto& r : records) {
            BOOST_TEST(str(r, "status") == "cancelled");
            // They had reached the emulator: it may have made (and billed) them.
            BOOST_TEST(str(r, "outcome") == "unknown");
            BOOST_TEST(files_in(ws.path / "b" / str(r, "id")).empty());
        }
        // Resumed, the rest are made and the cancelled lines are held back, not sent again...
        const auto sent_before = emulator_log(emu).size();
        std::string out;
        BOOST_TEST(run_batch(emu, ws, "after-cancel",
                             {(ws.path / "in.jsonl").string(), "--out", (ws.path / "b").string(),
                              "--concurrency", "10", "--resume", "--json"},
                             &out) == 1);
        BOOST_TEST(emulator_log(emu).size() == sent_before + 7);
        BOOST_TEST(notices_containing(out, "3 line(s) not sent again") == 1u);
        // ...until asked.
        BOOST_TEST(run_batch(emu, ws, "after-cancel-retried",
                             {(ws.path / "in.jsonl").string(), "--out", (ws.path / "b").string(),
                              "--concurrency", "10", "--resume", "--retry-unknown"}) == 0);
        BOOST_TEST(emulator_log(emu).size() == sent_before + 10);
        std::map<std::string, std::string> last;
        for (const auto& r : manifest(ws.path / "b"))
            last[str(r, "id")] = str(r, "status");
        BOOST_TEST(last.size() == 10u);
        for (const auto& [id, s] : last)
            BOOST_TEST(s == "ok", id);
    }
}

// A request whose answer is lost after it was sent whole (a reset mid-response) may have been
// made and billed: not retried by default, recorded with outcome "unknown", held back by
// --resume and listed, sent again only with --retry-unknown. Within a run, --retry-unknown lets
// the library retry it at once.
BOOST_AUTO_TEST_CASE(a_lost_answer_is_not_paid_for_twice_unless_asked) {
    emulator_process emu({"--log-capacity", "5000", "--fault",
                          "prompt-contains=[lost];reset-after-bytes=300;times=1;per-prompt"});
    workspace ws;
    write_lines(ws.path / "in.jsonl",
                {request_line("a", "fine a", 1, true), request_line("lost", "[lost] one", 1, true),
                 request_line("b", "fine b", 1, true)});
    const auto in = (ws.path / "in.jsonl").string();
    const auto out_dir = (ws.path / "out").string();
    const auto sent = [&](const std::string& prompt) {
        std::size_t n = 0;
        for (const auto& rec : emulator_log(emu))
            n += logged_prompt(rec) == prompt ? 1 : 0;
        return n;
    };

    BOOST_TEST(run_batch(emu, ws, "first", {in, "--out", out_dir, "--json"}) == 1);
    BOOST_TEST(sent("[lost] one") == 1u);
    std::map<std::string, json::object> last;
    for (const auto& r : manifest(out_dir))
        last[str(r, "id")] = r;
    BOOST_TEST_REQUIRE(last.count("lost") == 1u);
    BOOST_TEST(str(last["lost"], "status") == "error");
    BOOST_TEST(num(last["lost"], "attempts") == 1);
    BOOST_TEST(str(last["lost"].at("error").as_object(), "outcome") == "unknown");
    BOOST_TEST(str(last["a"], "status") == "ok");

    std::string out;
    BOOST_TEST(run_batch(emu, ws, "resumed", {in, "--out", out_dir, "--resume", "--json"}, &out) ==
               1);
    BOOST_TEST(sent("[lost] one") == 1u);
    BOOST_TEST(notices_containing(out, "1 line(s) not sent again") == 1u);
    BOOST_TEST(notices_containing(out, "(ids: lost)") == 1u);

    BOOST_TEST(run_batch(emu, ws, "retried",
                         {in, "--out", out_dir, "--resume", "--retry-unknown", "--json"}) == 0);
    BOOST_TEST(sent("[lost] one") == 2u);
    for (const auto& r : manifest(out_dir))
        last[str(r, "id")] = r;
    BOOST_TEST(str(last["lost"], "status") == "ok");
    BOOST_TEST(is_png(ws.path / "out" / "lost" / "image-1.png"));
    BOOST_TEST(sent("fine a") == 1u);

    // In one run with --retry-unknown: the library retries the lost answer itself.
    write_lines(ws.path / "in2.jsonl", {request_line("lost2", "[lost] two", 1, true)});
    BOOST_TEST(run_batch(emu, ws, "opt-in",
                         {(ws.path / "in2.jsonl").string(), "--out", (ws.path / "out2").string(),
                          "--retry-unknown"}) == 0);
    BOOST_TEST(sent("[lost] two") == 2u);
    const auto records = manifest(ws.path / "out2");
    BOOST_TEST_REQUIRE(records.size() == 1u);
    BOOST_TEST(num(records[0], "attempts") == 2);
}

// The output folder fills up mid-run (a small tmpfs, mounted here; needs root): the run stops
// with an error naming the file it could not write, results.jsonl holds whole records only, and
// once space is freed a resumed run makes every line exactly once.
BOOST_AUTO_TEST_CASE(a_full_disk_stops_cleanly_and_resumes_exactly_once) {
    emulator_process emu({"--log-capacity", "5000"});
    workspace ws;
    // How big one image is, to leave room for a few.
    write_lines(ws.path / "probe.jsonl", {request_line("p", "disk full probe", 1, true)});
    BOOST_TEST_REQUIRE(run_batch(emu, ws, "probe",
                                 {(ws.path / "probe.jsonl").string(), "--out",
                                  (ws.path / "probe").string()}) == 0);
    const auto image_size = fs::file_size(ws.path / "probe" / "p" / "image-1.png");

    const auto disk = ws.path / "disk";
    fs::create_directories(disk);
    if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=16m") != 0) {
        BOOST_TEST_MESSAGE("SKIPPED a_full_disk_stops_cleanly_and_resumes_exactly_once: cannot "
                           "mount a tmpfs here ("
                           << std::strerror(errno) << "; it needs root)");
        BOOST_WARN_MESSAGE(false, "the disk-full case did not run: no tmpfs");
        return;
    }
    struct unmount {
        fs::path path;
        ~unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount_at_end{disk};
    // Fill it up but for room for about five images (and the records).
    struct statvfs st {};
    BOOST_TEST_REQUIRE(::statvfs(disk.c_str(), &st) == 0);
    const auto free_bytes = static_cast<std::uintmax_t>(st.f_bavail) * st.f_frsize;
    const auto filler_size = free_bytes - std::min<std::uintmax_t>(free_bytes, 5 * image_size);
    {
        std::ofstream filler(disk / "filler", std::ios::binary);
        const std::string block(1 << 16, 'f');
        for (std::uintmax_t written = 0; written < filler_size; written += block.size())
            filler.write(block.data(), static_cast<std::streamsize>(std::min<std::uintmax_t>(
                                           block.size(), filler_size - written)));
        BOOST_TEST_REQUIRE(filler.good());
    }

    std::vector<std::string> lines;
    for (int i = 0; i < 15; ++i)
        lines.push_back(
            request_line("d" + std::to_string(i), "disk full " + std::to_string(i), 1, true));
    write_lines(ws.path / "in.jsonl", lines);
    const auto out_dir = disk / "out";
    const std::vector<std::string> args{(ws.path / "in.jsonl").string(), "--out", out_dir.string(),
                                        "--concurrency", "2"};
    auto p = start_batch(emu, ws, "full", args);
    const int status = p->wait(std::chrono::seconds{120});
    BOOST_TEST(status == 1);
    const auto err = p->err();
    BOOST_TEST(err.find("No space left on device") != std::string::npos, err);
    BOOST_TEST(err.find(out_dir.string()) != std::string::npos, err); // names the file
    // Whole records only (json_lines requires each line whole and JSON), and fewer than all.
    const auto text = cli_process::slurp(out_dir / "results.jsonl");
    BOOST_TEST((text.empty() || text.back() == '\n'));
    BOOST_TEST(manifest(out_dir).size() < 15u);

    fs::remove(disk / "filler");
    BOOST_TEST(run_batch(emu, ws, "after", [&] {
                   auto a = args;
                   a.insert(a.end(), {"--resume", "--retry-unknown"});
                   return a;
               }()) == 0);
    std::map<std::string, int> ok;
    for (const auto& r : manifest(out_dir))
        if (str(r, "status") == "ok")
            ++ok[str(r, "id")];
    BOOST_TEST(ok.size() == 15u);
    for (int i = 0; i < 15; ++i) {
        const auto id = "d" + std::to_string(i);
        BOOST_TEST(ok[id] == 1, id);
        const auto files = files_in(out_dir / id);
        BOOST_TEST_REQUIRE(files.size() == 1u, id);
        BOOST_TEST(is_png(out_dir / id / files[0]), id);
    }
}

BOOST_AUTO_TEST_CASE(usage_problems_are_refused_before_anything_is_written) {
    emulator_process emu;
    workspace ws;
    write_lines(ws.path / "in.jsonl", {request_line("u", "usage")});
    const auto in = (ws.path / "in.jsonl").string();
    BOOST_TEST(run_batch(emu, ws, "no-out", {in}) == 2);
    BOOST_TEST(run_batch(emu, ws, "no-input", {"--out", (ws.path / "x").string()}) == 2);
    BOOST_TEST(run_batch(emu, ws, "bad-shard",
                         {in, "--out", (ws.path / "x").string(), "--shard", "3/3"}) == 2);
    BOOST_TEST(run_batch(emu, ws, "bad-rpm",
                         {in, "--out", (ws.path / "x").string(), "--rpm", "fast"}) == 2);
    BOOST_TEST(!fs::exists(ws.path / "x"));
    BOOST_TEST(run_batch(emu, ws, "missing-file",
                         {(ws.path / "nope.jsonl").string(), "--out", (ws.path / "x").string()}) ==
               1);
    // A finished run is not appended to by accident.
    BOOST_TEST(run_batch(emu, ws, "once", {in, "--out", (ws.path / "y").string()}) == 0);
    const auto before = cli_process::slurp(ws.path / "y" / "results.jsonl");
    BOOST_TEST(run_batch(emu, ws, "twice", {in, "--out", (ws.path / "y").string()}) == 2);
    BOOST_TEST(cli_process::slurp(ws.path / "y" / "results.jsonl") == before);
    // With --resume it has nothing left to do.
    std::string out;
    BOOST_TEST(run_batch(emu, ws, "again",
                         {in, "--out", (ws.path / "y").string(), "--resume", "--json"}, &out) == 0);
    BOOST_TEST(cli_process::slurp(ws.path / "y" / "results.jsonl") == before);
    BOOST_TEST(num(json_lines(out).back(), "skipped") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
