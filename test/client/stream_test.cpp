// Streams against the emulator over TLS: partial_images 0..3 for generations and edits, every
// stream fault, cancellation of next() mid-event, early close(), what the pool does with the
// connection afterwards, and 2,000 concurrent streams on one single-threaded io_context.
#include "client_fixture.hpp"
#include "emulator/image_synth.hpp"

#include <openai/client.hpp>
#include <openai/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <fstream>

#include <sys/resource.h>

namespace asio = boost::asio;
namespace em = openai::emulator;
using namespace openai::test;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

// Small images (about 3 KB each), so that byte-level faults and thousands of streams stay quick.
emulator_process& small_emulator() {
    static emulator_process emu(
        {"--threads", "2", "--payload-bytes", "3000", "--partial-interval-ms", "2"});
    return emu;
}

std::string synthesized(const std::string& prompt, std::uint32_t partial_index,
                        std::uint32_t partial_count) {
    em::image_spec spec;
    spec.prompt = prompt;
    spec.width = 1024;
    spec.height = 1024;
    spec.format = em::image_format::png;
    spec.partial_index = partial_index;
    spec.partial_count = partial_count;
    return em::synthesize(spec).bytes;
}

openai::generate_request stream_request(const std::string& prompt, int partial_images) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = "gpt-image-1-mini";
    req.quality = "low";
    req.size = "1024x1024";
    req.output_format = "png";
    req.partial_images = partial_images;
    return req;
}

struct drained {
    bool opened = false;
    std::vector<openai::image_event> events;
    openai::error_info error;
    bool clean_end = false;
    openai::response_metadata meta;
};

asio::awaitable<void> drain_into(openai::image_stream& stream, drained& out) {
    out.opened = true;
    out.meta = stream.metadata();
    for (;;) {
        auto [ec, ev] = co_await stream.next(out.error, asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        if (!ev) {
            out.clean_end = true;
            co_return;
        }
        out.events.push_back(std::move(*ev));
    }
}

asio::awaitable<drained> drain_generation(openai::images images, openai::generate_request req,
                                          openai::request_options options = {}) {
    drained out;
    auto [ec, stream] = co_await images.generate_stream(
        std::move(req), std::move(options), out.error, asio::as_tuple(asio::use_awaitable));
    if (!ec)
        co_await drain_into(stream, out);
    co_return out;
}

asio::awaitable<drained> drain_edit(openai::images images, openai::edit_request req,
                                    openai::request_options options = {}) {
    drained out;
    auto [ec, stream] = co_await images.edit_stream(std::move(req), std::move(options), out.error,
                                                    asio::as_tuple(asio::use_awaitable));
    if (!ec)
        co_await drain_into(stream, out);
    co_return out;
}

// K partial images with indexes 0..K-1, then the completed one, all PNG.
void check_sequence(const drained& r, int partials, bool edit) {
    BOOST_TEST_REQUIRE(r.events.size() == static_cast<std::size_t>(partials + 1), r.error.message);
    for (int k = 0; k < partials; ++k) {
        const auto& ev = r.events[static_cast<std::size_t>(k)];
        BOOST_TEST(openai::is_partial(ev));
        BOOST_TEST(*openai::partial_image_index(ev) == k);
        BOOST_TEST((edit ? std::holds_alternative<openai::image_edit_partial_image_event>(ev)
                         : std::holds_alternative<openai::image_gen_partial_image_event>(ev)));
        BOOST_TEST(openai::image_bytes(ev).substr(0, 4) == "\x89PNG");
    }
    const auto& last = r.events.back();
    BOOST_TEST((edit ? std::holds_alternative<openai::image_edit_completed_event>(last)
                     : std::holds_alternative<openai::image_gen_completed_event>(last)));
    BOOST_TEST(openai::event_usage(last) != nullptr);
    BOOST_TEST(r.clean_end);
    BOOST_TEST(!r.error, r.error.message);
}

std::size_t peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmHWM:"))
            return std::stoul(line.substr(6));
    return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(streams)

BOOST_AUTO_TEST_CASE(generations_with_zero_to_three_partial_images) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    for (int k = 0; k <= 3; ++k) {
        BOOST_TEST_CONTEXT("partial_images " << k) {
            const auto key = unique_key("gen-stream");
            const auto prompt = "a streamed lighthouse " + std::to_string(k);
            auto r =
                run(ioc, drain_generation(client.images(), stream_request(prompt, k), tagged(key)));
            check_sequence(r, k, false);
            // The bytes are the emulator's renderings: coarse partials, then the final image.
            for (int i = 0; i < k; ++i)
                BOOST_TEST((openai::image_bytes(r.events[static_cast<std::size_t>(i)]) ==
                            synthesized(prompt, static_cast<std::uint32_t>(i),
                                        static_cast<std::uint32_t>(k))));
            BOOST_TEST((openai::image_bytes(r.events.back()) == synthesized(prompt, 0, 0)));
            const auto log = logged_requests(emulator(), key);
            BOOST_TEST_REQUIRE(log.size() == 1u);
            const auto& body = log[0].at("body");
            BOOST_TEST(body.at("stream").as_bool());
            BOOST_TEST(body.at("partial_images").as_int64() == k);
            BOOST_TEST(log[0].at("request_id").as_string() == r.meta.request_id);
            BOOST_TEST(client.stats().connections_idle == 1u);
        }
    }
    // Four clean streams, one connection.
    BOOST_TEST(client.stats().connections_created == 1u);
}

