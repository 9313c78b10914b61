// openai_images_soak: the client under a mix of faults for a while, watching its memory and
// descriptors. Against one emulator (started here, TLS with a generated CA) it runs, at once:
// unary generations, streams (read to the end, or closed after the first event), edits of a file
// on disk, URL results downloaded to disk, and `openai-images batch` runs (a child process, one
// after another). Each request carries a fault drawn from a mix (resets, truncation, drip,
// 429/5xx with retry-after, error events, cut streams, malformed JSON).
//
// Every second it samples this process's resident memory and open descriptors into a CSV (and
// plots it with gnuplot when there is one). It fails (exit 1) when:
//   - descriptors are not back to their starting count once the client is gone;
//   - resident memory keeps rising after the warm-up: the median of the last third of the
//     samples is above the median of the first third after warm-up by more than 10 % + 8 MiB;
//   - a batch run lost or doubled a line: each line must end with exactly one "ok" record, one
//     image on disk, and the run must exit 0;
//   - an operation hung (the run must end within its time plus a grace period) or nothing at
//     all succeeded.
// These are bounds, not timings: the machine's speed changes how much is done, not the verdict.
//
//   openai_images_soak --seconds 60 --out DIR [--emulator PATH] [--cli PATH]
//   (./dev soak [MINUTES] runs it for longer; `soak_short` in CTest for a minute)
#include "support/emulator_process.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    double seconds = 60;
    double warmup_seconds = 10;
    fs::path out = "soak-output";
    fs::path emulator;
    fs::path cli;
};

struct counters {
    std::atomic<std::uint64_t> ok{0}, failed{0}, streams{0}, downloads{0}, edits{0}, batches{0};
};

// --- sampling this process

std::size_t resident_kib() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

