// The API's error envelope, `{"error":{"message","type","param","code"}}`, and the messages the
// real API uses for the failures the emulator reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openai::emulator {

struct api_error {
    unsigned status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::optional<std::string> param;
    std::optional<std::string> code;
};

/// `{"error":{"message":...,"type":...,"param":...,"code":...}}` (null param/code when unset).
std::string error_json(const api_error& e);

/// The error object alone, for `event: error` in streams: `{"error":{...}}` as well (the shape
/// the official SDKs handle).
std::string error_event_json(const api_error& e);

/// What the API answers for a status it chose (fault `status=N`): its usual type, code and
/// message for that status.
api_error error_for_status(unsigned status);

// ---- The API's messages for bad requests (each sets param and code like the API).
api_error missing_parameter(std::string_view param);
api_error invalid_type(std::string_view param, std::string_view expected, std::string_view got);
api_error invalid_value(std::string_view param, std::string_view value, std::string_view supported);
api_error unknown_parameter(std::string_view param);
api_error integer_out_of_range(std::string_view param, long long value, long long min,
                               long long max);
api_error invalid_json_body();
api_error invalid_url(std::string_view method, std::string_view path);
api_error bad_api_key(bool missing);

} // namespace openai::emulator
