#include "codec/http_head.hpp"

#include "codec/ascii.hpp"

#include <openai/error.hpp>

#include <algorithm>
#include <cctype>

namespace openai::codec {
namespace {

// RFC 9110 token characters.
bool is_token(std::string_view s) noexcept {
    if (s.empty())
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool is_safe_value(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

} // namespace

std::optional<std::string> serialize_head(const request_head& head, std::string& error) {
    std::string out;
    out.reserve(256 + head.target.size());
    out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(head.host).append("\r\n");
    out.append("Accept: ").append(head.accept).append("\r\n");
    if (!head.content_type.empty()) {
        out.append("Content-Type: ").append(head.content_type).append("\r\n");
    }
    if (!head.content_type.empty() || head.method == "POST")
        out.append("Content-Length: ").append(std::to_string(head.content_length)).append("\r\n");
    for (const auto& [name, value] : head.headers) {
        if (!is_token(name)) {
            error = "invalid header name '" + name + "'";
            return std::nullopt;
        }
        if (!is_safe_value(value)) {
            error = "header '" + name + "' has a value with CR, LF or NUL";
            return std::nullopt;
        }
        // The framing is ours to set.
        if (iequals(name, "host") || iequals(name, "content-length") ||
            iequals(name, "transfer-encoding") || iequals(name, "content-type") ||
            iequals(name, "accept"))
            continue;
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("\r\n");
    return out;
}

boost::system::error_code status_error(int status) {
    switch (status) {
    case 400:
        return errc::bad_request;
    case 401:
        return errc::authentication_error;
    case 403:
        return errc::permission_denied;
    case 404:
        return errc::not_found;
    case 409:
        return errc::conflict;
    case 422:
        return errc::unprocessable_entity;
    case 429:
        return errc::rate_limited;
    default:
        return status >= 500 ? errc::server_error : errc::api_error;
    }
}

} // namespace openai::codec
