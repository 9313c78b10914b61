// openai-images-bench: one benchmark scenario run with the library's public API, the way a user's
// harness would, printing one JSON line of results. CPU time and peak memory are measured from
// outside by bench/run.py (getrusage of this child), the same way for every client.
//
//   openai-images-bench --base-url https://127.0.0.1:PORT/v1 --ca ca.pem --scenario unary
//       [--requests N] [--concurrency C] [--n IMAGES] [--partial-images K] [--open-concurrency R]
//       [--hold-ms MS] [--deadline-s S] [--model M] [--size WxH] [--quality Q]
//
// Scenarios:
//   unary         N generations, C in flight at a time (one coroutine per slot), n images each
//   stream        N streamed generations with K partial images, C at a time, every event pulled
//   open-streams  N streams opened (at most R opening at a time) and all held open with a next()
//                 pending; once every stream is open (or failed, or --deadline-s passed) the
//                 driver waits --hold-ms, reports, and closes them
//   idle          one small generation: the baseline footprint of a process that used the client
//
// Everything runs on one thread (one io_context, one thread).
#include <openai/client.hpp>
#include <openai/image_stream.hpp>
#include <openai/images.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::string base_url;
    std::string ca_file;
    std::string scenario = "unary";
    int requests = 100;
    int concurrency = 1;
    int n = 1;
    int partial_images = 0;
    int open_concurrency = 200;
    int hold_ms = 500;
    int deadline_s = 0; // open-streams: stop opening after this long (0: no limit)
    std::string model = "gpt-image-1";
    std::string size = "1024x1024";
    std::string quality = "low";
};

struct results {
    std::uint64_t requests = 0; // completed without error
    std::uint64_t errors = 0;
    std::uint64_t image_bytes = 0;   // decoded image bytes handed to us
    std::uint64_t events = 0;        // stream events
    std::uint64_t opened = 0;        // open-streams: streams whose head arrived
    std::uint64_t rss_open_kib = 0;  // open-streams: VmRSS once all were open
    std::uint64_t heap_open_kib = 0; // open-streams: malloc heap in use then (mallinfo2)
    double open_s = 0;               // open-streams: time until all were open
    std::string first_error;
};

[[noreturn]] void usage(const char* why) {
    std::cerr
        << "openai-images-bench: " << why
        << "\nusage: openai-images-bench --base-url URL --ca FILE "
           "--scenario unary|stream|open-streams|idle [--requests N] [--concurrency C] "
           "[--n N] [--partial-images K] [--open-concurrency R] [--hold-ms MS] [--deadline-s S] "
           "[--model M] [--size S] [--quality Q]\n";
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc)
            usage(("missing value for " + flag).c_str());
        const std::string v = argv[++i];
        if (flag == "--base-url")
            o.base_url = v;
        else if (flag == "--ca")
            o.ca_file = v;
        else if (flag == "--scenario")
            o.scenario = v;
        else if (flag == "--requests")
            o.requests = std::stoi(v);
        else if (flag == "--concurrency")
            o.concurrency = std::stoi(v);
        else if (flag == "--n")
            o.n = std::stoi(v);
        else if (flag == "--partial-images")
            o.partial_images = std::stoi(v);
        else if (flag == "--open-concurrency")
            o.open_concurrency = std::stoi(v);
        else if (flag == "--hold-ms")
            o.hold_ms = std::stoi(v);
        else if (flag == "--deadline-s")
            o.deadline_s = std::stoi(v);
        else if (flag == "--model")
            o.model = v;
        else if (flag == "--size")
            o.size = v;
        else if (flag == "--quality")
            o.quality = v;
        else
            usage(("unknown flag " + flag).c_str());
    }
    if (o.base_url.empty())
        usage("--base-url is required");
    if (o.scenario != "unary" && o.scenario != "stream" && o.scenario != "open-streams" &&
        o.scenario != "idle")
        usage("unknown scenario");
    if (o.requests < 1 || o.concurrency < 1 || o.open_concurrency < 1)
        usage("counts must be positive");
    return o;
}

// Ten thousand sockets need more descriptors than the usual soft limit of 1024.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

std::uint64_t current_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10);
    }
    return 0;
}

openai::generate_request make_request(const options& o, bool stream) {
    openai::generate_request req;
    req.model = openai::model(o.model);
    req.prompt = "a lighthouse at dawn, watercolour";
    req.size = openai::image_size(o.size);
    req.quality = openai::image_quality(o.quality);
    if (o.n != 1)
        req.n = o.n;
    if (stream) {
        req.stream = true;
        req.partial_images = o.partial_images;
    }
    return req;
}

void note_error(results& r, const openai::error_info& info) {
    ++r.errors;
    if (r.first_error.empty())
        r.first_error = info.message.empty() ? "error" : info.message;
}

asio::awaitable<void> unary_worker(openai::images images, const options& o, int& next, results& r) {
    const auto req = make_request(o, false);
    while (next < o.requests) {
        ++next;
        openai::error_info info;
        auto [ec, response] =
            co_await images.generate(req, info, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            note_error(r, info);
            continue;
        }
        ++r.requests;
        for (const auto& img : response.data)
            r.image_bytes += img.bytes ? img.bytes->size() : 0;
    }
}

