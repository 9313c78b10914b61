// `openai-images batch`: a JSONL file of generation requests, run concurrently under rate limits,
// resumable, with a manifest of every result in DIR/results.jsonl.
#include "arguments.hpp"
#include "batch_api.hpp"
#include "batch_input.hpp"
#include "batch_manifest.hpp"
#include "batch_report.hpp"
#include "batch_runner.hpp"
#include "commands.hpp"
#include "contact_sheet.hpp"
#include "session.hpp"

#include <openai/client.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace openai::cli {
namespace {

const char* const batch_help =
    R"(usage: openai-images batch FILE.jsonl --out DIR [OPTIONS]
       openai-images batch report DIR
       openai-images batch status DIR [connection options]
       openai-images batch cancel DIR [connection options]

Runs every line of FILE.jsonl (or - for standard input) as a generation request, in the API's
own field names, with an optional "id":

  {"id": "fox", "prompt": "a fox in the snow", "model": "gpt-image-1", "size": "1024x1024"}
  {"prompt": "a lighthouse at dawn", "n": 2}          (id: its line number, here "2")

Images go to DIR/<id>/image-1.png, image-2.png, ...; DIR/results.jsonl gets one JSON record per
line as it finishes: status ("ok", "error", "cancelled"), files, usage, request id, or the error
with its outcome (not_sent, refused, or unknown: sent, then the answer was lost, so the image may
have been made and billed). A "started" record precedes each request, so that a run that dies
leaves a trace of what was in flight.
DIR/index.html, a contact sheet of the run (one static page: thumbnails, prompts, statuses,
errors; filter by status), is kept current as results arrive; `batch report DIR` rebuilds it.
A bad line (invalid JSON, unknown member, invalid parameters) is recorded as an error and the
others go on. Exit status: 0 when every line succeeded, 1 otherwise, 2 for usage errors, 130
when interrupted.

options:
  --out DIR                  where images and results.jsonl go (required)
  --concurrency N            requests in flight at once (default 4)
  --rpm N                    at most N requests per minute (token bucket; default: no limit)
  --ipm N                    at most N images per minute (a request costs its n; default: none)
  --resume                   continue a run in DIR: skip lines already done (and lines that
                             failed in a way that would only fail again, unless edited); hold
                             back, and list, lines whose request may have been billed without a
                             result (outcome unknown, or in flight when a run died)
  --retry-unknown            send those again (may pay twice for them); within a run, also
                             retry requests whose answer was lost after they were sent
  --shard I/N                only the lines whose index (line number - 1) modulo N is I
  --grace SECONDS            after SIGINT/SIGTERM, time left to requests in flight before they
                             are cancelled (default 30); a second signal cancels at once
  --json                     JSON lines on stdout: one per finished line, then a summary
  --via direct|batch-api     direct (default): one request per line, as above; batch-api: the
                             lines go to the OpenAI Batch API (upload, create, poll, read the
                             output), half the price, results within 24 h. The batch ids are
                             recorded in DIR/batches.json before polling; --resume re-attaches
                             to them and never creates a second batch for the same lines
  --poll-seconds S           batch-api: time between two polls of a batch (default 10);
                             --concurrency, --rpm, --ipm, --shard, --grace are for direct mode
  --resubmit-missing         batch-api with --resume: send again the lines of finished
                             (cancelled, expired) batches that got no result

A 429 (and a response whose rate-limit headers say a limit is used up) pauses every worker, not
only the one that got it, for as long as the server asked.

connection:
  --base-url URL             API base URL (default: OPENAI_BASE_URL or https://api.openai.com/v1)
  --ca-file PEM              trust this CA bundle instead of the system store
  --timeout SECONDS          per-attempt request timeout (default 600)
  --max-retries N            retries per request on connection errors, 408, 409, 429, 5xx
                             (default 2)
  --no-validate              send lines without checking the API's parameter rules first
  --emulator                 run against a local emulator started in this process
)";

option_spec batch_spec() {
    option_spec spec;
    spec.valued = {"out", "concurrency", "rpm", "ipm", "shard", "grace", "via", "poll-seconds"};
    spec.flags = {"help", "resume", "resubmit-missing"};
    add_session_options(spec);
    return spec;
}

// Takes the one positional argument (the input file) out of `args`.
std::string take_input_path(std::vector<std::string>& args, const option_spec& spec) {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) == 0) {
            const std::string name = a.substr(2);
            if (name.find('=') == std::string::npos && spec.valued.count(name))
                ++i; // its value
            continue;
        }
        if (found)
            throw usage_error("unexpected argument '" + a + "' (one input file only)");
        found = i;
    }
    if (!found)
        throw usage_error("batch needs an input file: openai-images batch FILE.jsonl --out DIR");
    std::string path = args[*found];
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(*found));
    return path;
}

