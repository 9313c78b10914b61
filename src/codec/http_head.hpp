// HTTP/1.1 heads without I/O: the serialized request head, and the errc of a response status.
#pragma once

#include <openai/client_config.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai::codec {

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

// The errc for an HTTP error status.
boost::system::error_code status_error(int status);

} // namespace openai::codec
