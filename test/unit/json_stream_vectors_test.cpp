// The typed side of shared/sse-vectors/openai-image-streams.json: every event payload decodes to
// the expected typed event with the expected image bytes (by SHA-256), error payloads become
// API errors, and the recorded requests decode, validate and encode back to the same body.
#include "codec/form_fields.hpp"
#include "support/request_from_fields.hpp"
#include "support/shared_data.hpp"

#include <openai/json.hpp>
#include <openai/validation.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include <openssl/evp.h>

namespace {

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    BOOST_TEST_REQUIRE(
        EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) == 1);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

std::optional<std::string> opt_str(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return std::nullopt;
    return std::string(v->as_string());
}

void check_usage(const openai::image_usage& u, const boost::json::value& expected) {
    const auto& e = expected.as_object();
    BOOST_TEST((u.total_tokens == e.at("total_tokens").as_int64()));
    BOOST_TEST((u.input_tokens == e.at("input_tokens").as_int64()));
    BOOST_TEST((u.output_tokens == e.at("output_tokens").as_int64()));
    const auto& in = e.at("input_tokens_details").as_object();
    BOOST_TEST((u.input_tokens_details.text_tokens == in.at("text_tokens").as_int64()));
    BOOST_TEST((u.input_tokens_details.image_tokens == in.at("image_tokens").as_int64()));
    if (const auto* out = e.if_contains("output_tokens_details")) {
        BOOST_TEST_REQUIRE(u.output_tokens_details.has_value());
        BOOST_TEST((u.output_tokens_details->image_tokens == out->at("image_tokens").as_int64()));
        BOOST_TEST((u.output_tokens_details->text_tokens == out->at("text_tokens").as_int64()));
    } else {
        BOOST_TEST(!u.output_tokens_details);
    }
}

void check_error(const openai::api_error& got, const boost::json::object& expected) {
    BOOST_TEST((got.message == opt_str(expected, "message")));
    BOOST_TEST((got.type == opt_str(expected, "type")));
    BOOST_TEST((got.param == opt_str(expected, "param")));
    BOOST_TEST((got.code == opt_str(expected, "code")));
}

template <class Event>
void check_metadata(const Event& ev, const boost::json::object& json) {
    BOOST_TEST(ev.created_at.value_or(-1) == json.at("created_at").as_int64());
    BOOST_TEST(ev.size->str() == json.at("size").as_string());
    BOOST_TEST(ev.quality->str() == json.at("quality").as_string());
    BOOST_TEST(ev.background->str() == json.at("background").as_string());
    BOOST_TEST(ev.output_format->str() == json.at("output_format").as_string());
}

const boost::json::object& streams_file() {
    static const boost::json::value doc =
        openai::test::read_shared_json("sse-vectors/openai-image-streams.json");
    return doc.as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_stream_vectors, *boost::unit_test::label("shared"))