BOOST_AUTO_TEST_CASE(edits_with_zero_to_three_partial_images) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto input = em::synthesize({"input", 64, 64}).bytes;
    for (int k = 0; k <= 3; ++k) {
        BOOST_TEST_CONTEXT("partial_images " << k) {
            const auto key = unique_key("edit-stream");
            openai::edit_request req;
            req.prompt = "put it in a basket";
            req.model = "gpt-image-1";
            req.quality = "low";
            req.size = "1024x1024";
            req.partial_images = k;
            // Multipart uploads for even k, JSON references for odd k.
            if (k % 2 == 0)
                req.images.push_back(openai::image_file::from_bytes(input, "input.png"));
            else
                req.images.push_back(openai::image_reference::url(
                    "data:image/png;base64," + openai::image{input, {}, {}}.b64_json()));
            auto r = run(ioc, drain_edit(client.images(), req, tagged(key)));
            check_sequence(r, k, true);
            const auto log = logged_requests(emulator(), key);
            BOOST_TEST_REQUIRE(log.size() == 1u);
            BOOST_TEST(log[0].at("path").as_string() == "/v1/images/edits");
            BOOST_TEST(log[0].at("stream").as_bool());
        }
    }
    BOOST_TEST(client.stats().connections_created == 1u);
}

BOOST_AUTO_TEST_CASE(harmless_faults_change_nothing) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    for (const std::string fault :
         {"sse-comments", "sse-crlf", "sse-cr", "sse-split=1", "sse-comments;sse-crlf;sse-split=7",
          "drip-bytes-per-s=200000"}) {
        BOOST_TEST_CONTEXT(fault) {
            auto r = run(ioc, drain_generation(client.images(), stream_request("faults", 2),
                                               tagged(unique_key("harmless"), fault)));
            check_sequence(r, 2, false);
            BOOST_TEST(client.stats().connections_idle == 1u); // pooled after the clean end
        }
    }
    BOOST_TEST(client.stats().connections_created == 1u);
}

BOOST_AUTO_TEST_CASE(an_error_event_mid_stream) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    auto r = run(ioc, drain_generation(client.images(), stream_request("error", 3),
                                       tagged(unique_key("err"), "sse-error-after=2")));
    BOOST_TEST(r.events.size() == 2u);
    BOOST_TEST(r.error.code == openai::errc::stream_error_event);
    BOOST_TEST_REQUIRE(r.error.api.has_value());
    BOOST_TEST(*r.error.api->type == "server_error");
    BOOST_TEST(r.error.api->message->find("Sorry about that") != std::string::npos);
    BOOST_TEST(r.error.request_id == r.meta.request_id);
    BOOST_TEST(!r.error.request_id.empty());
    BOOST_TEST(r.error.http_status == 200);
    check_no_secret(r.error);
    BOOST_TEST(client.stats().connections_idle == 0u);
    BOOST_TEST(client.stats().connections_in_use == 0u);
}

