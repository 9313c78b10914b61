/// The library's error codes: one category, `openai::errc`, usable as std::error_code and
/// boost::system::error_code alike (Boost.System categories convert to std).
///
/// Every failure the library reports maps to one of these, so callers can branch on
/// `ec == openai::errc::rate_limited` whatever layer produced it. The richer facts of a failure
/// (HTTP status, request id, the API's own type/code/param/message) travel beside the code in
/// `openai::error_info`; see <openai/request_error.hpp>.
#pragma once

#include <boost/system/error_code.hpp>

#include <system_error>
#include <type_traits>

namespace openai {

enum class errc {
    /// ---- the request, found bad before anything is sent
    invalid_request = 1,    ///< a parameter breaks the API's rules (the message names it)
    unsupported_image_type, ///< an input image is not PNG, JPEG or WebP
    invalid_file_name,      ///< a name or filename with CR, LF, quotes or NUL
    file_unreadable,        ///< an input file cannot be opened or read
    file_changed,           ///< an input file changed size between attempts of one request

    /// ---- decoding what came back
    invalid_json,            ///< the body is not JSON
    json_type_mismatch,      ///< JSON of the wrong shape (the message names the path, e.g.
                             /// data[0].b64_json)
    invalid_base64,          ///< malformed base64 in an image payload
    event_too_large,         ///< a server-sent event exceeds the configured maximum
    body_too_large,          ///< a response body exceeds the configured maximum
    unexpected_content_type, ///< e.g. an HTML page from a proxy where JSON was due
    invalid_response,        ///< a response that breaks HTTP or the API's framing

    /// ---- the API answered with an error status
    bad_request,          ///< 400
    authentication_error, ///< 401
    permission_denied,    ///< 403
    not_found,            ///< 404
    conflict,             ///< 409
    unprocessable_entity, ///< 422
    rate_limited,         ///< 429
    server_error,         ///< 5xx
    api_error,            ///< any other non-2xx status

    /// ---- the transport
    resolve_failed,
    connect_failed,
    tls_handshake_failed,
    certificate_verification_failed,
    proxy_error,       ///< the proxy refused or broke the CONNECT tunnel
    connection_closed, ///< the peer closed or reset the connection
    truncated_body,    ///< the body ended before its announced length
    connect_timeout,
    tls_handshake_timeout,
    write_timeout,
    first_byte_timeout,
    request_timeout,
    stream_idle_timeout,

    /// ---- streams
    stream_error_event, ///< the server sent an error inside the event stream
    stream_truncated,   ///< the stream ended without a completed event
    concurrent_next,    ///< next() called while another next() is pending
    stream_closed,      ///< the stream was closed or moved from
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

} // namespace openai

namespace boost::system {
template <>
struct is_error_code_enum<openai::errc> : std::true_type {};
} // namespace boost::system

namespace std {
template <>
struct is_error_code_enum<openai::errc> : std::true_type {};
} // namespace std
