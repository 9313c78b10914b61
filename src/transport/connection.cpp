#include "transport/connection.hpp"

#include <openai/error.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

namespace openai::transport {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// Large enough for any real response head; small enough that a hostile server cannot make us
// buffer much. Bodies never land in this buffer, except bytes that arrived with the head.
constexpr std::size_t read_buffer_limit = 64 * 1024;
constexpr std::uint32_t header_limit = 64 * 1024;
// Heads are read this much at a time (more only for heads that need it).
constexpr std::size_t head_read_size = 4096;
constexpr std::size_t write_chunk = 64 * 1024;
// A request this small goes out as one write (one TLS record) with its head.
constexpr std::size_t coalesce_limit = 16 * 1024;
// Reads that complete without waiting, in a row, before the coroutine yields to other work.
constexpr unsigned max_immediate_reads = 32;

} // namespace

deadline phase_deadline(std::chrono::milliseconds phase_timeout, error_code phase_error,
                        const deadline& request) {
    deadline d = request;
    if (phase_timeout.count() > 0) {
        const auto at = clock::now() + phase_timeout;
        if (at < d.at)
            d = {at, phase_error};
    }
    return d;
}

connection::connection(asio::any_io_executor ex, transport::route route, asio::ssl::context* tls,
                       std::shared_ptr<tls_session_cache> sessions,
                       std::shared_ptr<tls_handshake_counters> counters)
    : executor_(std::move(ex))
    , route_(std::move(route))
    , tls_context_(tls)
    , tls_sessions_(std::move(sessions))
    , tls_counters_(std::move(counters))
    , timer_(executor_)
    , read_buffer_(read_buffer_limit) {}

connection::~connection() {
    close();
}

bool connection::is_open() const noexcept {
    return socket_ && socket_->is_open();
}

void connection::close() noexcept {
    error_code ignored;
    if (socket_)
        socket_->close(ignored);
    reusable_ = false;
}

bool connection::looks_alive() noexcept {
    if (!is_open() || read_buffer_.size() != 0)
        return false;
    const int fd = socket_->native_handle();
    char probe = 0;
    const auto n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return false; // orderly close by the server
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK;
    // Unsolicited bytes: garbage on plain HTTP; on TLS possibly a late session ticket or a
    // close_notify, which we cannot tell apart without reading. A dead TLS connection fails on
    // first use and is replaced without counting as a retry.
    return tls_ != nullptr;
}

void connection::arm(const deadline& d, const asio::any_io_executor& strand) {
    timer_fired_ = false;
    const auto generation = ++timer_generation_;
    if (d.at == clock::time_point::max())
        return;
    fired_reason_ = d.reason;
    timer_.expires_at(d.at);
    timer_.async_wait(
        asio::bind_executor(strand, [weak = weak_from_this(), generation](const error_code& ec) {
            if (ec)
                return;
            auto self = weak.lock();
            if (!self || self->timer_generation_ != generation)
                return;
            self->timer_fired_ = true;
            // Aborts the pending operation, which then reports fired_reason_.
            if (self->resolver_)
                self->resolver_->cancel();
            self->close();
        }));
}

void connection::disarm() noexcept {
    ++timer_generation_;
    timer_.cancel();
}

void connection::translate(error_code& ec, std::string& what, const char* during) const {
    if (!ec)
        return;
    const std::string where = " (" + route_.target.host_header() +
                              (route_.proxy ? " via proxy " + route_.proxy->display() : "") + ")";
    if (timer_fired_) {
        ec = fired_reason_;
        what = ec.message() + " while " + during + where;
        return;
    }
    if (ec == asio::error::operation_aborted) {
        what = std::string("cancelled while ") + during;
        return;
    }
    const auto original = ec.message();
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
        ec == asio::error::connection_aborted || ec == http::error::end_of_stream)
        ec = errc::connection_closed;
    else if (ec == http::error::partial_message)
        ec = errc::truncated_body;
    else if (ec.category() == make_error_code(http::error::bad_version).category() ||
             ec == http::error::header_limit)
        ec = errc::invalid_response;
    what = std::string(make_error_code(errc::connection_closed) == ec ? "connection closed by peer"
                       : ec == errc::truncated_body                   ? "response body truncated"
                                                                      : "I/O error") +
           " while " + during + where + ": " + original;
}

