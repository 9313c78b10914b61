#include "emulator/api_errors.hpp"

#include <boost/json.hpp>

namespace openai::emulator {
namespace {

boost::json::object error_object(const error_reply& e) {
    boost::json::object o;
    o["message"] = e.message;
    o["type"] = e.type;
    o["param"] = e.param ? boost::json::value(*e.param) : boost::json::value(nullptr);
    o["code"] = e.code ? boost::json::value(*e.code) : boost::json::value(nullptr);
    return o;
}

error_reply make(std::string message, std::optional<std::string> param,
                 std::optional<std::string> code) {
    error_reply e;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

} // namespace

std::string error_json(const error_reply& e) {
    boost::json::object body;
    body["error"] = error_object(e);
    return boost::json::serialize(body);
}

std::string error_event_json(const error_reply& e) {
    return error_json(e);
}

error_reply error_for_status(unsigned status) {
    error_reply e;
    e.status = status;
    switch (status) {
    case 400:
        e.message = "Bad request (injected by openai-images-emulator).";
        break;
    case 401:
        e.message = "Incorrect API key provided.";
        e.code = "invalid_api_key";
        break;
    case 403:
        e.message = "You are not allowed to sample from this model.";
        e.code = "model_not_allowed";
        break;
    case 404:
        e.message = "The model does not exist or you do not have access to it.";
        e.code = "model_not_found";
        break;
    case 408:
        e.message = "Request timed out.";
        e.type = "server_error";
        break;
    case 409:
        e.message = "Another request is being processed for this resource.";
        e.code = "conflict";
        break;
    case 422:
        e.message = "The request could not be processed.";
        break;
    case 429:
        e.message = "Rate limit reached for images per minute. Please try again later.";
        e.type = "requests";
        e.code = "rate_limit_exceeded";
        break;
    case 500:
        e.message = "The server had an error while processing your request. Sorry about that!";
        e.type = "server_error";
        break;
    case 502:
        e.message = "Bad gateway.";
        e.type = "server_error";
        e.code = "bad_gateway";
        break;
    case 503:
        e.message = "The server is overloaded or not ready yet.";
        e.type = "server_error";
        e.code = "service_unavailable";
        break;
    default:
        e.message = "Error " + std::to_string(status) + " (injected by openai-images-emulator).";
        e.type = status >= 500 ? "server_error" : "invalid_request_error";
        break;
    }
    return e;
}

error_reply missing_parameter(std::string_view param) {
    return make("Missing required parameter: '" + std::string(param) + "'.", std::string(param),
                "missing_required_parameter");
}

error_reply invalid_type(std::string_view param, std::string_view expected, std::string_view got) {
    return make("Invalid type for '" + std::string(param) + "': expected " + std::string(expected) +
                    ", but got " + std::string(got) + " instead.",
                std::string(param), "invalid_type");
}

error_reply invalid_value(std::string_view param, std::string_view value,
                          std::string_view supported) {
    std::string message = "Invalid value: '" + std::string(value) + "'.";
    if (!supported.empty())
        message += " Supported values are: " + std::string(supported) + ".";
    return make(std::move(message), std::string(param), "invalid_value");
}

error_reply unknown_parameter(std::string_view param) {
    return make("Unknown parameter: '" + std::string(param) + "'.", std::string(param),
                "unknown_parameter");
}

error_reply integer_out_of_range(std::string_view param, long long value, long long min,
                                 long long max) {
    bool above = value > max;
    return make("Invalid '" + std::string(param) + "': integer " +
                    (above ? "above maximum" : "below minimum") + " value. Expected a value " +
                    (above ? "<= " + std::to_string(max) : ">= " + std::to_string(min)) +
                    ", but got " + std::to_string(value) + " instead.",
                std::string(param), above ? "integer_above_max_value" : "integer_below_min_value");
}

error_reply invalid_json_body() {
    return make("We could not parse the JSON body of your request. (HINT: This likely means you "
                "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
                "but what was sent was not valid JSON.)",
                std::nullopt, std::nullopt);
}

error_reply invalid_url(std::string_view method, std::string_view path) {
    error_reply e = make("Invalid URL (" + std::string(method) + " " + std::string(path) + ")",
                         std::nullopt, std::nullopt);
    e.status = 404;
    return e;
}

error_reply bad_api_key(bool missing) {
    error_reply e;
    e.status = 401;
    if (missing) {
        e.message = "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    } else {
        // The real API echoes a masked key; the emulator echoes none of it.
        e.message = "Incorrect API key provided. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.";
        e.code = "invalid_api_key";
    }
    return e;
}

} // namespace openai::emulator
