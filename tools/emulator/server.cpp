// The only translation unit with Beast, Asio and OpenSSL streams (they are slow to compile).
#include "emulator/server.hpp"

#include "codec/ascii.hpp"
#include "emulator/files_api.hpp"
#include "emulator/generation_pace.hpp"
#include "emulator/upload.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace openai::emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);

using plain_stream = beast::tcp_stream;
using tls_stream = ssl::stream<beast::tcp_stream>;

constexpr auto idle_timeout = std::chrono::seconds(300);
constexpr auto io_timeout = std::chrono::seconds(120);
constexpr auto handshake_timeout = std::chrono::seconds(15);
constexpr std::size_t read_chunk = 64 * 1024;

// Outlives the io_context (declared before it): coroutine frames still pending when the server
// stops are destroyed with the io_context, and their guards touch these counters.
struct server_context {
    explicit server_context(emulator_state& s)
        : state(s)
        , latencies(s.opts)
        , slots(s.opts.max_concurrent_generations) {}

    emulator_state& state;
    latency_sampler latencies;
    generation_slots slots; // --max-concurrent-generations
    asio::io_context* ioc = nullptr;
    asio::thread_pool* workers = nullptr;
    std::optional<ssl::context> tls;
    std::atomic<bool> stopping{false};
    std::atomic<std::int64_t> in_flight{0};
};

// Counts a request from its head until its response is written.
struct in_flight_guard {
    std::atomic<std::int64_t>& n;
    explicit in_flight_guard(std::atomic<std::int64_t>& c)
        : n(c) {
        n.fetch_add(1);
    }
    ~in_flight_guard() { n.fetch_sub(1); }
    in_flight_guard(const in_flight_guard&) = delete;
    in_flight_guard& operator=(const in_flight_guard&) = delete;
};

plain_stream& tcp_layer(plain_stream& s) {
    return s;
}
plain_stream& tcp_layer(tls_stream& s) {
    return s.next_layer();
}

// Abortive close: RST instead of FIN, and no TLS close_notify.
template <class Stream>
void reset_connection(Stream& s) {
    boost::system::error_code ec;
    auto& sock = tcp_layer(s).socket();
    sock.set_option(tcp::socket::linger(true, 0), ec);
    sock.close(ec);
}

template <class Stream>
awaitable<void> graceful_close(Stream& s) {
    boost::system::error_code ec;
    if constexpr (std::is_same_v<Stream, tls_stream>) {
        tcp_layer(s).expires_after(std::chrono::seconds(2));
        co_await s.async_shutdown(tuple_awaitable);
    }
    auto& sock = tcp_layer(s).socket();
    sock.shutdown(tcp::socket::shutdown_send, ec);
    sock.close(ec);
}

// Waits for a generation slot (--max-concurrent-generations), first come first served. The
// wake function may run on any thread: it marks the grant and cancels the wait on this
// coroutine's strand (posted, so it lands after the wait started if it had not yet).
awaitable<void> acquire_generation_slot(server_context& ctx) {
    auto ex = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
    auto granted = std::make_shared<std::atomic<bool>>(false);
    if (ctx.slots.acquire([timer, granted, ex] {
            granted->store(true);
            asio::post(ex, [timer] { timer->cancel(); });
        }))
        co_return;
    while (!granted->load())
        co_await timer->async_wait(tuple_awaitable);
}

// Gives the slot back when the generation's response is written (or abandoned).
struct generation_slot_guard {
    generation_slots* slots = nullptr;
    ~generation_slot_guard() {
        if (slots)
            slots->release();
    }
};

awaitable<void> sleep_for(std::chrono::milliseconds d) {
    if (d.count() <= 0)
        co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    co_await timer.async_wait(tuple_awaitable);
}