BOOST_AUTO_TEST_CASE(a_stream_cut_after_partials_is_truncated) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    auto r = run(ioc, drain_generation(client.images(), stream_request("cut", 3),
                                       tagged(unique_key("cut"), "sse-cut-after=1")));
    BOOST_TEST(r.events.size() == 1u);
    BOOST_TEST(r.error.code == openai::errc::stream_truncated, r.error.message);
    BOOST_TEST(!r.clean_end);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(a_reset_connection_mid_stream) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    auto r = run(ioc, drain_generation(client.images(), stream_request("reset", 3),
                                       tagged(unique_key("reset"), "reset-after-bytes=6000")));
    BOOST_TEST(r.opened, r.error.message);
    BOOST_TEST(r.events.size() < 4u);
    BOOST_TEST(!r.clean_end);
    BOOST_TEST(r.error.code == openai::errc::connection_closed, r.error.message);
    BOOST_TEST(r.error.message.find("no completed event") != std::string::npos, r.error.message);
    BOOST_TEST(client.stats().connections_idle == 0u);
    BOOST_TEST(client.stats().connections_in_use == 0u);
    // Not retried: the stream had been handed out.
    BOOST_TEST(r.meta.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_event_data_and_a_missing_last_chunk) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    auto r = run(ioc, drain_generation(client.images(), stream_request("malformed", 1),
                                       tagged(unique_key("malformed"), "malformed-json")));
    BOOST_TEST(r.events.empty());
    BOOST_TEST(r.error.code == openai::errc::invalid_json, r.error.message);
    // Every event arrived, then the body stopped without its last chunk: the result stands,
    // the connection is not pooled.
    r = run(ioc, drain_generation(client.images(), stream_request("truncated", 1),
                                  tagged(unique_key("truncated"), "truncate-body")));
    BOOST_TEST(r.events.size() == 2u);
    BOOST_TEST(r.clean_end, r.error.message);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(retries_happen_before_the_stream_is_handed_out) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    const auto key = unique_key("retry");
    auto r = run(ioc, drain_generation(client.images(), stream_request("retry", 1),
                                       tagged(key, "status=503;times=1")));
    check_sequence(r, 1, false);
    BOOST_TEST(r.meta.attempts == 2u);
    BOOST_TEST(logged_requests(small_emulator(), key).size() == 2u);
    // An error status that is not retried arrives as the opening's typed error.
    r = run(ioc, drain_generation(client.images(), stream_request("rejected", 1),
                                  tagged(unique_key("reject"), "status=400")));
    BOOST_TEST(!r.opened);
    BOOST_TEST(r.error.code == openai::errc::bad_request);
    BOOST_TEST(r.error.http_status == 400);
    BOOST_TEST(r.error.api.has_value());
}

BOOST_AUTO_TEST_CASE(a_dripping_stream_and_the_idle_timeout) {
    {
        // About 1 KB every 50 ms: never silent for 500 ms, so it completes.
        asio::io_context ioc;
        auto config = config_for(small_emulator());
        config.timeouts.stream_idle = 500ms;
        openai::client client(ioc.get_executor(), config);
        auto r = run(ioc, drain_generation(client.images(), stream_request("drip", 1),
                                           tagged(unique_key("drip"), "drip-bytes-per-s=20000")));
        check_sequence(r, 1, false);
    }
    {
        // The same drip with a 20 ms idle timeout fails between two slices.
        asio::io_context ioc;
        auto config = config_for(small_emulator());
        config.timeouts.stream_idle = 20ms;
        openai::client client(ioc.get_executor(), config);
        auto r = run(ioc, drain_generation(client.images(), stream_request("drip", 1),
                                           tagged(unique_key("drip"), "drip-bytes-per-s=20000")));
        BOOST_TEST(r.opened, r.error.message);
        BOOST_TEST(r.error.code == openai::errc::stream_idle_timeout, r.error.message);
        BOOST_TEST(!r.error.request_id.empty());
        BOOST_TEST(client.stats().connections_idle == 0u);
        BOOST_TEST(client.stats().connections_in_use == 0u);
    }
}

