#include <openai/error.hpp>

#include <string>

namespace openai {
namespace {

class category final : public boost::system::error_category {
public:
    // A fixed id keeps codes comparable across shared-library boundaries.
    constexpr category() noexcept
        : boost::system::error_category(0x6f70656e61693031ULL) {}

    const char* name() const noexcept override { return "openai"; }

    std::string message(int ev) const override { return describe(static_cast<errc>(ev)); }

private:
    static const char* describe(errc e) noexcept {
        switch (e) {
        case errc::invalid_request:
            return "invalid request parameter";
        case errc::unsupported_image_type:
            return "unsupported image type (expected PNG, JPEG or WebP)";
        case errc::invalid_file_name:
            return "invalid file or field name (CR, LF, quote or NUL)";
        case errc::file_unreadable:
            return "input file cannot be read";
        case errc::file_changed:
            return "input file changed size between attempts";
        case errc::invalid_json:
            return "response is not valid JSON";
        case errc::json_type_mismatch:
            return "response JSON has an unexpected shape";
        case errc::invalid_base64:
            return "malformed base64 data";
        case errc::event_too_large:
            return "server-sent event exceeds the maximum event size";
        case errc::body_too_large:
            return "response body exceeds the maximum body size";
        case errc::unexpected_content_type:
            return "response has an unexpected content type";
        case errc::invalid_response:
            return "malformed response";
        case errc::bad_request:
            return "bad request (HTTP 400)";
        case errc::authentication_error:
            return "authentication failed (HTTP 401)";
        case errc::permission_denied:
            return "permission denied (HTTP 403)";
        case errc::not_found:
            return "not found (HTTP 404)";
        case errc::conflict:
            return "conflict (HTTP 409)";
        case errc::unprocessable_entity:
            return "unprocessable entity (HTTP 422)";
        case errc::rate_limited:
            return "rate limited (HTTP 429)";
        case errc::server_error:
            return "server error (HTTP 5xx)";
        case errc::api_error:
            return "API error";
        case errc::resolve_failed:
            return "host name resolution failed";
        case errc::connect_failed:
            return "connection failed";
        case errc::tls_handshake_failed:
            return "TLS handshake failed";
        case errc::certificate_verification_failed:
            return "server certificate verification failed";
        case errc::proxy_error:
            return "proxy error";
        case errc::connection_closed:
            return "connection closed by peer";
        case errc::truncated_body:
            return "response body truncated";
        case errc::connect_timeout:
            return "connect timed out";
        case errc::tls_handshake_timeout:
            return "TLS handshake timed out";
        case errc::write_timeout:
            return "sending the request timed out";
        case errc::first_byte_timeout:
            return "timed out waiting for the response";
        case errc::request_timeout:
            return "request timed out";
        case errc::stream_idle_timeout:
            return "event stream idle for too long";
        case errc::stream_error_event:
            return "error event in the stream";
        case errc::stream_truncated:
            return "event stream ended without a completed event";
        case errc::concurrent_next:
            return "next() called while another next() is pending";
        case errc::stream_closed:
            return "stream is closed";
        }
        return "unknown openai error";
    }
};

} // namespace

const boost::system::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace openai