// The reset of `reset-after-bytes`: a moment after the last byte, so that the peer's kernel has
// acknowledged the bytes before the RST arrives (a RST may discard unread data on some stacks).
template <class Stream>
awaitable<void> reset_soon(Stream& s) {
    co_await sleep_for(std::chrono::milliseconds(20));
    reset_connection(s);
}

// Writes a plan's bytes with its byte-level faults. Returns false when the connection must not
// be used again (reset, write error, no response).
template <class Stream>
awaitable<bool> write_plan(Stream& s, const wire_plan& plan, server_stats& stats) {
    if (plan.no_response) {
        reset_connection(s);
        co_return false;
    }
    std::uint64_t written = 0;
    bool limited = plan.max_write != 0 || plan.drip_bytes_per_s != 0 || plan.reset_after_bytes;
    std::vector<asio::const_buffer> pending;
    tcp_layer(s).expires_after(io_timeout);

    auto flush = [&]() -> awaitable<bool> {
        if (pending.empty())
            co_return true;
        auto [ec, n] = co_await asio::async_write(s, pending, tuple_awaitable);
        pending.clear();
        written += n;
        stats.bytes_sent.fetch_add(n, std::memory_order_relaxed);
        co_return !ec;
    };

    for (const wire_segment& seg : plan.segments) {
        if (seg.delay.count() > 0) {
            if (!co_await flush())
                co_return false;
            co_await sleep_for(seg.delay);
            tcp_layer(s).expires_after(io_timeout);
        }
        if (!limited) {
            for (const auto& p : seg.bytes.pieces())
                pending.emplace_back(p.bytes.data(), p.bytes.size());
            continue;
        }
        // Byte-level faults: write in slices.
        std::size_t slice_max = seg.body && plan.max_write != 0 ? plan.max_write : SIZE_MAX;
        if (plan.drip_bytes_per_s != 0)
            slice_max = std::min<std::size_t>(
                slice_max, std::max<std::uint64_t>(1, plan.drip_bytes_per_s / 20));
        const auto& pieces = seg.bytes.pieces();
        std::size_t pi = 0, off = 0;
        while (pi < pieces.size()) {
            std::size_t budget = slice_max;
            if (plan.reset_after_bytes) {
                if (written >= *plan.reset_after_bytes) {
                    co_await reset_soon(s);
                    co_return false;
                }
                budget = std::min<std::size_t>(budget, *plan.reset_after_bytes - written);
            }
            std::size_t taken = 0;
            while (pi < pieces.size() && taken < budget) {
                std::string_view b = pieces[pi].bytes.substr(off);
                std::size_t n = std::min(b.size(), budget - taken);
                pending.emplace_back(b.data(), n);
                taken += n;
                off += n;
                if (off == pieces[pi].bytes.size()) {
                    ++pi;
                    off = 0;
                }
            }
            if (!co_await flush())
                co_return false;
            if (plan.drip_bytes_per_s != 0)
                co_await sleep_for(std::chrono::milliseconds(
                    std::max<std::uint64_t>(1, taken * 1000 / plan.drip_bytes_per_s)));
            tcp_layer(s).expires_after(io_timeout);
        }
    }
    if (!co_await flush())
        co_return false;
    if (plan.reset_after_bytes && written >= *plan.reset_after_bytes) {
        co_await reset_soon(s);
        co_return false;
    }
    co_return true;
}

