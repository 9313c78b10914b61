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

#include "transport/body_source.hpp"
#include "transport/origin.hpp"
#include "transport/proxy.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
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
    using response_parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

    // `tls` is null for plain http. The context must outlive the connection.
    connection(boost::asio::any_io_executor ex, transport::route route,
               boost::asio::ssl::context* tls);
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
    bool body_done() const noexcept { return parser_ && parser_->is_done(); }
    // Whether any byte of the current response arrived (parsed or still buffered): a reused
    // connection that failed before that is stale, after that the server did answer.
    bool response_started() const noexcept {
        return read_buffer_.size() != 0 || (parser_ && parser_->got_some());
    }

    // Reads the next piece of the body into [data, data+size); returns 0 at the end of the body.
    // `limit` bounds the whole read (idle timeout for streams, the request deadline otherwise).
    boost::asio::awaitable<std::size_t> read_body(char* data, std::size_t size,
                                                  const deadline& limit,
                                                  boost::system::error_code& ec, std::string& what);

    // Marks the end of one exchange; the connection may be pooled when reusable() says so.
    void finish_exchange() noexcept;
    // Closes the socket now (also cancels pending operations). Idempotent.
    void close() noexcept;

private:
    template <class Stream>
    boost::asio::awaitable<void>
    write_all(Stream& s, const std::string& head, const body_source* body,
              std::chrono::milliseconds write_timeout, const deadline& request,
              boost::system::error_code& ec, std::string& what);
    template <class Stream>
    boost::asio::awaitable<void> read_head_on(Stream& s, boost::system::error_code& ec);
    template <class Stream>
    boost::asio::awaitable<std::size_t> read_some_on(Stream& s, boost::system::error_code& ec);

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
    std::optional<tcp::resolver> resolver_; // only while resolving, so the timer can cancel it
    std::optional<tcp::socket> socket_;
    std::optional<boost::asio::ssl::stream<tcp::socket>> tls_stream_;
    boost::asio::steady_timer timer_;
    std::atomic<std::uint64_t> timer_generation_{0};
    std::atomic<bool> timer_fired_{false};
    boost::system::error_code fired_reason_;
    boost::beast::flat_buffer read_buffer_;
    std::optional<response_parser> parser_;
    bool reusable_ = false;
    unsigned exchanges_ = 0;
    clock::time_point idle_since_ = clock::now();
};

} // namespace openai::transport
