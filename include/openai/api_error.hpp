/// The API's error object: the `error` member of an error response body
/// (`{"error":{"message":...,"type":...,"param":...,"code":...}}`) or of an error stream event.
#pragma once

#include <optional>
#include <string>

namespace openai {

/// `Error`. Every member is optional: `param` and `code` are often null, and proxies or
/// compatible servers may omit more. A `param` or `code` the API sent as a number is kept as
/// its decimal text.
struct api_error {
    std::optional<std::string> message{}; ///< human-readable description
    std::optional<std::string> type{};    ///< e.g. "invalid_request_error", "server_error"
    std::optional<std::string> param{};   ///< the parameter at fault, e.g. "size"
    std::optional<std::string> code{};    ///< e.g. "moderation_blocked", "rate_limit_exceeded"

    friend bool operator==(const api_error&, const api_error&) = default;
};

} // namespace openai