// Reads the body of a request whose head is in `parser`, into `req` as `policy` says.
// Returns false when the connection is unusable.
template <class Stream>
awaitable<bool> read_body(Stream& s, beast::flat_buffer& buffer,
                          http::request_parser<http::buffer_body>& parser,
                          const body_policy& policy, received_request& req, server_context& ctx) {
    const options& o = ctx.state.opts;
    std::uint64_t limit =
        policy.kind == received_request::body_kind::json ? o.max_json_body : o.max_multipart_body;
    parser.body_limit(limit);
    if (auto len = parser.content_length(); len && *len > limit) {
        req.body_error = "Request body too large: " + std::to_string(*len) +
                         " bytes, the limit is " + std::to_string(limit) + ".";
        req.body_error_status = 413;
        co_return false; // not read: the connection closes after the answer
    }
    req.kind = policy.kind;
    std::optional<form_intake> form;
    if (policy.kind == received_request::body_kind::multipart) {
        form.emplace(policy.keep_files ? upload_limits() : form_limits{});
        form->start(req.header("content-type") ? *req.header("content-type") : "");
    }
    // Small bodies get a small buffer: ten thousand connections posting JSON at once should not
    // hold 64 KiB each.
    std::size_t chunk_size = read_chunk;
    if (auto len = parser.content_length())
        chunk_size = static_cast<std::size_t>(
            std::clamp<std::uint64_t>(*len, 1, static_cast<std::uint64_t>(read_chunk)));
    std::unique_ptr<char[]> chunk(parser.is_done() ? nullptr : new char[chunk_size]);
    while (!parser.is_done()) {
        parser.get().body().data = chunk.get();
        parser.get().body().size = chunk_size;
        tcp_layer(s).expires_after(io_timeout);
        auto [ec, n] = co_await http::async_read(s, buffer, parser, tuple_awaitable);
        (void)n;
        if (ec == http::error::need_buffer)
            ec = {};
        std::size_t got = chunk_size - parser.get().body().size;
        if (ec) {
            if (ec == http::error::body_limit) {
                req.body_error =
                    "Request body too large: the limit is " + std::to_string(limit) + " bytes.";
                req.body_error_status = 413;
            }
            co_return false;
        }
        if (got == 0)
            continue;
        std::string_view bytes(chunk.get(), got);
        req.body_size += got;
        ctx.state.stats.bytes_received.fetch_add(got, std::memory_order_relaxed);
        switch (policy.kind) {
        case received_request::body_kind::json:
            req.json_text.append(bytes);
            break;
        case received_request::body_kind::multipart:
            if (form)
                form->feed(bytes);
            break;
        case received_request::body_kind::other:
        case received_request::body_kind::none:
            break;
        }
    }
    if (form)
        req.form = form->finish();
    // An empty JSON body stays JSON: it is answered as unparsable, like the API does.
    if (req.body_size == 0 && policy.kind == received_request::body_kind::other)
        req.kind = received_request::body_kind::none;
    co_return true;
}

template <class Stream>
awaitable<void> serve(Stream& s, server_context& ctx) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::buffer_body> parser;
        parser.header_limit(64 * 1024);
        // Beast checks Content-Length against the body limit while parsing the head, and a
        // request parser's default limit is 1 MB: lift it here; read_body applies the limit of
        // the request's kind (and answers 413 instead of dropping the connection).
        parser.body_limit(boost::none);
        tcp_layer(s).expires_after(idle_timeout);
        auto [ec, n] = co_await http::async_read_header(s, buffer, parser, tuple_awaitable);
        (void)n;
        if (ec)
            co_return; // closed, idle, or garbage: nothing to answer
        in_flight_guard guard(ctx.in_flight);
        auto& head = parser.get();

        received_request req;
        req.method = std::string(head.method_string());
        req.target = std::string(head.target());
        for (const auto& field : head)
            req.headers.emplace_back(codec::to_lower(field.name_string()),
                                     std::string(field.value()));
        std::string content_type = req.header("content-type") ? *req.header("content-type") : "";
        body_policy policy = classify(req.method, req.target, content_type);

        if (auto* expect = req.header("expect");
            expect && codec::to_lower(*expect) == "100-continue") {
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [wec, wn] = co_await asio::async_write(s, asio::buffer(cont), tuple_awaitable);
            (void)wn;
            if (wec)
                co_return;
        }

        bool usable = co_await read_body(s, buffer, parser, policy, req, ctx);
        if (!usable && req.body_error.empty())
            co_return; // the peer went away mid-body
        bool keep_alive = usable && head.keep_alive() && !ctx.stopping.load();

        handled h;
        if (policy.heavy) {
            // Image synthesis can take milliseconds: keep it off the I/O threads.
            h = co_await asio::co_spawn(
                *ctx.workers,
                [&req, &ctx]() -> awaitable<handled> { co_return handle_request(req, ctx.state); },
                use_awaitable);
        } else {
            h = handle_request(req, ctx.state);
        }
        // A generation (an image request answered 2xx): its latency varies by the jitter, and
        // it waits for a slot when the emulated service is at capacity; the slot is held until
        // its last byte is written, streamed events included.
        generation_slot_guard slot;
        if (policy.heavy && h.r.status / 100 == 2) {
            h.r.latency = ctx.latencies.draw(h.r.latency);
            if (ctx.slots.limited()) {
                co_await acquire_generation_slot(ctx);
                slot.slots = &ctx.slots;
            }
        }
        wire_plan plan = make_wire_plan(h.r, h.fault ? &*h.fault : nullptr, keep_alive);
        if (h.r.stream)
            ctx.state.stats.stream_opened();
        bool ok = co_await write_plan(s, plan, ctx.state.stats);
        if (h.r.stream)
            ctx.state.stats.stream_closed();
        ctx.state.stats.requests_served.fetch_add(1, std::memory_order_relaxed);
        if (!ok)
            co_return;
        if (plan.close_after) {
            co_await graceful_close(s);
            co_return;
        }
    }
}

