// One HTTP/1.1 connection (plain TCP or TLS) to one origin, used by one operation at a time.
//
// Threading: a connection has no strand of its own. Whoever holds its lease runs every call on
// the lease holder's strand (the operation's coroutine); the deadline timer's handler is bound to
// that same strand, so the socket is never touched from two strands at once. Between leases the
// pool's mutex orders the hand-over.
//
// Errors: every coroutine reports failures through `ec` (an openai::errc where the cause is ours
// to name) and a human sentence in `what`; nothing throws for I/O failures.
#pragma once

#include "codec/chunked_decoder.hpp"
#include "transport/body_source.hpp"
#include "transport/origin.hpp"
#include "transport/proxy.hpp"
#include "transport/tls_session.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace openai::transport {

using clock = std::chrono::steady_clock;

// A point in time after which the current phase fails with `reason`.
struct deadline {
    clock::time_point at = clock::time_point::max();
    boost::system::error_code reason;
};

// The earlier of "now + phase timeout" (zero = none) and the whole request's deadline, with the
// error that names whichever of the two comes first.
deadline phase_deadline(std::chrono::milliseconds phase_timeout,
                        boost::system::error_code phase_error, const deadline& request);

class connection : public std::enable_shared_from_this<connection> {
public:
    using tcp = boost::asio::ip::tcp;
    // Parses response heads only: bodies are framed here (length, chunked or until close) and read
    // straight into the caller's buffer.
    using response_parser = boost::beast::http::response_parser<boost::beast::http::empty_body>;

    // `tls` is null for plain http. The context must outlive the connection. With a `sessions`
    // cache (made for `tls`), the handshake offers a session kept for this route and keeps those
    // the server issues; `counters` (optional) counts full and resumed handshakes.
    connection(boost::asio::any_io_executor ex, transport::route route,
               boost::asio::ssl::context* tls,
               std::shared_ptr<tls_session_cache> sessions = nullptr,
               std::shared_ptr<tls_handshake_counters> counters = nullptr);
    ~connection();

    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    const transport::origin& origin() const noexcept { return route_.target; }
    const transport::route& route() const noexcept { return route_; }
    bool is_open() const noexcept;
    // True when a finished exchange left the connection fit for another request.
    bool reusable() const noexcept { return reusable_ && is_open(); }
    // Requests already completed on this connection (0 = fresh).
    unsigned exchanges() const noexcept { return exchanges_; }
    clock::time_point idle_since() const noexcept { return idle_since_; }
    // Cheap check before reuse: false when the peer closed it or sent unsolicited bytes.
    bool looks_alive() noexcept;
    // Whether the TLS handshake of this connection resumed an earlier session (false for plain
    // http and before open()).
    bool tls_resumed() const noexcept { return tls_ && tls_->resumed(); }

    // Resolves, connects (trying each address) and, for https, does the TLS handshake with SNI,
    // peer and host name verification. Through a proxy: connects to the proxy instead, and for
    // https opens a CONNECT tunnel to the origin first (a refusal is errc::proxy_error with the
    // proxy's status line); TLS inside the tunnel names and verifies the origin.
    boost::asio::awaitable<void> open(std::chrono::milliseconds connect_timeout,
                                      std::chrono::milliseconds handshake_timeout,
                                      const deadline& request, boost::system::error_code& ec,
                                      std::string& what);

    // Sends the serialized request head and then the body (streamed in chunks when not in memory).
    // Each write must complete before `write_timeout`.
    boost::asio::awaitable<void> write_request(const std::string& head, const body_source* body,
                                               std::chrono::milliseconds write_timeout,
                                               const deadline& request,
                                               boost::system::error_code& ec, std::string& what);

    // Reads the response head. `first_byte` bounds the wait for it.
    boost::asio::awaitable<void> read_head(const deadline& first_byte,
                                           boost::system::error_code& ec, std::string& what);

