// One HTTP exchange with retries: the part every operation (unary calls, stream openings,
// downloads) shares. It leases a connection, sends the request, reads the response head and
// hands the body to a caller-supplied reader; failures come back as error_info with their
// outcome. The coroutines here do I/O only: whether and when to try again is decided by the
// sans-I/O codec::retry_planner.
#pragma once

#include "api/client_impl.hpp"
#include "transport/body_source.hpp"
#include "transport/connection_pool.hpp"

#include <openai/request_error.hpp>
#include <openai/response_metadata.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace openai::detail {

// A request ready to send, possibly several times.
struct prepared_request {
    std::string_view method = "POST";
    // Below the base URL, e.g. "/images/generations"; with `origin` set, the whole path and query.
    std::string path;
    std::shared_ptr<const transport::body_source> body; // null for none
    std::string_view accept = "application/json";
    // What a 2xx body's Content-Type must start with; empty: `accept`; "*/*": anything.
    std::string_view expected_type = {};
    // Another origin than the API's (a result URL): sent without the client's credentials and
    // default headers.
    std::optional<transport::origin> origin = std::nullopt;
    // The request is billed (it generates images): a lost answer is not retried by default.
    bool creates_images = false;
};

// The size of one read of a response body into the caller's buffer.
inline constexpr std::size_t body_read_chunk = 64 * 1024;

// A body read that failed with `ec` (described by `what`). Whether a retry may help is the
// planner's call (a cut or late body may be retried; decoding and file errors are final).
error_info body_read_failure(const boost::system::error_code& ec, std::string what);

// Reads a 2xx body: gets the lease of the connection (to read the body from, or to keep, as a
// stream does) and the response head; returns an empty error_info on success.
using body_reader = std::function<boost::asio::awaitable<error_info>(
    transport::lease& lease, const boost::beast::http::fields& fields, int status,
    const transport::deadline& limit)>;

// Runs the request with the client's retry policy (as overridden by `options`). On a 2xx
// response with the expected content type, `on_success` reads the body; error responses are read
// and decoded here. `meta` receives the last response's metadata and the phase times of the last
// attempt (`meta.times.started` is left to the caller).
boost::asio::awaitable<error_info> exchange(client_impl& client, const prepared_request& request,
                                            const request_options& options,
                                            const body_reader& on_success, response_metadata& meta);

} // namespace openai::detail