awaitable<void> session(tcp::socket socket, server_context& ctx) {
    ctx.state.stats.connection_opened();
    struct closer {
        server_stats& stats;
        ~closer() { stats.connection_closed(); }
    } count_close{ctx.state.stats};
    try {
        boost::system::error_code ec;
        socket.set_option(tcp::no_delay(true), ec);
        if (ctx.tls) {
            tls_stream stream(beast::tcp_stream(std::move(socket)), *ctx.tls);
            tcp_layer(stream).expires_after(handshake_timeout);
            auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
            if (hec) {
                ctx.state.stats.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
                co_return;
            }
            co_await serve(stream, ctx);
        } else {
            plain_stream stream(std::move(socket));
            co_await serve(stream, ctx);
        }
    } catch (const std::exception& e) {
        std::cerr << "openai-images-emulator: connection failed: " << e.what() << std::endl;
    }
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, server_context& ctx) {
    for (;;) {
        auto [ec, socket] =
            co_await acceptor.async_accept(asio::make_strand(*ctx.ioc), tuple_awaitable);
        if (ec) {
            if (ctx.stopping.load() || ec == asio::error::operation_aborted)
                co_return;
            // Out of descriptors and the like: back off instead of spinning.
            co_await sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        auto ex = socket.get_executor();
        asio::co_spawn(ex, session(std::move(socket), ctx), asio::detached);
    }
}

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

void server_control::request_stop() {
    // Under the lock, so that the server cannot finish and destroy its io_context meanwhile
    // (stop_ only posts, so holding the lock is brief).
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (stop_)
        stop_();
}

int run_server(emulator_state& state, const std::optional<server_tls>& tls, std::ostream& ready_out,
               server_control* control) {
    server_context ctx{state};
    try {
        if (tls) {
            ctx.tls.emplace(ssl::context::tls_server);
            ctx.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                 ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
            ctx.tls->use_certificate_chain(asio::buffer(tls->cert_chain_pem));
            ctx.tls->use_private_key(asio::buffer(tls->key_pem), ssl::context::pem);
            // Idle connections (thousands of slow streams) give their record buffers back.
            SSL_CTX_set_mode(ctx.tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
            SSL_CTX* native = ctx.tls->native_handle();
            if (state.opts.tls_resumption) {
                // Resumable sessions, as real servers offer: TLS 1.3 tickets (two after each
                // handshake) and, for TLS 1.2, tickets and a session cache.
                static constexpr unsigned char session_context[] = "openai-images-emulator";
                SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
                SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
                SSL_CTX_sess_set_cache_size(native, 20'000);
                SSL_CTX_clear_options(native, SSL_OP_NO_TICKET);
                SSL_CTX_set_num_tickets(native, 2);
            } else {
                // Every handshake a full one: no tickets, no session ids to come back with.
                SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
                SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
                SSL_CTX_set_num_tickets(native, 0);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "openai-images-emulator: TLS setup failed: " << e.what() << std::endl;
        return 1;
    }
    asio::io_context ioc(static_cast<int>(state.opts.threads));
    // Declared after the io_context so that it goes first: work it still holds may own coroutine
    // frames whose sockets need the io_context alive while they are destroyed.
    asio::thread_pool workers(std::max(2u, std::min(8u, std::thread::hardware_concurrency())));
    ctx.ioc = &ioc;
    ctx.workers = &workers;
    tcp::acceptor acceptor(ioc);
    try {
        tcp::endpoint ep(asio::ip::make_address(state.opts.host), state.opts.port);
        acceptor.open(ep.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        std::cerr << "openai-images-emulator: cannot listen on " << state.opts.host << ":"
                  << state.opts.port << ": " << e.what() << std::endl;
        return 1;
    }
    state.port = acceptor.local_endpoint().port();
    state.scheme = tls ? "https" : "http";

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer grace(ioc);
    auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
    std::function<void()> poll_shutdown = [&]() {
        if (ctx.in_flight.load() <= 0 || std::chrono::steady_clock::now() >= *deadline) {
            ioc.stop();
            return;
        }
        grace.expires_after(std::chrono::milliseconds(20));
        grace.async_wait([&](const boost::system::error_code&) { poll_shutdown(); });
    };
    // Stop accepting, let in-flight responses finish for the grace period, then stop.
    auto begin_shutdown = [&] {
        if (ctx.stopping)
            return;
        ctx.stopping = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        *deadline = std::chrono::steady_clock::now() + state.opts.shutdown_grace;
        poll_shutdown();
    };
    if (control) {
        signals.clear();
        std::lock_guard lock(control->mutex_);
        control->stop_ = [&ioc, begin_shutdown] { asio::post(ioc, begin_shutdown); };
        if (control->stop_requested_)
            asio::post(ioc, begin_shutdown);
    } else {
        signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec)
                return;
            begin_shutdown();
            // A second signal cuts the grace period short.
            signals.async_wait([&](const boost::system::error_code& again, int) {
                if (!again)
                    ioc.stop();
            });
        });
    }

    // Batches advance on timers of this io_context, each step (an image synthesis) on the
    // workers, so that a running batch never holds up a request. Set only once the server is
    // sure to run: it is cleared after the workers stopped, on the one way out.
    state.batches.set_scheduler([&ioc, &workers](std::chrono::milliseconds delay,
                                                 std::function<void()> work) {
        auto timer = std::make_shared<asio::steady_timer>(ioc, delay);
        timer->async_wait(
            [timer, &workers, work = std::move(work)](const boost::system::error_code& ec) mutable {
                if (!ec)
                    asio::post(workers, std::move(work));
            });
    });
    asio::co_spawn(ioc, accept_loop(acceptor, ctx), asio::detached);

    ready_out << "listening on " << state.scheme << "://" << url_host(state.opts.host) << ":"
              << state.port << std::endl; // endl: the line must be flushed
    if (control && control->on_ready)
        control->on_ready(state.port);

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < state.opts.threads; ++i)
        threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads)
        t.join();
    ctx.slots.close(); // queued generations are dropped with the io_context, never woken
    if (control) {
        std::lock_guard lock(control->mutex_);
        control->stop_ = nullptr; // the io_context it posts to is going away
    }
    workers.stop();
    workers.join();
    state.batches.set_scheduler(nullptr); // its io_context and workers are going away
    return 0;
}

} // namespace openai::emulator