BOOST_AUTO_TEST_CASE(cancelling_next_mid_event) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        // 2 KB per second: the first event takes about two seconds to arrive.
        auto stream = co_await client.images().generate_stream(
            stream_request("cancel", 1), tagged(unique_key("cancel"), "drip-bytes-per-s=2000"),
            asio::use_awaitable);
        asio::steady_timer deadline(co_await asio::this_coro::executor, 300ms);
        const auto start = std::chrono::steady_clock::now();
        auto winner =
            co_await (stream.next(asio::use_awaitable) || deadline.async_wait(asio::use_awaitable));
        BOOST_TEST(winner.index() == 1u);
        BOOST_TEST((std::chrono::steady_clock::now() - start < 1500ms));
        BOOST_TEST(stream.progress().bytes_received > 0u); // it was mid-event
        BOOST_TEST(client.stats().connections_in_use == 0u);
        openai::error_info info;
        auto [ec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == openai::errc::stream_closed);
        // The same through an explicit cancellation signal, with a callback.
        auto second = co_await client.images().generate_stream(
            stream_request("cancel", 1), tagged(unique_key("cancel"), "drip-bytes-per-s=2000"),
            asio::use_awaitable);
        asio::cancellation_signal signal;
        boost::system::error_code cancelled_ec;
        second.next(info, asio::bind_cancellation_slot(
                              signal.slot(),
                              [&](boost::system::error_code e, std::optional<openai::image_event>) {
                                  cancelled_ec = e;
                              }));
        deadline.expires_after(100ms);
        co_await deadline.async_wait(asio::use_awaitable);
        signal.emit(asio::cancellation_type::terminal);
        deadline.expires_after(100ms);
        co_await deadline.async_wait(asio::use_awaitable);
        BOOST_TEST(cancelled_ec == asio::error::operation_aborted);
    }());
    BOOST_TEST(client.stats().connections_idle == 0u);
    BOOST_TEST(client.stats().connections_in_use == 0u);
    // The client still works.
    auto r = run(ioc, drain_generation(client.images(), stream_request("after", 0)));
    check_sequence(r, 0, false);
}

BOOST_AUTO_TEST_CASE(early_close_and_concurrent_next) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(small_emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream = co_await client.images().generate_stream(stream_request("close", 3),
                                                               asio::use_awaitable);
        auto first = co_await stream.next(asio::use_awaitable);
        BOOST_TEST(openai::is_partial(*first));
        // A second next() while one is pending is refused; the first goes on.
        openai::error_info info;
        boost::system::error_code refused;
        std::optional<openai::image_event> second;
        bool second_done = false;
        stream.next([&](std::exception_ptr e, std::optional<openai::image_event> ev) {
            BOOST_TEST(!e);
            second = std::move(ev);
            second_done = true;
        });
        auto [ec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
        refused = ec;
        BOOST_TEST(refused == openai::errc::concurrent_next);
        asio::steady_timer wait(co_await asio::this_coro::executor, 10ms);
        while (!second_done) {
            wait.expires_after(10ms);
            co_await wait.async_wait(asio::use_awaitable);
        }
        BOOST_TEST(*openai::partial_image_index(*second) == 1);
        stream.close();
        BOOST_TEST(client.stats().connections_in_use == 0u);
        BOOST_TEST(client.stats().connections_idle == 0u);
    }());
    // A closed stream's connection is not reused.
    auto r = run(ioc, drain_generation(client.images(), stream_request("after-close", 0)));
    check_sequence(r, 0, false);
    BOOST_TEST(client.stats().connections_created == 2u);
}

BOOST_AUTO_TEST_CASE(two_thousand_concurrent_streams_on_one_thread) {
    // Each stream holds a connection: lift the descriptor limit to the hard limit.
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    constexpr int streams = 2000;
    BOOST_TEST_REQUIRE(limit.rlim_cur > streams + 100u, "RLIMIT_NOFILE too low for the test");

    emulator_process emu(
        {"--threads", "2", "--payload-bytes", "3000", "--partial-interval-ms", "20"});
    asio::io_context ioc(1);
    auto config = config_for(emu);
    config.pool.max_connections_per_origin = streams;
    config.timeouts.connect = 30s;
    config.timeouts.tls_handshake = 30s;
    // Under a sanitizer on a loaded machine, the emulator's own 15 s handshake timeout can close
    // a connection whose request the client has already sent: a lost answer, which the default
    // policy does not retry (it may have been billed). The emulator bills nothing, and this case
    // is about concurrency, so it opts in.
    config.retry.unknown_outcome = true;
    openai::client client(ioc.get_executor(), config);
    const auto rss_before = peak_rss_kib();

    int ok = 0, failed = 0, open_now = 0, open_peak = 0;
    std::string first_failure;
    auto one = [&](int i) -> asio::awaitable<void> {
        const int partials = i % 3;
        openai::error_info info;
        auto [ec, stream] = co_await client.images().generate_stream(
            stream_request("many", partials), info, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (first_failure.empty())
                first_failure = info.message;
            ++failed;
            co_return;
        }
        open_peak = std::max(open_peak, ++open_now);
        int seen = 0;
        bool good = true;
        for (;;) {
            auto [nec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
            if (nec) {
                if (first_failure.empty())
                    first_failure = info.message;
                good = false;
                break;
            }
            if (!ev)
                break;
            const bool last = seen == partials;
            good = good && openai::is_completed(*ev) == last &&
                   (last || *openai::partial_image_index(*ev) == seen) &&
                   openai::image_bytes(*ev).size() > 1000;
            ++seen;
        }
        --open_now;
        (good && seen == partials + 1 ? ok : failed) += 1;
    };
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < streams; ++i)
        asio::co_spawn(ioc, one(i), asio::detached);
    ioc.run();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    BOOST_TEST(ok == streams, first_failure);
    BOOST_TEST(failed == 0);
    const auto stats = emulator_stats(emu);
    BOOST_TEST_MESSAGE("2000 streams on one thread: "
                       << took.count() << " ms, " << open_peak
                       << " open at once on the client, emulator streams_peak "
                       << stats.at("streams_peak").to_number<std::uint64_t>()
                       << ", connections created " << client.stats().connections_created
                       << ", peak RSS " << peak_rss_kib() << " KiB (before: " << rss_before
                       << " KiB)");
    std::cout << "two_thousand_concurrent_streams: " << took.count() << " ms, " << open_peak
              << " open at once, emulator streams_peak "
              << stats.at("streams_peak").to_number<std::uint64_t>() << ", VmHWM " << peak_rss_kib()
              << " KiB (before the streams: " << rss_before << " KiB)\n";
    // They really were concurrent: every stream was opened before any returned its connection
    // (counted, not timed: the open-at-once peak above depends on the machine's load).
    BOOST_TEST(client.stats().connections_created >= static_cast<std::size_t>(streams));
}

