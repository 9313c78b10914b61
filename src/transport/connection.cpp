#include "transport/connection.hpp"

#include <openai/error.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
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
// buffer much. Bodies are read in pieces and never land in this buffer whole.
constexpr std::size_t read_buffer_limit = 64 * 1024;
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr std::size_t write_chunk = 64 * 1024;

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

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

connection::connection(asio::any_io_executor ex, transport::route route, asio::ssl::context* tls)
    : executor_(std::move(ex))
    , route_(std::move(route))
    , tls_context_(tls)
    , timer_(executor_)
    , read_buffer_(read_buffer_limit) {}

connection::~connection() {
    close();
}

bool connection::is_open() const noexcept {
    if (tls_stream_)
        return tls_stream_->lowest_layer().is_open();
    return socket_ && socket_->is_open();
}

void connection::close() noexcept {
    error_code ignored;
    if (tls_stream_)
        tls_stream_->lowest_layer().close(ignored);
    if (socket_)
        socket_->close(ignored);
    reusable_ = false;
}

bool connection::looks_alive() noexcept {
    if (!is_open() || read_buffer_.size() != 0)
        return false;
    const int fd =
        tls_stream_ ? tls_stream_->lowest_layer().native_handle() : socket_->native_handle();
    char probe = 0;
    const auto n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return false; // orderly close by the server
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK;
    // Unsolicited bytes: garbage on plain HTTP; on TLS possibly a late session ticket or a
    // close_notify, which we cannot tell apart without reading. A dead TLS connection fails on
    // first use and is replaced without counting as a retry.
    return tls_stream_.has_value();
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
    resolver_.emplace(executor_);
    arm(connect_deadline, strand);
    auto endpoints = co_await resolver_->async_resolve(
        peer_host, std::to_string(peer_port), asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    resolver_.reset();
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

    tcp::socket& sock = tls_context_ ? tls_stream_.emplace(executor_, *tls_context_).next_layer()
                                     : socket_.emplace(executor_);
    arm(connect_deadline, strand);
    co_await asio::async_connect(sock, endpoints, asio::redirect_error(asio::use_awaitable, ec));
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

    if (route_.tunnel()) {
        co_await open_tunnel(sock, connect_deadline, ec, what);
        if (ec) {
            close();
            co_return;
        }
    }

    if (tls_stream_) {
        SSL* ssl = tls_stream_->native_handle();
        // Idle pooled connections need not keep OpenSSL's 16 KiB record buffers around.
        SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
        // SNI carries DNS names only (RFC 6066); IP literals are verified against IP SANs.
        if (!is_ip_literal(target.host))
            SSL_set_tlsext_host_name(ssl, target.host.c_str());
        if (SSL_CTX_get_verify_mode(tls_context_->native_handle()) & SSL_VERIFY_PEER)
            tls_stream_->set_verify_callback(asio::ssl::host_name_verification(target.host));
        arm(phase_deadline(handshake_timeout, errc::tls_handshake_timeout, request), strand);
        co_await tls_stream_->async_handshake(asio::ssl::stream_base::client,
                                              asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec) {
            const long verify = SSL_get_verify_result(ssl);
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

template <class Stream>
asio::awaitable<void>
connection::write_all(Stream& s, const std::string& head, const body_source* body,
                      std::chrono::milliseconds write_timeout, const deadline& request,
                      error_code& ec, std::string& what) {
    const auto strand = co_await asio::this_coro::executor;
    const std::string* whole = body ? body->in_memory() : nullptr;
    if (!body || whole) {
        // Head and body in one gather write: one syscall (or TLS record run) for small requests.
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head), whole ? asio::buffer(*whole)
                                                                            : asio::const_buffer{}};
        arm(phase_deadline(write_timeout, errc::write_timeout, request), strand);
        co_await asio::async_write(s, buffers, asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        translate(ec, what, "sending the request");
        co_return;
    }

    auto cursor = body->open(ec, what);
    if (ec)
        co_return;
    arm(phase_deadline(write_timeout, errc::write_timeout, request), strand);
    co_await asio::async_write(s, asio::buffer(head),
                               asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec) {
        translate(ec, what, "sending the request");
        co_return;
    }
    std::unique_ptr<char[]> chunk(new char[write_chunk]);
    std::uint64_t sent = 0;
    for (;;) {
        const auto n = cursor->read(chunk.get(), write_chunk, ec, what);
        if (ec)
            co_return; // the body source named the file and the problem
        if (n == 0)
            break;
        arm(phase_deadline(write_timeout, errc::write_timeout, request), strand);
        co_await asio::async_write(s, asio::buffer(chunk.get(), n),
                                   asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec) {
            translate(ec, what, "sending the request body");
            co_return;
        }
        sent += n;
    }
    if (sent != body->size()) {
        ec = errc::file_changed;
        what = "request body changed length while being sent (" + std::to_string(sent) + " of " +
               std::to_string(body->size()) + " bytes)";
    }
}

asio::awaitable<void> connection::write_request(const std::string& head, const body_source* body,
                                                std::chrono::milliseconds write_timeout,
                                                const deadline& request, error_code& ec,
                                                std::string& what) {
    reusable_ = false; // until a complete response says otherwise
    parser_.reset();   // the previous response's parser must not count for this exchange
    if (tls_stream_)
        co_await write_all(*tls_stream_, head, body, write_timeout, request, ec, what);
    else
        co_await write_all(*socket_, head, body, write_timeout, request, ec, what);
    if (ec)
        close();
}

template <class Stream>
asio::awaitable<void> connection::read_head_on(Stream& s, error_code& ec) {
    co_await http::async_read_header(s, read_buffer_, *parser_,
                                     asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> connection::read_head(const deadline& first_byte, error_code& ec,
                                            std::string& what) {
    const auto strand = co_await asio::this_coro::executor;
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(boost::none); // callers enforce their own limit as bytes arrive
    arm(first_byte, strand);
    if (tls_stream_)
        co_await read_head_on(*tls_stream_, ec);
    else
        co_await read_head_on(*socket_, ec);
    disarm();
    if (ec) {
        translate(ec, what, "waiting for the response");
        close();
    }
}

template <class Stream>
asio::awaitable<std::size_t> connection::read_some_on(Stream& s, error_code& ec) {
    co_return co_await http::async_read_some(s, read_buffer_, *parser_,
                                             asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<std::size_t> connection::read_body(char* data, std::size_t size,
                                                   const deadline& limit, error_code& ec,
                                                   std::string& what) {
    const auto strand = co_await asio::this_coro::executor;
    std::size_t got = 0;
    // Beast reads at most the flat_buffer's free capacity (never less than 512 bytes) and never
    // grows it by itself: left at the size the response head needed, a 16 MB body would take
    // tens of thousands of reads of about 1 KiB. Room for the caller's whole chunk makes a read
    // take what TLS has (a 16 KiB record, or more). Untouched until bytes arrive.
    if (read_buffer_.capacity() - read_buffer_.size() < size)
        read_buffer_.reserve(std::min(read_buffer_.size() + size, read_buffer_limit));
    arm(limit, strand);
    // A read may consume only framing (chunk sizes), so loop until bytes arrive or the body ends.
    while (got == 0 && !parser_->is_done()) {
        auto& body = parser_->get().body();
        body.data = data;
        body.size = size;
        if (tls_stream_)
            co_await read_some_on(*tls_stream_, ec);
        else
            co_await read_some_on(*socket_, ec);
        got = size - body.size;
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            break;
    }
    disarm();
    if (ec) {
        translate(ec, what, "reading the response body");
        close();
    }
    co_return got;
}

void connection::finish_exchange() noexcept {
    ++exchanges_;
    idle_since_ = clock::now();
    reusable_ = parser_ && parser_->is_done() && parser_->keep_alive() && read_buffer_.size() == 0;
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
