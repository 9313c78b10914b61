#include "api/http_head.hpp"

#include <openai/error.hpp>
#include <openai/version.hpp>

#include <algorithm>
#include <charconv>

namespace openai::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

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

void set_header(header_list& list, std::string name, std::string value) {
    std::erase_if(list, [&](const header& h) { return iequals(h.first, name); });
    list.emplace_back(std::move(name), std::move(value));
}

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
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

header_list standard_headers(const client_config& config, const request_options& options) {
    header_list list;
    list.emplace_back("User-Agent", std::string("openai-images-cpp/") + version_string());
    // Per-call credentials replace the configuration's (a tenant's key for this call only).
    const std::string& api_key = options.api_key ? *options.api_key : config.api_key;
    const std::string& organization =
        options.organization ? *options.organization : config.organization;
    const std::string& project = options.project ? *options.project : config.project;
    if (!api_key.empty()) {
        if (config.azure)
            list.emplace_back("api-key", api_key);
        else
            list.emplace_back("Authorization", "Bearer " + api_key);
    }
    if (!organization.empty())
        list.emplace_back("OpenAI-Organization", organization);
    if (!project.empty())
        list.emplace_back("OpenAI-Project", project);
    for (const auto& [name, value] : config.default_headers)
        set_header(list, name, value);
    for (const auto& [name, value] : options.extra_headers)
        set_header(list, name, value);
    return list;
}

header_list download_headers(const request_options& options) {
    header_list list;
    list.emplace_back("User-Agent", std::string("openai-images-cpp/") + version_string());
    for (const auto& [name, value] : options.extra_headers)
        set_header(list, name, value);
    return list;
}

void read_metadata(const boost::beast::http::fields& fields, int status, response_metadata& out) {
    out.http_status = status;
    out.request_id = std::string(fields["x-request-id"]);
    auto& rl = out.rate_limits;
    rl.limit_requests = to_int(fields["x-ratelimit-limit-requests"]);
    rl.remaining_requests = to_int(fields["x-ratelimit-remaining-requests"]);
    rl.reset_requests = std::string(fields["x-ratelimit-reset-requests"]);
    rl.limit_tokens = to_int(fields["x-ratelimit-limit-tokens"]);
    rl.remaining_tokens = to_int(fields["x-ratelimit-remaining-tokens"]);
    rl.reset_tokens = std::string(fields["x-ratelimit-reset-tokens"]);
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

} // namespace openai::detail
