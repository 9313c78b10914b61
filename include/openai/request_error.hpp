/// The facts of a failed call, and the exception that carries them when a call is awaited.
///
///   try { auto r = co_await images.generate(req); }
///   catch (const openai::request_error& e) {
///       if (e.code() == openai::errc::rate_limited) ... e.info().retry_after ...
///   }
///
/// Without exceptions, pass an `openai::error_info&` to the call (see <openai/images.hpp>) and
/// complete with an error_code: the same facts land in it.
#pragma once

#include <openai/api_error.hpp>
#include <openai/error.hpp>

#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace openai {

/// Whether a failed request may have been processed, and so billed, by the server. Retries of
/// calls that create images follow it (client_config::retry): `not_sent` and retryable `refused`
/// failures are retried, `unknown` ones only when the caller opts in.
enum class request_outcome : std::uint8_t {
    /// Nothing reached the server whole (resolve, connect, TLS, proxy, a write cut short), or
    /// the request was refused before sending (validation, cancellation while waiting).
    not_sent,
    /// The server answered with an error status or an error event: nothing was produced.
    refused,
    /// The request left whole, then the answer was lost (timeout, reset, truncated body or
    /// stream): the image may have been generated and billed.
    unknown,
};

constexpr std::string_view to_string(request_outcome o) noexcept {
    switch (o) {
    case request_outcome::not_sent:
        return "not_sent";
    case request_outcome::refused:
        return "refused";
    case request_outcome::unknown:
        return "unknown";
    }
    return "unknown";
}

inline std::ostream& operator<<(std::ostream& os, request_outcome o) {
    return os << to_string(o);
}

struct error_info {
    boost::system::error_code code; ///< an openai::errc, or asio::error::operation_aborted
    /// A complete sentence: what failed, where, and why (the API's own message when it sent one).
    /// Never contains the API key or request headers.
    std::string message;
    int http_status = 0;    ///< 0 when no response arrived
    std::string request_id; ///< x-request-id of the failed response, when there was one
    std::optional<openai::api_error> api; ///< the API's error object, when the body had one
    /// The wait the server asked for (retry-after-ms / retry-after), when it asked.
    std::optional<std::chrono::milliseconds> retry_after;
    unsigned attempts = 0; ///< tries made, retries included
    /// Whether the server may have processed the request (see request_outcome).
    request_outcome outcome = request_outcome::not_sent;

    explicit operator bool() const noexcept { return static_cast<bool>(code); }
};

class request_error : public boost::system::system_error {
public:
    explicit request_error(error_info info)
        : boost::system::system_error(info.code, info.message)
        , info_(std::move(info)) {}

    /// The complete message alone (system_error would append the category's text to it).
    const char* what() const noexcept override { return info_.message.c_str(); }
    const error_info& info() const noexcept { return info_; }
    int http_status() const noexcept { return info_.http_status; }
    const std::string& request_id() const noexcept { return info_.request_id; }
    const std::optional<openai::api_error>& api() const noexcept { return info_.api; }

private:
    error_info info_;
};

} // namespace openai
