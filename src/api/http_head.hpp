// Building request heads and reading response heads: the HTTP details the operations share.
#pragma once

#include <openai/client_config.hpp>
#include <openai/response_metadata.hpp>

#include <boost/beast/http/fields.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace openai::detail {

// The pieces of a request head; the builder adds Host, Content-Length and the framing.
struct request_head {
    std::string_view method;  // "POST", "GET"
    std::string target;       // path and query
    std::string host;         // Host header value
    std::string content_type; // empty when there is no body
    std::uint64_t content_length = 0;
    std::string_view accept = "application/json";
    header_list headers; // authentication, defaults and overrides, later entries winning
};

// Serializes the head. A header name or value with CR, LF or NUL (or a name that is not an
// HTTP token) is refused: returns nullopt and names the header in `error`, never its value.
std::optional<std::string> serialize_head(const request_head& head, std::string& error);

// The headers that authenticate and identify the client (a bearer token, or Azure's api-key; the
// call's credentials when it has its own, else the configuration's), then the configuration's
// defaults, then the call's extras (later entries replace earlier ones of the same name).
header_list standard_headers(const client_config& config, const request_options& options);

// The headers of a download from a result URL: User-Agent and the call's extras, never the
// credentials or the configuration's default headers (the URL's host is not the API's).
header_list download_headers(const request_options& options);

// x-request-id and the x-ratelimit-* headers of a response.
void read_metadata(const boost::beast::http::fields& fields, int status, response_metadata& out);

// The errc for an HTTP error status.
boost::system::error_code status_error(int status);

} // namespace openai::detail