std::string read_input(const std::string& path) {
    if (path == "-")
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read '" + path +
                                 "': " + std::generic_category().message(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::string> read_existing(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read '" + path.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The lines a resumed run did not send because an earlier request for them may have been billed.
std::string held_back_notice(const std::vector<std::string>& ids) {
    constexpr std::size_t listed = 20;
    std::string text = std::to_string(ids.size()) +
                       " line(s) not sent again: an earlier request for each reached the server "
                       "and may have been processed and billed, but no result arrived (ids:";
    for (std::size_t i = 0; i < ids.size() && i < listed; ++i)
        text += " " + ids[i];
    if (ids.size() > listed)
        text += " and " + std::to_string(ids.size() - listed) + " more";
    text += "); add --retry-unknown to send them";
    return text;
}

} // namespace

int run_batch(const std::vector<std::string>& raw) {
    const option_spec spec = batch_spec();
    std::vector<std::string> rest = raw;
    for (const auto& a : rest)
        if (a == "--help") {
            std::fputs(batch_help, stdout);
            return 0;
        }
    if (!rest.empty() && rest.front() == "report") {
        if (rest.size() != 2)
            throw usage_error("usage: openai-images batch report DIR");
        const std::filesystem::path dir = rest[1];
        if (!std::filesystem::exists(dir / "results.jsonl"))
            throw std::runtime_error("'" + (dir / "results.jsonl").string() +
                                     "' does not exist: not the --out DIR of a batch run");
        const auto lines = batch::write_contact_sheet(dir);
        std::cout << "wrote " << (dir / "index.html").string() << " (" << lines << " lines)\n";
        return 0;
    }
    if (!rest.empty() && (rest.front() == "status" || rest.front() == "cancel")) {
        const bool cancel = rest.front() == "cancel";
        if (rest.size() < 2 || rest[1].rfind("--", 0) == 0)
            throw usage_error("usage: openai-images batch " + rest.front() + " DIR");
        const std::filesystem::path dir = rest[1];
        std::vector<std::string> options(rest.begin() + 2, rest.end());
        const parsed_arguments args(options, spec);
        auto session = make_session(args);
        return cancel ? batch::api_batches_cancel(session.config, dir, session.json)
                      : batch::api_batches_status(session.config, dir, session.json);
    }
    const std::string input_path = take_input_path(rest, spec);
    const parsed_arguments args(rest, spec);

    batch::runner_options options;
    const auto out = args.value("out");
    if (!out)
        throw usage_error("batch needs --out DIR");
    options.out_dir = *out;
    options.concurrency = static_cast<unsigned>(args.integer("concurrency", 1, 4096).value_or(4));
    options.requests_per_minute = args.number("rpm", 1e-6, 1e9).value_or(0);
    options.images_per_minute = args.number("ipm", 1e-6, 1e9).value_or(0);
    options.grace = std::chrono::milliseconds(
        static_cast<std::int64_t>(args.number("grace", 0, 86400).value_or(30) * 1000.0));
    batch::input_options input;
    input.validate = !args.flag("no-validate");
    if (auto s = args.value("shard")) {
        std::string error;
        auto parsed = batch::parse_shard(*s, error);
        if (!parsed)
            throw usage_error(error);
        input.shard = *parsed;
    }
    const bool resume = args.flag("resume");
    const std::string via = args.value("via").value_or("direct");
    if (via != "direct" && via != "batch-api")
        throw usage_error("--via must be direct or batch-api, not '" + via + "'");
    if (via == "batch-api" && args.value("shard"))
        throw usage_error("--shard goes with --via direct only (shards of one --out DIR would "
                          "share its batches.json)");
    if (args.flag("resubmit-missing") && (via != "batch-api" || !resume))
        throw usage_error("--resubmit-missing goes with --via batch-api --resume");
    auto session = make_session(args); // before anything is written: refuses a missing key
    {
        // The same check before anything is written: a bad base URL or CA file throws here.
        boost::asio::io_context probe;
        openai::client check(probe.get_executor(), session.config);
    }

    const auto items = batch::read_items(read_input(input_path), input);

    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec)
        throw std::runtime_error("cannot create directory '" + options.out_dir.string() +
                                 "': " + ec.message());
    const auto manifest_path = options.out_dir / "results.jsonl";
    batch::manifest_scan earlier;
    std::optional<std::size_t> truncate_to;
    if (auto text = read_existing(manifest_path); text && !text->empty()) {
        if (!resume)
            throw usage_error("'" + manifest_path.string() +
                              "' exists: add --resume to continue that run, or use another --out");
        earlier = batch::scan_manifest(*text);
        if (earlier.valid_length < text->size())
            truncate_to = earlier.valid_length;
    }

    const batch::report_style style = session.json              ? batch::report_style::json
                                      : ::isatty(STDERR_FILENO) ? batch::report_style::terminal
                                                                : batch::report_style::plain;
    batch::reporter report(style, stdout, stderr);
    if (truncate_to)
        report.notice("dropping a torn last line of " + manifest_path.string() +
                      " (an earlier run died while writing it)");
    if (earlier.unreadable_lines > 0)
        report.notice(std::to_string(earlier.unreadable_lines) + " line(s) of " +
                      manifest_path.string() + " are not records; ignored");

    batch::manifest_writer manifest(manifest_path, truncate_to);
    batch::contact_sheet_updater sheet(options.out_dir, std::chrono::milliseconds{500});
    options.on_record = [&sheet] { sheet.record_added(); };
    batch::progress_counts counts;
    counts.total = items.size();
    std::vector<batch::batch_item> runnable;
    std::vector<std::string> held;
    const bool retry_unknown = args.flag("retry-unknown");
    for (const auto& item : items) {
        const auto action =
            resume ? batch::on_resume(earlier, item, retry_unknown) : batch::resume_action::run;
        if (action == batch::resume_action::done) {
            ++counts.skipped;
            continue;
        }
        if (action == batch::resume_action::failed_for_good) {
            ++counts.failed;
            continue;
        }
        if (action == batch::resume_action::held_unknown) {
            ++counts.failed;
            held.push_back(item.id);
            continue;
        }
        if (!item.ok()) {
            const auto record = batch::invalid_record(item);
            manifest.append(record);
            sheet.record_added();
            ++counts.failed;
            report.record(record, counts, std::nullopt);
            continue;
        }
        runnable.push_back(item);
    }

    if (!held.empty())
        report.notice(held_back_notice(held));

    if (via == "batch-api") {
        batch::api_run_options api;
        api.out_dir = options.out_dir;
        api.resume = resume;
        api.resubmit_missing = args.flag("resubmit-missing");
        api.json = session.json;
        api.on_record = options.on_record;
        api.poll_interval = std::chrono::milliseconds(static_cast<std::int64_t>(
            args.number("poll-seconds", 0.001, 86400).value_or(10) * 1000));
        sheet.flush();
        const int status =
            batch::run_api_batches(session.config, api, runnable, manifest, report, counts);
        sheet.flush();
        return status;
    }
    const auto started = std::chrono::steady_clock::now();
    sheet.flush(); // the page exists from the start (earlier runs' lines, invalid lines)
    auto outcome = batch::run_items(session.config, options, runnable, manifest, report, counts);
    sheet.flush();
    report.summary(outcome.counts, std::chrono::steady_clock::now() - started, outcome.interrupted,
                   outcome.not_started, manifest_path.string());
    if (outcome.fatal)
        std::rethrow_exception(outcome.fatal);
    if (outcome.interrupted)
        return 130;
    const auto& c = outcome.counts;
    return c.ok + c.skipped == c.total ? 0 : 1;
}

// For the command table (help, completions, man page).
option_spec batch_options() {
    return batch_spec();
}
std::string batch_help_text() {
    return batch_help;
}

} // namespace openai::cli