BOOST_AUTO_TEST_CASE(events_decode_to_typed_events_with_the_right_bytes) {
    const auto& file = streams_file();
    const auto& images = file.at("images").as_object();
    std::size_t events_checked = 0, images_checked = 0, errors_checked = 0;
    for (const auto& sv : file.at("streams").as_array()) {
        const auto& stream = sv.as_object();
        const std::string name(stream.at("name").as_string());
        const auto& sse = stream.at("sse_events").as_array();
        const auto& decoded = stream.at("decoded").as_array();
        BOOST_TEST_REQUIRE(sse.size() == decoded.size());
        std::optional<openai::image_event> last;
        std::size_t partials = 0;
        for (std::size_t i = 0; i < sse.size(); ++i) {
            BOOST_TEST_CONTEXT(name << " event " << i) {
                const std::string data(sse[i].at("data").as_string());
                const std::string sse_name(sse[i].at("event").as_string());
                const auto& expect = decoded[i].as_object();
                const auto& json = expect.at("json").as_object();
                auto r = openai::decode_image_event(data);
                BOOST_TEST_REQUIRE(r.ok(), r.message);
                ++events_checked;
                if (const auto* b64 = expect.if_contains("b64_decoded")) {
                    const auto& d = b64->as_object();
                    BOOST_TEST_REQUIRE((r.value.kind == openai::event_kind::image));
                    const auto& ev = r.value.event;
                    BOOST_TEST(openai::event_type(ev) == json.at("type").as_string());
                    // Dispatch follows the JSON type; here it also equals the SSE event name.
                    BOOST_TEST(openai::event_type(ev) == sse_name);
                    const auto& bytes = openai::image_bytes(ev);
                    BOOST_TEST(bytes.size() == static_cast<std::size_t>(d.at("bytes").as_int64()));
                    BOOST_TEST(sha256_hex(bytes) == d.at("sha256").as_string());
                    const auto& img = images.at(d.at("image").as_string()).as_object();
                    BOOST_TEST(sha256_hex(bytes) == img.at("sha256").as_string());
                    BOOST_TEST(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
                    ++images_checked;
                    BOOST_TEST_REQUIRE(!openai::is_unknown(ev));
                    std::visit(
                        [&](const auto& e) {
                            if constexpr (!std::is_same_v<std::decay_t<decltype(e)>,
                                                          openai::unknown_event>)
                                check_metadata(e, json);
                        },
                        ev);
                    if (auto idx = openai::partial_image_index(ev)) {
                        BOOST_TEST(*idx == json.at("partial_image_index").as_int64());
                        ++partials;
                    } else {
                        BOOST_TEST_REQUIRE(openai::event_usage(ev) != nullptr);
                        check_usage(*openai::event_usage(ev), json.at("usage"));
                    }
                    // What the encoder writes decodes to the same event.
                    auto again =
                        openai::decode_image_event(boost::json::serialize(openai::to_json(ev)));
                    BOOST_TEST_REQUIRE(again.ok(), again.message);
                    BOOST_TEST((again.value.event == ev));
                    last = ev;
                } else {
                    BOOST_TEST_REQUIRE((r.value.kind == openai::event_kind::error));
                    const auto& expected_error = json.at("error").as_object();
                    check_error(r.value.error, expected_error);
                    // The SSE-name route (event: error) gives the same error.
                    auto by_name = openai::decode_error_event(data);
                    BOOST_TEST_REQUIRE(by_name.ok(), by_name.message);
                    BOOST_TEST((by_name.value == r.value.error));
                    ++errors_checked;
                }
            }
        }
        const auto& outcome = stream.at("outcome").as_object();
        BOOST_TEST_CONTEXT(name << " outcome") {
            const auto status = outcome.at("status").as_string();
            if (status == "completed") {
                BOOST_TEST_REQUIRE(last.has_value());
                BOOST_TEST(openai::is_completed(*last));
                const auto& final_image =
                    images.at(outcome.at("final_image").as_string()).as_object();
                BOOST_TEST(sha256_hex(openai::image_bytes(*last)) ==
                           final_image.at("sha256").as_string());
                check_usage(*openai::event_usage(*last), outcome.at("usage"));
                BOOST_TEST(partials == static_cast<std::size_t>(
                                           outcome.at("partial_images_received").as_int64()));
            } else if (status == "error") {
                BOOST_TEST(errors_checked > 0u);
            } else {
                BOOST_TEST(status == "incomplete");
                BOOST_TEST((!last || !openai::is_completed(*last)));
            }
        }
    }
    BOOST_TEST(events_checked >= 10u);
    BOOST_TEST(images_checked >= 8u);
    BOOST_TEST(errors_checked == 2u);
}

BOOST_AUTO_TEST_CASE(error_shapes_listed_in_the_file_are_recognised) {
    // The flat "type":"error" shape is documented in error_shapes; its payload is built here.
    auto flat = openai::decode_image_event(
        R"({"type":"error","code":"server_error","message":"The server had an error processing your request.","param":null,"sequence_number":3})");
    BOOST_TEST_REQUIRE(flat.ok(), flat.message);
    BOOST_TEST((flat.value.kind == openai::event_kind::error));
    BOOST_TEST(*flat.value.error.code == "server_error");
    BOOST_TEST(streams_file().at("error_shapes").as_array().size() >= 3u);
}

BOOST_AUTO_TEST_CASE(recorded_requests_decode_validate_and_encode_back) {
    std::size_t json_bodies = 0, forms = 0;
    for (const auto& sv : streams_file().at("streams").as_array()) {
        const auto& stream = sv.as_object();
        const std::string name(stream.at("name").as_string());
        const auto& request = stream.at("request").as_object();
        const auto endpoint = stream.at("endpoint").as_string();
        BOOST_TEST_CONTEXT(name) {
            if (request.at("content_type").as_string() == "application/json") {
                const auto& body = request.at("body");
                boost::json::value encoded;
                if (endpoint == "POST /v1/images/generations") {
                    auto r = openai::decode_generate_request(boost::json::serialize(body));
                    BOOST_TEST_REQUIRE(r.ok(), r.message);
                    auto err = openai::validate(r.value);
                    BOOST_TEST(!err, err.param << ": " << err.message);
                    encoded = openai::to_json(r.value);
                } else {
                    auto r = openai::decode_edit_request(boost::json::serialize(body));
                    BOOST_TEST_REQUIRE(r.ok(), r.message);
                    BOOST_TEST(r.value.uses_json_body());
                    auto err = openai::validate(r.value);
                    BOOST_TEST(!err, err.param << ": " << err.message);
                    encoded = openai::to_json(r.value);
                }
                BOOST_TEST(encoded == body);
                ++json_bodies;
            } else {
                std::vector<openai::codec::form_field> fields;
                std::size_t files = 0;
                for (const auto& f : request.at("fields").as_array()) {
                    std::string key(f.at(0).as_string()), value(f.at(1).as_string());
                    if (key == "image[]")
                        ++files;
                    else
                        fields.push_back({key, value});
                }
                auto r = openai::test::edit_request_from_fields(fields);
                BOOST_TEST_REQUIRE(r.ok(), r.message);
                for (std::size_t i = 0; i < files; ++i)
                    r.value.images.push_back(openai::image_file::from_bytes("png"));
                auto err = openai::validate(r.value);
                BOOST_TEST(!err, err.param << ": " << err.message);
                std::map<std::string, std::string> want, got;
                for (auto& f : fields)
                    want[f.name] = f.value;
                for (auto& f : openai::codec::form_fields(r.value))
                    got[f.name] = f.value;
                BOOST_TEST((got == want));
                ++forms;
            }
        }
    }
    BOOST_TEST(json_bodies == 5u);
    BOOST_TEST(forms == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