std::size_t open_descriptors() {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator("/proc/self/fd", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

struct sample {
    double t = 0;
    std::size_t rss_kib = 0;
    std::size_t fds = 0;
    std::uint64_t ok = 0, failed = 0;
};

double median_rss(std::vector<sample>::const_iterator first,
                  std::vector<sample>::const_iterator last) {
    std::vector<std::size_t> v;
    for (auto it = first; it != last; ++it)
        v.push_back(it->rss_kib);
    if (v.empty())
        return 0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return static_cast<double>(v[v.size() / 2]);
}

// --- the faults

// One fault (or none) per request; times=1 with a fresh key, so a retry may succeed.
const std::vector<std::string> unary_faults = {"",
                                               "",
                                               "",
                                               "status=500;times=1",
                                               "status=429;retry-after-ms=30;times=1",
                                               "status=503;retry-after=0;times=1",
                                               "reset-after-bytes=400;times=1",
                                               "truncate-body;times=1",
                                               "malformed-json;times=1",
                                               "close-without-response;times=1",
                                               "drip-bytes-per-s=400000",
                                               "delay-headers-ms=50",
                                               "html-502;times=1"};
const std::vector<std::string> stream_faults = {"",
                                                "",
                                                "sse-error-after=1",
                                                "sse-cut-after=1",
                                                "sse-comments",
                                                "sse-crlf",
                                                "sse-split=7",
                                                "reset-after-bytes=2000",
                                                "status=500;times=1"};

std::string pick(std::mt19937& rng, const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

openai::request_options with_fault(const std::string& fault, std::uint64_t key) {
    openai::request_options o;
    if (!fault.empty()) {
        o.extra_headers.emplace_back("x-emulator-fault", fault);
        o.extra_headers.emplace_back("x-emulator-fault-key", "soak-" + std::to_string(key));
    }
    return o;
}

// --- the workers (coroutines on one io_context)

struct soak {
    const options& opt;
    openai::client& client;
    counters& count;
    clock_type::time_point until;
    std::atomic<std::uint64_t> keys{0};

    bool running() const { return clock_type::now() < until; }

    void tally(bool ok) { (ok ? count.ok : count.failed).fetch_add(1); }

    asio::awaitable<void> unary(unsigned seed) {
        std::mt19937 rng(seed);
        while (running()) {
            openai::generate_request req;
            req.prompt = "soak unary " + std::to_string(rng() % 50);
            req.model = openai::models::dall_e_2;
            req.size = openai::sizes::s256x256;
            req.response_format = openai::response_formats::b64_json;
            auto o = with_fault(pick(rng, unary_faults), ++keys);
            o.retry_unknown_outcome = rng() % 2 == 0;
            openai::error_info info;
            auto [ec, r] = co_await client.images().generate(std::move(req), std::move(o), info,
                                                             asio::as_tuple(asio::use_awaitable));
            tally(!ec && !r.data.empty() && r.data[0].bytes && !r.data[0].bytes->empty());
        }
    }

    asio::awaitable<void> streams(unsigned seed) {
        std::mt19937 rng(seed);
        while (running()) {
            openai::generate_request req;
            req.prompt = "soak stream " + std::to_string(rng() % 50);
            req.model = openai::models::gpt_image_1;
            req.quality = openai::qualities::low;
            req.size = openai::sizes::s1024x1024;
            req.partial_images = static_cast<int>(rng() % 3);
            openai::error_info info;
            auto [ec, stream] = co_await client.images().generate_stream(
                std::move(req), with_fault(pick(rng, stream_faults), ++keys), info,
                asio::as_tuple(asio::use_awaitable));
            if (ec) {
                tally(false);
                continue;
            }
            count.streams.fetch_add(1);
            const bool close_early = rng() % 4 == 0;
            bool completed = false;
            for (;;) {
                auto [e, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
                if (e || !ev)
                    break;
                completed = completed || openai::is_completed(*ev);
                if (close_early) {
                    stream.close();
                    break;
                }
            }
            tally(completed || close_early);
        }
    }

    asio::awaitable<void> edits(unsigned seed, fs::path image) {
        std::mt19937 rng(seed);
        while (running()) {
            openai::edit_request req;
            req.prompt = "soak edit " + std::to_string(rng() % 50);
            req.model = openai::models::gpt_image_1;
            req.quality = openai::qualities::low;
            req.size = openai::sizes::s1024x1024;
            req.images.push_back(openai::image_file::from_path(image));
            openai::error_info info;
            auto [ec, r] = co_await client.images().edit(
                std::move(req), with_fault(pick(rng, unary_faults), ++keys), info,
                asio::as_tuple(asio::use_awaitable));
            count.edits.fetch_add(1);
            tally(!ec && !r.data.empty());
        }
    }

    asio::awaitable<void> downloads(unsigned seed) {
        std::mt19937 rng(seed);
        const fs::path target = opt.out / "download.png";
        while (running()) {
            openai::generate_request req;
            req.prompt = "soak download " + std::to_string(rng() % 50);
            req.model = openai::models::dall_e_2;
            req.size = openai::sizes::s256x256; // url is the default format
            openai::error_info info;
            auto [ec, r] = co_await client.images().generate(std::move(req), info,
                                                             asio::as_tuple(asio::use_awaitable));
            if (ec || r.data.empty() || !r.data[0].url) {
                tally(false);
                continue;
            }
            auto [dec, saved] = co_await client.download(
                *r.data[0].url, target, with_fault(pick(rng, unary_faults), ++keys), info,
                asio::as_tuple(asio::use_awaitable));
            count.downloads.fetch_add(1);
            tally(!dec && saved.size > 0 && fs::file_size(target) == saved.size);
        }
    }
};

// --- the batch runs (child processes)

int run_process(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<std::string> argv_s = args;
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    ::pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        std::ofstream(log, std::ios::app) << "soak: cannot start " << args[0] << ": "
                                          << std::strerror(rc) << '\n';
        return -1;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// One batch of `lines` lines, some of them faulted by the emulator's prompt rules; returns the
// problems found (empty: every line exactly once).
std::vector<std::string> one_batch(const options& opt, const openai::test::emulator_process& emu,
                                   int round, int lines) {
    const fs::path dir = opt.out / ("batch-" + std::to_string(round));
    fs::create_directories(dir);
    {
        std::ofstream in(dir / "in.jsonl");
        for (int i = 0; i < lines; ++i) {
            const char* tag = i % 7 == 0 ? "[flaky] " : i % 11 == 0 ? "[lost] " : "";
            in << json::serialize(
                      json::object{{"id", "b" + std::to_string(i)},
                                   {"prompt", std::string(tag) + "soak batch " +
                                                  std::to_string(round) + "/" + std::to_string(i)},
                                   {"model", "dall-e-2"},
                                   {"size", "256x256"},
                                   {"response_format", "b64_json"}})
               << '\n';
        }
    }
    const int status = run_process({opt.cli.string(), "batch", (dir / "in.jsonl").string(), "--out",
                                    (dir / "out").string(), "--concurrency", "6", "--retry-unknown",
                                    "--max-retries", "6", "--json", "--base-url",
                                    emu.base_url() + "/v1", "--ca-file", emu.ca_file().string()},
                                   dir / "log.txt");
    std::vector<std::string> problems;
    if (status != 0)
        problems.push_back("batch " + std::to_string(round) + " exited " + std::to_string(status) +
                           " (see " + (dir / "log.txt").string() + ")");
    std::map<std::string, int> ok;
    std::ifstream manifest(dir / "out" / "results.jsonl");
    for (std::string line; std::getline(manifest, line);) {
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (ec || !v.is_object()) {
            problems.push_back("batch " + std::to_string(round) + ": unreadable record " + line);
            continue;
        }
        const auto& o = v.as_object();
        if (o.at("status").as_string() == "ok")
            ++ok[std::string(o.at("id").as_string())];
    }
    for (int i = 0; i < lines; ++i) {
        const std::string id = "b" + std::to_string(i);
        const auto images =
            fs::exists(dir / "out" / id)
                ? std::distance(fs::directory_iterator(dir / "out" / id), fs::directory_iterator())
                : 0;
        if (ok[id] != 1 || images != 1)
            problems.push_back("batch " + std::to_string(round) + ": line " + id + " has " +
                               std::to_string(ok[id]) + " ok record(s) and " +
                               std::to_string(images) + " file(s)");
    }
    if (problems.empty())
        fs::remove_all(dir);
    return problems;
}

fs::path env_path(const char* name) {
    const char* v = std::getenv(name);
    return v ? fs::path(v) : fs::path();
}

options parse(int argc, char** argv) {
    options o;
    o.emulator = env_path("OPENAI_IMAGES_EMULATOR");
    o.cli = env_path("OPENAI_IMAGES_CLI");
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--seconds")
            o.seconds = std::stod(value());
        else if (a == "--warmup")
            o.warmup_seconds = std::stod(value());
        else if (a == "--out")
            o.out = value();
        else if (a == "--emulator")
            o.emulator = value();
        else if (a == "--cli")
            o.cli = value();
        else
            throw std::runtime_error("unknown argument " + a);
    }
    if (o.emulator.empty() || o.cli.empty())
        throw std::runtime_error("need --emulator and --cli (or OPENAI_IMAGES_EMULATOR and "
                                 "OPENAI_IMAGES_CLI)");
    o.warmup_seconds = std::min(o.warmup_seconds, o.seconds / 3);
    return o;
}

void plot(const options& opt, const fs::path& csv) {
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
        std::cout << "soak: no gnuplot, no plot (the CSV has the figures)\n";
        return;
    }
    const fs::path script = opt.out / "soak.gnuplot";
    std::ofstream(script)
        << "set terminal png size 1000,500 noenhanced\nset output '"
        << (opt.out / "soak.png").string()
        << "'\nset datafile separator ','\nset key autotitle columnhead\n"
           "set xlabel 'seconds'\nset ylabel 'RSS (KiB)'\nset y2label "
           "'descriptors'\nset y2tics\nplot '"
        << csv.string() << "' using 1:2 with lines axes x1y1, '' using 1:3 with lines axes x1y2\n";
    if (std::system(("gnuplot '" + script.string() + "'").c_str()) == 0)
        std::cout << "soak: plot in " << (opt.out / "soak.png").string() << '\n';
}

} // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    fs::create_directories(opt.out);
    // For the batch runs (child processes): the emulator takes any key.
    ::setenv("OPENAI_API_KEY", "sk-soak-not-a-real-key", 1);
    openai::test::emulator_process emu(
        {"--log-capacity", "100", "--partial-interval-ms", "5", "--fault",
         "prompt-contains=[flaky];status=500;times=1;per-prompt", "--fault",
         "prompt-contains=[lost];reset-after-bytes=300;times=1;per-prompt"},
        true);
    // A file to edit, made by the emulator itself.
    const fs::path image = opt.out / "edit-source.png";

    const std::size_t fds_at_start = open_descriptors();
    counters count;
    std::vector<sample> samples;
    std::vector<std::string> problems;
    std::mutex problems_mutex; // the batch thread and the watchdog add to it too
    const auto problem = [&](std::string text) {
        const std::lock_guard lock(problems_mutex);
        problems.push_back(std::move(text));
    };
    const auto started = clock_type::now();
    const auto until = started + std::chrono::milliseconds(static_cast<long>(opt.seconds * 1000));

    // Batches in a thread of their own: each waits for its child process.
    std::thread batch_thread([&] {
        for (int round = 0; clock_type::now() < until; ++round) {
            auto found = one_batch(opt, emu, round, 40);
            count.batches.fetch_add(1);
            if (!found.empty()) {
                for (auto& p : found)
                    problem(std::move(p));
                break; // one broken run says it; its folder is kept
            }
        }
    });

    {
        asio::io_context ioc;
        openai::client_config config;
        config.api_key = "sk-soak-not-a-real-key";
        config.base_url = emu.base_url() + "/v1";
        config.tls.ca_file = emu.ca_file().string();
        config.retry.max_retries = 3;
        config.retry.initial_backoff = std::chrono::milliseconds(5);
        config.retry.max_backoff = std::chrono::milliseconds(50);
        config.timeouts.request = std::chrono::seconds(20);
        openai::client client(ioc.get_executor(), config);
        {
            // The edit source: one generated image, written to disk.
            openai::generate_request req;
            req.prompt = "soak edit source";
            req.model = openai::models::gpt_image_1;
            req.quality = openai::qualities::low;
            req.size = openai::sizes::s1024x1024;
            auto f = asio::co_spawn(ioc, client.images().generate(req, asio::use_awaitable),
                                    asio::use_future);
            ioc.run();
            ioc.restart();
            std::ofstream(image, std::ios::binary) << *f.get().data.at(0).bytes;
        }
        soak s{opt, client, count, until};
        for (unsigned i = 0; i < 3; ++i)
            asio::co_spawn(ioc, s.unary(100 + i), asio::detached);
        for (unsigned i = 0; i < 3; ++i)
            asio::co_spawn(ioc, s.streams(200 + i), asio::detached);
        asio::co_spawn(ioc, s.edits(300, image), asio::detached);
        asio::co_spawn(ioc, s.downloads(400), asio::detached);

        // The sampler, every second, on the same io_context.
        asio::steady_timer tick(ioc);
        std::function<void()> arm = [&] {
            tick.expires_after(std::chrono::seconds(1));
            tick.async_wait([&](boost::system::error_code ec) {
                if (ec)
                    return;
                sample sm;
                sm.t = std::chrono::duration<double>(clock_type::now() - started).count();
                sm.rss_kib = resident_kib();
                sm.fds = open_descriptors();
                sm.ok = count.ok;
                sm.failed = count.failed;
                samples.push_back(sm);
                if (clock_type::now() < until)
                    arm();
            });
        };
        arm();
        std::thread watchdog([&] {
            // A hung operation shows as a run that does not end: stop it and say so.
            const auto deadline = until + std::chrono::seconds(60);
            while (clock_type::now() < deadline && !ioc.stopped())
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (!ioc.stopped()) {
                problem("operations still running 60 s after the end: a hang");
                ioc.stop();
            }
        });
        ioc.run();
        watchdog.join();
    }
    batch_thread.join();

    const std::size_t fds_at_end = open_descriptors();
    const fs::path csv = opt.out / "soak.csv";
    {
        std::ofstream out(csv);
        out << "seconds,rss_kib,descriptors,ok,failed\n";
        for (const auto& s : samples)
            out << s.t << ',' << s.rss_kib << ',' << s.fds << ',' << s.ok << ',' << s.failed
                << '\n';
    }
    plot(opt, csv);

    // Memory: after warm-up, the last third against the first third.
    std::vector<sample> settled;
    for (const auto& s : samples)
        if (s.t >= opt.warmup_seconds)
            settled.push_back(s);
    double first = 0, last = 0;
    if (settled.size() >= 6) {
        const auto third = static_cast<std::ptrdiff_t>(settled.size() / 3);
        first = median_rss(settled.begin(), settled.begin() + third);
        last = median_rss(settled.end() - third, settled.end());
        if (last > first * 1.10 + 8 * 1024)
            problems.push_back("resident memory kept rising after warm-up: median " +
                               std::to_string(static_cast<long>(first)) + " KiB -> " +
                               std::to_string(static_cast<long>(last)) + " KiB");
    } else {
        problems.push_back("too few samples after warm-up (" + std::to_string(settled.size()) +
                           "): run longer");
    }
    if (fds_at_end != fds_at_start)
        problems.push_back("descriptors: " + std::to_string(fds_at_start) + " at the start, " +
                           std::to_string(fds_at_end) + " once the client is gone");
    if (count.ok == 0 || count.batches == 0)
        problems.push_back("nothing succeeded: " + std::to_string(count.ok) + " ok calls, " +
                           std::to_string(count.batches) + " batches");

    std::cout << "soak: " << opt.seconds << " s: " << count.ok << " calls ok, " << count.failed
              << " failed (faults), " << count.streams << " streams, " << count.edits << " edits, "
              << count.downloads << " downloads, " << count.batches
              << " batches of 40 lines; RSS median after warm-up " << first / 1024 << " -> "
              << last / 1024 << " MiB; descriptors " << fds_at_start << " -> " << fds_at_end
              << "; CSV " << csv.string() << '\n';
    for (const auto& p : problems)
        std::cout << "soak: FAILED: " << p << '\n';
    return problems.empty() ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << '\n';
    return 2;
}
