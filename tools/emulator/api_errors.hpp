// The API's error envelope, `{"error":{"message","type","param","code"}}`, and the messages the
// real API uses for the failures the emulator reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openai::emulator {

/// An error answer of the emulator, in the API's envelope. (Not `api_error`: that is the client's
/// openai::api_error, which reads this very envelope back.)
struct error_reply {
    unsigned status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::optional<std::string> param;
    std::optional<std::string> code;
};

/// `{"error":{"message":...,"type":...,"param":...,"code":...}}` (null param/code when unset).
std::string error_json(const error_reply& e);

/// The error object alone, for `event: error` in streams: `{"error":{...}}` as well (the shape
/// the official SDKs handle).
std::string error_event_json(const error_reply& e);

/// What the API answers for a status it chose (fault `status=N`): its usual type, code and
/// message for that status.
error_reply error_for_status(unsigned status);

// ---- The API's messages for bad requests (each sets param and code like the API).
error_reply missing_parameter(std::string_view param);
error_reply invalid_type(std::string_view param, std::string_view expected, std::string_view got);
error_reply invalid_value(std::string_view param, std::string_view value,
                          std::string_view supported);
error_reply unknown_parameter(std::string_view param);
error_reply integer_out_of_range(std::string_view param, long long value, long long min,
                                 long long max);
error_reply invalid_json_body();
error_reply invalid_url(std::string_view method, std::string_view path);
error_reply bad_api_key(bool missing);

} // namespace openai::emulator
