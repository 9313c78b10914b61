/// JSON encoding and decoding of the Images API's requests, responses, stream events and errors.
///
/// Encoding writes exactly the spec's wire names and leaves unset optionals out. Decoding:
///
/// - ignores unknown keys, and accepts `null` wherever a member is optional (as absent);
/// - reports a value of the wrong type as `errc::json_type_mismatch` with the JSON path in the
///   message, e.g. "data[0].b64_json: expected string, got number"; text that is not JSON as
///   `errc::invalid_json` ("invalid JSON at byte 17: ..."); a bad `b64_json` as
///   `errc::invalid_base64` ("data[0].b64_json: invalid base64: ...");
/// - decodes every `b64_json` into bytes while parsing text, without keeping the base64 text;
/// - never throws on bad input: the result carries the error.
///
/// Each decoder takes JSON text (std::string_view, or a C string) or an already parsed
/// boost::json::value.
///
/// The encoders also let `boost::json::value_from` work on these types.
#pragma once

#include <openai/api_error.hpp>
#include <openai/error.hpp>
#include <openai/events.hpp>
#include <openai/open_string.hpp>
#include <openai/requests.hpp>
#include <openai/responses.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace openai {

/// What a decoder returns: the value, or an error code with a message naming the JSON path.
/// Converts to `true` on success (like `std::optional`).
template <class T>
struct decode_result {
    T value{};                      ///< meaningful only when ok()
    boost::system::error_code code; ///< errc::invalid_json, json_type_mismatch or invalid_base64
    std::string message{};          ///< e.g. "data[0].b64_json: expected string, got number"

    bool ok() const noexcept { return !code; }
    explicit operator bool() const noexcept { return ok(); }
};

/// ---------------------------------------------------------------------------------------------
/// Encoding

/// The JSON body of POST /images/generations.
boost::json::object to_json(const generate_request& req);

/// The JSON body of POST /images/edits (`EditImageBodyJsonParam`). Only for requests where
/// `uses_json_body()` is true: throws std::invalid_argument when an input is an `image_file`
/// (those requests are sent as multipart).
boost::json::object to_json(const edit_request& req);

boost::json::object to_json(const images_response& res); ///< `ImagesResponse` (re-encodes bytes)
boost::json::object to_json(const image& img);           ///< `Image`
boost::json::object to_json(const image_usage& usage);   ///< `ImageGenUsage` / `ImagesUsage`
boost::json::object to_json(const image_event& ev);      ///< one stream event's `data`
boost::json::object to_json(const api_error& err);       ///< the `Error` object (nulls kept)

/// An error response body: `{"error": {...}}`.
boost::json::object to_error_body(const api_error& err);

/// ---------------------------------------------------------------------------------------------
/// Decoding responses and events

/// What the response and event decoders keep besides the modelled members.
struct decode_options {
    /// Keep the members the library does not model: `images_response::unknown_fields`,
    /// `image::unknown_fields` and the events' `unknown_fields` (see
    /// request_options::keep_unknown_fields). Off: they are skipped and not kept.
    bool keep_unknown_fields = false;
};

/// A response body of the three image endpoints (`ImagesResponse`).
decode_result<images_response> decode_images_response(std::string_view body,
                                                      const decode_options& options = {});
decode_result<images_response> decode_images_response(const boost::json::value& body,
                                                      const decode_options& options = {});
inline decode_result<images_response> decode_images_response(const char* text) {
    return decode_images_response(std::string_view(text));
}

/// What one stream event's `data` turned out to be.
enum class event_kind {
    image,   ///< one of the four image events: see `decoded_event::event`
    error,   ///< an error: see `decoded_event::error`
    unknown, ///< valid JSON with another (or no) "type": `event` holds an unknown_event
};

struct decoded_event {
    event_kind kind = event_kind::unknown;
    image_event event{}; ///< when kind == image (or unknown: an unknown_event)
    api_error error{};   ///< when kind == error
    std::string type{};  ///< the JSON "type" as sent ("" when absent)
};

/// Decodes the `data` of one server-sent event of an image stream. Dispatches on the JSON
/// "type", not on the SSE event name. A top-level "error" object (`{"error":{...}}`), or
/// "type":"error" with the error's members at the top level, give `event_kind::error`.
///
/// Streams should also treat an SSE event named "error" as an error whatever its data: see
/// `decode_error_event`.
decode_result<decoded_event> decode_image_event(std::string_view data,
                                                const decode_options& options = {});
decode_result<decoded_event> decode_image_event(const boost::json::value& data,
                                                const decode_options& options = {});
inline decode_result<decoded_event> decode_image_event(const char* text) {
    return decode_image_event(std::string_view(text));
}

/// The error carried by an error event's `data`: the members of `data.error` when it is an
/// object (a string `error` becomes the message), otherwise those of `data` itself.
decode_result<api_error> decode_error_event(std::string_view data);
decode_result<api_error> decode_error_event(const boost::json::value& data);
inline decode_result<api_error> decode_error_event(const char* text) {
    return decode_error_event(std::string_view(text));
}

/// An error response body `{"error":{...}}` (`ErrorResponse`). A body without an "error"
/// member is a json_type_mismatch ("error: missing").
decode_result<api_error> decode_api_error(std::string_view body);
decode_result<api_error> decode_api_error(const boost::json::value& body);
inline decode_result<api_error> decode_api_error(const char* text) {
    return decode_api_error(std::string_view(text));
}

/// ---------------------------------------------------------------------------------------------
/// Decoding requests (the CLI's batch input lines, tests and round trips; the emulator checks a
/// request's raw JSON itself, the way the API does, and does not use these)

decode_result<generate_request> decode_generate_request(std::string_view body);
decode_result<generate_request> decode_generate_request(const boost::json::value& body);
inline decode_result<generate_request> decode_generate_request(const char* text) {
    return decode_generate_request(std::string_view(text));
}

/// A JSON edit body (`EditImageBodyJsonParam`): the inputs become `image_reference`s.
decode_result<edit_request> decode_edit_request(std::string_view body);
decode_result<edit_request> decode_edit_request(const boost::json::value& body);
inline decode_result<edit_request> decode_edit_request(const char* text) {
    return decode_edit_request(std::string_view(text));
}

/// ---------------------------------------------------------------------------------------------

/// Decodes an `ImagesResponse` body as it arrives, piece by piece, so that neither the body text
/// nor the base64 text of its images need be held whole: memory stays near the decoded size.
class images_response_parser {
public:
    images_response_parser();
    ~images_response_parser();
    images_response_parser(images_response_parser&&) noexcept;
    images_response_parser& operator=(images_response_parser&&) noexcept;

    /// Optional, before the first write(): the body's length (its Content-Length) and how many
    /// images it should hold (the request's `n`). Each image buffer is then reserved once, from
    /// the bytes still to come shared among the images still to come, instead of growing by
    /// copies while its base64 text arrives. A wrong guess costs only a regrowth.
    void expect_body_size(std::uint64_t bytes, unsigned images = 1) noexcept;

    /// Keep the response's members the library does not model (see decode_options).
    void keep_unknown_fields(bool on) noexcept;

    /// Feeds the next piece of the body. Returns false once the body is known to be bad; the
    /// error is then reported by finish().
    bool write(std::string_view piece);

    /// Ends the body and returns the response or the first error.
    decode_result<images_response> finish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// ---- boost::json::value_from support

template <class Tag>
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const open_string<Tag>& s) {
    v = s.view();
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const generate_request& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const edit_request& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const images_response& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image_usage& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image_event& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const api_error& r);

} // namespace openai