    const response_parser::value_type& response() const { return parser_->get(); }
    bool body_done() const noexcept { return parser_ && body_done_; }
    // The body's announced length (Content-Length), when it has one.
    std::optional<std::uint64_t> body_length() const noexcept {
        if (parser_ && framing_ == framing::length)
            return parser_->content_length().value_or(0);
        return std::nullopt;
    }
    // Whether any byte of the current response arrived (parsed or still buffered): a reused
    // connection that failed before that is stale, after that the server did answer.
    bool response_started() const noexcept {
        return read_buffer_.size() != 0 || (parser_ && parser_->got_some());
    }

    // Reads the next piece of the body into [data, data+size) (the transfer coding already
    // removed); returns 0 at the end of the body. `limit` bounds the whole read (idle timeout for
    // streams, the request deadline otherwise).
    boost::asio::awaitable<std::size_t> read_body(char* data, std::size_t size,
                                                  const deadline& limit,
                                                  boost::system::error_code& ec, std::string& what);

    // Marks the end of one exchange; the connection may be pooled when reusable() says so.
    void finish_exchange() noexcept;
    // Closes the socket now (also cancels pending operations). Idempotent.
    void close() noexcept;

private:
    enum class framing { none, length, chunked, until_close };

    // One read from the socket (through TLS when on): at least one byte, or an error (eof at a
    // clean end). Reads that find data ready complete without suspending; every so often such a
    // run yields to the scheduler so one fast response cannot starve other work on the thread.
    // `limit` bounds each wait for the socket (only waits need a timer: a read that finds data
    // costs no timer operation).
    boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                  const deadline& limit,
                                                  boost::system::error_code& ec);
    boost::asio::awaitable<void> write(boost::asio::const_buffer buffer, const deadline& limit,
                                       boost::system::error_code& ec);
    // Waits, under `limit`, until the socket is ready for `what`.
    boost::asio::awaitable<void> wait_ready(tcp::socket::wait_type what, const deadline& limit,
                                            boost::system::error_code& ec);
    // Body bytes into [data, data+size): first what arrived with the head, then from the socket.
    boost::asio::awaitable<std::size_t>
    read_raw(char* data, std::size_t size, const deadline& limit, boost::system::error_code& ec);
    // Picks the body's framing from the parsed head.
    void start_body();

    // Sends CONNECT on the freshly connected socket and reads the proxy's answer.
    boost::asio::awaitable<void> open_tunnel(tcp::socket& sock, const deadline& limit,
                                             boost::system::error_code& ec, std::string& what);

    // Arms the deadline timer on the calling strand; disarm() before the phase ends.
    void arm(const deadline& d, const boost::asio::any_io_executor& strand);
    void disarm() noexcept;
    // Turns an I/O error into ours: the deadline's reason when it fired, else a transport code.
    void translate(boost::system::error_code& ec, std::string& what, const char* during) const;

    boost::asio::any_io_executor executor_;
    transport::route route_;
    boost::asio::ssl::context* tls_context_;
    std::shared_ptr<tls_session_cache> tls_sessions_;
    std::shared_ptr<tls_handshake_counters> tls_counters_;
    std::optional<tcp::resolver> resolver_; // only while resolving, so the timer can cancel it
    std::optional<tcp::socket> socket_;
    std::unique_ptr<tls_session> tls_; // null for plain http
    boost::asio::steady_timer timer_;
    std::atomic<std::uint64_t> timer_generation_{0};
    std::atomic<bool> timer_fired_{false};
    boost::system::error_code fired_reason_;
    boost::beast::flat_buffer read_buffer_; // response heads, and any body bytes read with them
    std::optional<response_parser> parser_;
    framing framing_ = framing::none;
    std::uint64_t body_left_ = 0;    // framing::length
    codec::chunked_decoder chunked_; // framing::chunked
    bool body_done_ = false;
    bool bytes_after_body_ = false; // the server sent more than the body: not reusable
    unsigned immediate_reads_ = 0;
    bool reusable_ = false;
    unsigned exchanges_ = 0;
    clock::time_point idle_since_ = clock::now();
};

} // namespace openai::transport