asio::awaitable<void> connection::open(std::chrono::milliseconds connect_timeout,
                                       std::chrono::milliseconds handshake_timeout,
                                       const deadline& request, error_code& ec, std::string& what) {
    const auto strand = co_await asio::this_coro::executor;
    const auto& target = route_.target;
    // Through a proxy the TCP connection goes to the proxy; TLS still names the origin.
    const std::string& peer_host = route_.proxy ? route_.proxy->host : target.host;
    const std::uint16_t peer_port = route_.proxy ? route_.proxy->port : target.port;
    const std::string peer = route_.proxy ? "proxy " + route_.proxy->display()
                                          : target.host + ":" + std::to_string(target.port);
    const auto where = target.host + ":" + std::to_string(target.port);

    // Resolution, connection and the proxy's CONNECT share the connect budget.
    const auto connect_deadline = phase_deadline(connect_timeout, errc::connect_timeout, request);
    // An IP literal needs no resolver (whose getaddrinfo runs on a thread of its own: two
    // thread hand-overs per connection).
    error_code not_literal;
    const auto literal = asio::ip::make_address(peer_host, not_literal);
    tcp::resolver::results_type endpoints;
    if (not_literal) {
        resolver_.emplace(executor_);
        arm(connect_deadline, strand);
        endpoints = co_await resolver_->async_resolve(
            peer_host, std::to_string(peer_port), asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        resolver_.reset();
    }
    if (ec) {
        if (timer_fired_ || ec == asio::error::operation_aborted) {
            translate(ec, what, "resolving the host name");
        } else {
            what = "cannot resolve " + (route_.proxy ? "proxy " + peer_host : peer_host) + ": " +
                   ec.message();
            ec = errc::resolve_failed;
        }
        co_return;
    }

    tls_.reset();
    read_buffer_.clear();
    tcp::socket& sock = socket_.emplace(executor_);
    arm(connect_deadline, strand);
    if (not_literal)
        co_await asio::async_connect(sock, endpoints,
                                     asio::redirect_error(asio::use_awaitable, ec));
    else
        co_await sock.async_connect(tcp::endpoint(literal, peer_port),
                                    asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec) {
        if (timer_fired_) {
            translate(ec, what, "connecting");
        } else if (ec != asio::error::operation_aborted) {
            what = "cannot connect to " + peer + ": " + ec.message();
            ec = errc::connect_failed;
        } else {
            what = "cancelled while connecting";
        }
        close();
        co_return;
    }
    sock.set_option(tcp::no_delay(true), ec);
    ec = {};
    // Reads and writes are tried first and waited for only when the socket has nothing.
    sock.non_blocking(true, ec);
    if (ec) {
        what = "cannot configure the socket to " + peer + ": " + ec.message();
        ec = errc::connect_failed;
        close();
        co_return;
    }

    if (route_.tunnel()) {
        co_await open_tunnel(sock, connect_deadline, ec, what);
        if (ec) {
            close();
            co_return;
        }
    }

    if (tls_context_) {
        // Sessions are kept per route (origin, and proxy for a tunnel): the TLS inside a tunnel
        // resumes with the origin as a direct connection does.
        tls_ = std::make_unique<tls_session>(tls_context_->native_handle(), target.host,
                                             tls_sessions_, route_.key());
        tls_->attach(sock.native_handle());
        const auto limit = phase_deadline(handshake_timeout, errc::tls_handshake_timeout, request);
        timer_fired_ = false;
        for (;;) {
            const auto next = tls_->handshake(ec);
            if (next == tls_session::step::done || next == tls_session::step::failed)
                break;
            co_await wait_ready(next == tls_session::step::want_read ? tcp::socket::wait_read
                                                                     : tcp::socket::wait_write,
                                limit, ec);
            if (ec)
                break;
        }
        if (ec) {
            const long verify = SSL_get_verify_result(tls_->native_handle());
            if (timer_fired_ || ec == asio::error::operation_aborted) {
                translate(ec, what, "in the TLS handshake");
            } else if (verify != X509_V_OK) {
                what = "certificate verification failed for " + where + ": " +
                       X509_verify_cert_error_string(verify);
                ec = errc::certificate_verification_failed;
            } else {
                what = "TLS handshake with " + where + " failed: " + ec.message();
                ec = errc::tls_handshake_failed;
            }
            close();
            co_return;
        }
        if (tls_counters_)
            ++(tls_->resumed() ? tls_counters_->resumed : tls_counters_->full);
    }
    idle_since_ = clock::now();
}

asio::awaitable<void> connection::open_tunnel(tcp::socket& sock, const deadline& limit,
                                              error_code& ec, std::string& what) {
    const auto strand = co_await asio::this_coro::executor;
    const auto& proxy = *route_.proxy;
    const auto where = route_.target.host + ":" + std::to_string(route_.target.port);
    const auto request = connect_request(route_.target, proxy);
    arm(limit, strand);
    co_await asio::async_write(sock, asio::buffer(request),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
        // A 2xx answer to CONNECT has no body whatever its headers say (RFC 9110 9.3.6): read
        // the head only, and treat any other answer's body as unread.
        http::response_parser<http::empty_body> parser;
        parser.header_limit(header_limit);
        parser.skip(true);
        co_await http::async_read_header(sock, read_buffer_, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (!ec) {
            const auto& head = parser.get();
            const auto status = head.result_int();
            if (status / 100 == 2 && read_buffer_.size() == 0)
                co_return;
            ec = errc::proxy_error;
            if (status / 100 == 2) {
                what = "proxy " + proxy.display() + " sent data after accepting CONNECT to " +
                       where + " (not a tunnel)";
            } else {
                what = "proxy " + proxy.display() + " refused CONNECT to " + where + ": HTTP/" +
                       std::to_string(head.version() / 10) + "." +
                       std::to_string(head.version() % 10) + " " + std::to_string(status) + " " +
                       std::string(head.reason());
                // 407 is the proxy's own demand for credentials. Before a tunnel exists only the
                // proxy can answer, so a 401 means the same (tinyproxy 1.11 sends 401).
                if (status == 407 || status == 401)
                    what += proxy.authorization.empty()
                                ? " (the proxy wants credentials: put user:password@ in its URL)"
                                : " (the proxy did not accept the credentials in its URL)";
            }
            read_buffer_.clear();
            co_return;
        }
    } else {
        disarm();
    }
    if (timer_fired_ || ec == asio::error::operation_aborted) {
        translate(ec, what, "opening a tunnel through the proxy");
        co_return;
    }
    const auto original = ec.message();
    ec = errc::proxy_error;
    what =
        "proxy " + proxy.display() + " broke the CONNECT exchange for " + where + ": " + original;
}

asio::awaitable<void> connection::wait_ready(tcp::socket::wait_type what, const deadline& limit,
                                             error_code& ec) {
    arm(limit, co_await asio::this_coro::executor);
    co_await socket_->async_wait(what, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
}

asio::awaitable<std::size_t> connection::read_some(asio::mutable_buffer buffer,
                                                   const deadline& limit, error_code& ec) {
    bool waited = false;
    std::size_t n = 0;
    for (;;) {
        if (!is_open()) {
            ec = asio::error::operation_aborted; // closed: by the deadline, close(), or an error
            co_return 0;
        }
        auto wait = tcp::socket::wait_read;
        if (tls_) {
            const auto next = tls_->read(buffer, n, ec);
            if (next == tls_session::step::done)
                break;
            if (next == tls_session::step::failed)
                co_return 0;
            if (next == tls_session::step::want_write)
                wait = tcp::socket::wait_write;
        } else {
            n = socket_->read_some(buffer, ec);
            if (ec != asio::error::would_block && ec != asio::error::try_again) {
                if (ec)
                    co_return 0;
                break;
            }
            ec = {};
        }
        waited = true;
        co_await wait_ready(wait, limit, ec);
        if (ec)
            co_return 0;
    }
    if (waited) {
        immediate_reads_ = 0;
    } else if (++immediate_reads_ >= max_immediate_reads) {
        immediate_reads_ = 0;
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }
    co_return n;
}

asio::awaitable<void> connection::write(asio::const_buffer buffer, const deadline& limit,
                                        error_code& ec) {
    while (buffer.size() != 0) {
        if (!is_open()) {
            ec = asio::error::operation_aborted;
            co_return;
        }
        std::size_t n = 0;
        auto wait = tcp::socket::wait_write;
        if (tls_) {
            const auto next = tls_->write(buffer, n, ec);
            if (next == tls_session::step::failed)
                co_return;
            if (next == tls_session::step::done) {
                buffer += n;
                continue;
            }
            if (next == tls_session::step::want_read)
                wait = tcp::socket::wait_read;
        } else {
            n = socket_->write_some(buffer, ec);
            if (ec != asio::error::would_block && ec != asio::error::try_again) {
                if (ec)
                    co_return;
                buffer += n;
                continue;
            }
            ec = {};
        }
        co_await wait_ready(wait, limit, ec);
        if (ec)
            co_return;
    }
}

asio::awaitable<void> connection::write_request(const std::string& head, const body_source* body,
                                                std::chrono::milliseconds write_timeout,
                                                const deadline& request, error_code& ec,
                                                std::string& what) {
    reusable_ = false; // until a complete response says otherwise
    parser_.reset();   // the previous response's parser must not count for this exchange
    timer_fired_ = false;
    const std::string* whole = body ? body->in_memory() : nullptr;
    if (!body || whole) {
        const auto limit = phase_deadline(write_timeout, errc::write_timeout, request);
        if (whole && head.size() + whole->size() <= coalesce_limit) {
            // One write, one TLS record: a small request leaves in one segment.
            std::string request_bytes;
            request_bytes.reserve(head.size() + whole->size());
            request_bytes.append(head).append(*whole);
            co_await write(asio::buffer(request_bytes), limit, ec);
        } else {
            co_await write(asio::buffer(head), limit, ec);
            if (!ec && whole)
                co_await write(asio::buffer(*whole), limit, ec);
        }
        translate(ec, what, "sending the request");
        if (ec)
            close();
        co_return;
    }

    auto cursor = body->open(ec, what);
    if (ec) {
        close();
        co_return; // the body source named the file and the problem
    }
    co_await write(asio::buffer(head), phase_deadline(write_timeout, errc::write_timeout, request),
                   ec);
    if (ec) {
        translate(ec, what, "sending the request");
        close();
        co_return;
    }
    std::unique_ptr<char[]> chunk(new char[write_chunk]);
    std::uint64_t sent = 0;
    for (;;) {
        const auto n = cursor->read(chunk.get(), write_chunk, ec, what);
        if (ec) {
            close();
            co_return;
        }
        if (n == 0)
            break;
        // Each write gets the whole write timeout: it bounds a stall, not the upload.
        co_await write(asio::buffer(chunk.get(), n),
                       phase_deadline(write_timeout, errc::write_timeout, request), ec);
        if (ec) {
            translate(ec, what, "sending the request body");
            close();
            co_return;
        }
        sent += n;
    }
    if (sent != body->size()) {
        ec = errc::file_changed;
        what = "request body changed length while being sent (" + std::to_string(sent) + " of " +
               std::to_string(body->size()) + " bytes)";
        close();
    }
}

asio::awaitable<void> connection::read_head(const deadline& first_byte, error_code& ec,
                                            std::string& what) {
    timer_fired_ = false;
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(boost::none); // callers enforce their own limit as bytes arrive
    framing_ = framing::none;
    body_done_ = false;
    bytes_after_body_ = false;
    chunked_ = {};
    for (;;) {
        if (read_buffer_.size() != 0) {
            const auto used = parser_->put(read_buffer_.data(), ec);
            read_buffer_.consume(used);
            if (ec == http::error::need_more)
                ec = {};
            if (ec || parser_->is_header_done())
                break;
        }
        const auto room = read_buffer_.max_size() - read_buffer_.size();
        if (room == 0) {
            ec = http::error::header_limit;
            break;
        }
        const auto n = co_await read_some(read_buffer_.prepare(std::min(room, head_read_size)),
                                          first_byte, ec);
        read_buffer_.commit(n);
        if (ec == asio::error::eof) {
            // Nothing at all: the server closed a kept-alive connection. Part of a head: cut.
            ec = read_buffer_.size() == 0 && !parser_->got_some() ? http::error::end_of_stream
                                                                  : http::error::partial_message;
        }
        if (ec)
            break;
    }
    if (ec) {
        translate(ec, what, "waiting for the response");
        close();
        co_return;
    }
    start_body();
}

void connection::start_body() {
    if (parser_->is_done()) {
        body_done_ = true; // no body: 204, 304, or Content-Length: 0
    } else if (parser_->chunked()) {
        framing_ = framing::chunked;
    } else if (const auto length = parser_->content_length()) {
        framing_ = framing::length;
        body_left_ = *length;
    } else {
        framing_ = framing::until_close;
    }
    if (read_buffer_.size() == 0)
        read_buffer_.shrink_to_fit(); // idle connections and open streams keep no buffer
}

asio::awaitable<std::size_t> connection::read_raw(char* data, std::size_t size,
                                                  const deadline& limit, error_code& ec) {
    if (const auto buffered = read_buffer_.size()) {
        const auto n = std::min(size, buffered);
        std::memcpy(data, read_buffer_.data().data(), n);
        read_buffer_.consume(n);
        if (read_buffer_.size() == 0)
            read_buffer_.shrink_to_fit();
        co_return n;
    }
    co_return co_await read_some(asio::buffer(data, size), limit, ec);
}

asio::awaitable<std::size_t> connection::read_body(char* data, std::size_t size,
                                                   const deadline& limit, error_code& ec,
                                                   std::string& what) {
    if (!parser_ || body_done_ || size == 0)
        co_return 0;
    timer_fired_ = false;
    std::size_t got = 0;
    // A chunked read may bring only framing, so loop until body bytes arrive or the body ends.
    while (got == 0 && !body_done_) {
        const auto want = framing_ == framing::length
                              ? static_cast<std::size_t>(std::min<std::uint64_t>(size, body_left_))
                              : size;
        const auto n = co_await read_raw(data, want, limit, ec);
        if (ec == asio::error::eof && framing_ == framing::until_close) {
            ec = {}; // the close ends this body; a close_notify proves it was not cut
            body_done_ = true;
            break;
        }
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
            ec = http::error::partial_message;
        if (ec)
            break;
        switch (framing_) {
        case framing::length:
            body_left_ -= n;
            body_done_ = body_left_ == 0;
            got = n;
            break;
        case framing::chunked: {
            const auto decoded = chunked_.decode(data, n);
            got = decoded.body;
            if (chunked_.failed()) {
                ec = errc::invalid_response;
                break;
            }
            body_done_ = chunked_.done();
            bytes_after_body_ = decoded.leftover != 0;
            break;
        }
        case framing::until_close:
            got = n;
            break;
        case framing::none:
            body_done_ = true;
            break;
        }
        if (ec)
            break;
    }
    if (ec == errc::invalid_response && !timer_fired_) {
        what = chunked_.error() + " (" + route_.target.host_header() + ")";
        close();
    } else if (ec) {
        translate(ec, what, "reading the response body");
        close();
    }
    co_return got;
}

void connection::finish_exchange() noexcept {
    ++exchanges_;
    idle_since_ = clock::now();
    // Anything beyond the response (unread bytes, plaintext waiting in TLS) would be taken for
    // the next response: such a connection is not reused.
    reusable_ = parser_ && body_done_ && parser_->keep_alive() && !bytes_after_body_ &&
                read_buffer_.size() == 0 && !(tls_ && tls_->has_unread_plaintext());
    parser_.reset();
    if (!reusable_)
        close();
}

std::unique_ptr<body_cursor> string_body::open(error_code&, std::string&) const {
    struct cursor final : body_cursor {
        const std::string& data;
        std::size_t offset = 0;
        explicit cursor(const std::string& d)
            : data(d) {}
        std::size_t read(char* out, std::size_t size, error_code&, std::string&) override {
            const auto n = std::min(size, data.size() - offset);
            std::memcpy(out, data.data() + offset, n);
            offset += n;
            return n;
        }
    };
    return std::make_unique<cursor>(data_);
}

} // namespace openai::transport