// Streams on an io_context run by four threads, through a small pool: connections handed from
// stream to stream across threads, streams read to the end, closed early, or cancelled mid-way.
// Its point is the ThreadSanitizer pass (label "threads").
BOOST_AUTO_TEST_CASE(streams_on_a_multi_threaded_io_context, *boost::unit_test::label("threads")) {
    asio::thread_pool threads(4);
    auto config = config_for(small_emulator());
    config.pool.max_connections_per_origin = 6;
    openai::client client(threads.get_executor(), config);
    std::atomic<int> whole = 0, closed_early = 0, cancelled = 0, failed = 0;
    auto worker = [&](int w) -> asio::awaitable<void> {
        for (int i = 0; i < 6; ++i) {
            const int mode = (w + i) % 3; // 0: to the end, 1: close after one event, 2: cancel
            openai::error_info info;
            auto [ec, stream] = co_await client.images().generate_stream(
                stream_request("threads", 2), info, asio::as_tuple(asio::use_awaitable));
            if (ec) {
                BOOST_TEST_MESSAGE("open failed: " << info.message);
                ++failed;
                continue;
            }
            if (mode == 2) {
                // A timer that fires long before the stream could end (the emulator paces events
                // 2 ms apart, and the pool is shared by 24 workers): next() completes aborted or,
                // rarely, first.
                asio::steady_timer timer(co_await asio::this_coro::executor, 1us);
                auto r = co_await (stream.next(info, asio::as_tuple(asio::use_awaitable)) ||
                                   timer.async_wait(asio::as_tuple(asio::use_awaitable)));
                if (r.index() == 1)
                    ++cancelled;
                else
                    ++closed_early; // won the race: then dropped with the stream below
                continue;
            }
            int events = 0;
            bool good = true;
            for (;;) {
                auto [nec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
                if (nec) {
                    BOOST_TEST_MESSAGE("next failed: " << info.message);
                    good = false;
                    break;
                }
                if (!ev)
                    break;
                ++events;
                if (mode == 1) {
                    stream.close();
                    break;
                }
            }
            if (!good)
                ++failed;
            else if (mode == 1)
                ++closed_early;
            else
                (events == 3 ? whole : failed) += 1;
        }
    };
    // Each worker on a strand of its own: `||` emits and clears cancellation slots from the
    // completions of both of its operations, which must not run at once (Asio's rule).
    for (int w = 0; w < 24; ++w)
        asio::co_spawn(asio::make_strand(threads), worker(w), asio::detached);
    threads.join();
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(whole.load() + closed_early.load() + cancelled.load() == 24 * 6);
    BOOST_TEST(whole.load() == 48);
    BOOST_TEST(client.stats().connections_created >= 6u); // closed streams took theirs along
}

BOOST_AUTO_TEST_SUITE_END()
