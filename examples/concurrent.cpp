// concurrent.cpp: 100 generations on one io_context and one thread, at most N in flight at a
// time, each with its own deadline (`||` with a timer: the loser is cancelled, per operation),
// and a summary: how many succeeded, timed out or failed, latencies and throughput.
//
//   ./example_concurrent [COUNT=100] [IN_FLIGHT=8] [DEADLINE_MS=20000]
//
// Configuration as in generate.cpp.
#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using clock_type = std::chrono::steady_clock;

struct tally {
    int ok = 0;
    int timed_out = 0;
    int failed = 0;
    std::vector<double> latencies_ms; // of the successes
};

// One generation, or nothing once `deadline` has passed.
asio::awaitable<void> one(openai::images images, int i, std::chrono::milliseconds deadline,
                          tally& t) {
    openai::generate_request req;
    req.model = openai::models::gpt_image_1;
    req.prompt = "a small robot, variation " + std::to_string(i);

    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    openai::error_info info;
    const auto start = clock_type::now();
    // `||` completes with the first operation that *succeeds*. as_tuple makes both report instead
    // of throw, so that an API error is not mistaken for a timeout and vice versa.
    auto winner = co_await (images.generate(req, info, asio::as_tuple(asio::use_awaitable)) ||
                            timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (winner.index() == 1) {
        ++t.timed_out; // the generation was cancelled; its connection closed, not reused
        co_return;
    }
    auto& [ec, response] = std::get<0>(winner);
    if (ec) {
        ++t.failed;
        std::cerr << "#" << i << ": " << info.message << '\n';
        co_return;
    }
    ++t.ok;
    t.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    (void)response; // a real program would keep response.data[0].bytes
}

// A worker takes the next index until there are none left: N workers, N in flight.
asio::awaitable<void> worker(openai::images images, int& next, int count,
                             std::chrono::milliseconds deadline, tally& t) {
    while (next < count)
        co_await one(images, next++, deadline, t);
}

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::stoi(argv[1]) : 100;
    const int in_flight = argc > 2 ? std::stoi(argv[2]) : 8;
    const std::chrono::milliseconds deadline(argc > 3 ? std::stoi(argv[3]) : 20000);

    asio::io_context ioc(1);
    openai::client client{ioc.get_executor(), openai::client_config::from_env()};
    tally t;
    int next = 0;
    const auto start = clock_type::now();
    for (int w = 0; w < in_flight; ++w)
        asio::co_spawn(ioc, worker(client.images(), next, count, deadline, t), asio::detached);
    ioc.run();
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();

    std::sort(t.latencies_ms.begin(), t.latencies_ms.end());
    auto percentile = [&](double p) {
        if (t.latencies_ms.empty())
            return 0.0;
        return t.latencies_ms[static_cast<std::size_t>(
            p * static_cast<double>(t.latencies_ms.size() - 1))];
    };
    std::printf("%d requests, %d in flight: %d ok, %d timed out, %d failed in %.2f s\n", count,
                in_flight, t.ok, t.timed_out, t.failed, seconds);
    std::printf("latency p50 %.0f ms, p95 %.0f ms; %.1f images/s; connections opened: %zu\n",
                percentile(0.5), percentile(0.95), static_cast<double>(t.ok) / seconds,
                client.stats().connections_created);
    return t.ok == count ? 0 : 1;
}