asio::awaitable<void> stream_worker(openai::images images, const options& o, int& next,
                                    results& r) {
    const auto req = make_request(o, true);
    while (next < o.requests) {
        ++next;
        openai::error_info info;
        auto [ec, stream] =
            co_await images.generate_stream(req, info, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            note_error(r, info);
            continue;
        }
        bool failed = false;
        for (;;) {
            auto [ec2, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
            if (ec2) {
                note_error(r, info);
                failed = true;
                break;
            }
            if (!ev)
                break;
            ++r.events;
            r.image_bytes += openai::image_bytes(*ev).size();
        }
        if (!failed)
            ++r.requests;
    }
}

// open-streams: the shared state of N streams being opened and held.
struct holder {
    std::vector<openai::image_stream> streams;
    int next = 0;
    int settled = 0;      // opened or failed
    bool closing = false; // the measurement is over: streams opened late are closed at once
    clock_type::time_point start;
    clock_type::time_point deadline = clock_type::time_point::max();
    std::unique_ptr<asio::steady_timer> all_open; // cancelled when every stream settled
};

// Holds a next() pending on an open stream until the stream is closed.
asio::awaitable<void> hold_one(std::shared_ptr<holder> h, std::size_t i, results& r) {
    for (;;) {
        openai::error_info info;
        auto [ec, ev] = co_await h->streams[i].next(info, asio::as_tuple(asio::use_awaitable));
        if (ec || !ev)
            co_return; // closed by the driver, or the server ended it
        ++r.events;
        r.image_bytes += openai::image_bytes(*ev).size();
    }
}

asio::awaitable<void> open_worker(openai::images images, const options& o,
                                  std::shared_ptr<holder> h, results& r) {
    const auto req = make_request(o, true);
    auto ex = co_await asio::this_coro::executor;
    while (h->next < o.requests && !h->closing && clock_type::now() < h->deadline) {
        const auto i = static_cast<std::size_t>(h->next++);
        openai::error_info info;
        auto [ec, stream] =
            co_await images.generate_stream(req, info, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            note_error(r, info);
        } else if (!h->closing) {
            ++r.opened;
            h->streams[i] = std::move(stream);
            asio::co_spawn(ex, hold_one(h, i, r), asio::detached);
        }
        if (++h->settled == o.requests)
            h->all_open->cancel();
    }
}

asio::awaitable<void> open_streams(openai::images images, const options& o, results& r) {
    auto ex = co_await asio::this_coro::executor;
    auto h = std::make_shared<holder>();
    h->streams.resize(static_cast<std::size_t>(o.requests));
    h->start = clock_type::now();
    if (o.deadline_s > 0)
        h->deadline = h->start + std::chrono::seconds(o.deadline_s);
    h->all_open = std::make_unique<asio::steady_timer>(ex, h->deadline);
    for (int w = 0; w < o.open_concurrency && w < o.requests; ++w)
        asio::co_spawn(ex, open_worker(images, o, h, r), asio::detached);
    co_await h->all_open->async_wait(asio::as_tuple(asio::use_awaitable));
    r.open_s = std::chrono::duration<double>(clock_type::now() - h->start).count();
    asio::steady_timer hold(ex, std::chrono::milliseconds(o.hold_ms));
    co_await hold.async_wait(asio::as_tuple(asio::use_awaitable));
    r.rss_open_kib = current_rss_kib();
    r.heap_open_kib = mallinfo2().uordblks / 1024;
    r.requests = r.opened;
    h->closing = true;
    for (auto& s : h->streams)
        s.close();
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    raise_fd_limit();

    asio::io_context ioc(1);
    openai::client_config config;
    config.api_key = "sk-bench";
    config.base_url = o.base_url;
    config.tls.ca_file = o.ca_file;
    config.retry.max_retries = 0; // every client runs without retries: errors are counted
    config.pool.max_connections_per_origin =
        static_cast<std::size_t>(std::max(o.concurrency, o.requests));
    config.timeouts.connect = std::chrono::seconds(60);
    config.timeouts.tls_handshake = std::chrono::seconds(60);
    openai::client client{ioc.get_executor(), config};

    results r;
    options run = o;
    int next = 0;
    const auto start = clock_type::now();
    if (o.scenario == "unary" || o.scenario == "idle") {
        if (o.scenario == "idle") {
            run.requests = 1;
            run.concurrency = 1;
            run.n = 1;
        }
        for (int w = 0; w < run.concurrency; ++w)
            asio::co_spawn(ioc, unary_worker(client.images(), run, next, r), asio::detached);
    } else if (o.scenario == "stream") {
        for (int w = 0; w < o.concurrency; ++w)
            asio::co_spawn(ioc, stream_worker(client.images(), o, next, r), asio::detached);
    } else {
        asio::co_spawn(ioc, open_streams(client.images(), o, r), asio::detached);
    }
    ioc.run();
    const double wall = std::chrono::duration<double>(clock_type::now() - start).count();

    std::printf(
        "{\"client\":\"cpp\",\"scenario\":\"%s\",\"requests\":%llu,\"errors\":%llu,"
        "\"image_bytes\":%llu,\"events\":%llu,\"opened\":%llu,\"open_s\":%.3f,"
        "\"rss_open_kib\":%llu,\"heap_open_kib\":%llu,\"wall_s\":%.3f,\"first_error\":\"%s\"}\n",
        o.scenario.c_str(), static_cast<unsigned long long>(r.requests),
        static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.image_bytes),
        static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.opened),
        r.open_s, static_cast<unsigned long long>(r.rss_open_kib),
        static_cast<unsigned long long>(r.heap_open_kib), wall, json_escape(r.first_error).c_str());
    std::fflush(stdout);
    return 0;
}
