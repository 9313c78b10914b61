// Every stream of shared/sse-vectors/openai-image-streams.json served byte-exact at its chunk
// offsets by the raw server, with chunked transfer, with a Content-Length body, and cut short
// (no last chunk), consumed through generate_stream()/edit_stream() and image_stream::next():
// the typed events, the outcome and what happens to the connection all match.
#include "codec/base64.hpp"
#include "codec/form_fields.hpp"
#include "stream_test_support.hpp"
#include "support/request_from_fields.hpp"
#include "support/shared_data.hpp"

#include <openai/json.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
using namespace openai::test;
using framing = canned_response::framing;

namespace {

const json::object& streams_file() {
    static const json::value doc = read_shared_json("sse-vectors/openai-image-streams.json");
    return doc.as_object();
}

std::string image_of(const std::string& name) {
    const auto& b64 = streams_file().at("images").at(name).at("b64").as_string();
    std::string bytes;
    boost::system::error_code ec;
    BOOST_TEST_REQUIRE(openai::codec::base64_decode(b64, bytes, ec));
    return bytes;
}

std::optional<std::string> opt_str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return std::nullopt;
    return std::string(v->as_string());
}

template <class Event>
void check_fields(const Event& ev, const json::object& j) {
    BOOST_TEST(ev.created_at.value_or(-1) == j.at("created_at").as_int64());
    BOOST_TEST(ev.size->str() == j.at("size").as_string());
    BOOST_TEST(ev.quality->str() == j.at("quality").as_string());
    BOOST_TEST(ev.background->str() == j.at("background").as_string());
    BOOST_TEST(ev.output_format->str() == j.at("output_format").as_string());
}

// The request the stream was recorded for, rebuilt as the typed request a caller would send.
openai::edit_request edit_request_of(const json::object& request) {
    if (request.at("content_type").as_string() == "application/json") {
        auto r = openai::decode_edit_request(json::serialize(request.at("body")));
        BOOST_TEST_REQUIRE(r.ok(), r.message);
        return r.value;
    }
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
        r.value.images.push_back(
            openai::image_file::from_bytes(image_of("edit_partial_0"), "soap.png"));
    return r.value;
}

struct served {
    drained result;
    openai::client_stats stats;
    std::string target;
    std::string body;
};

served serve_stream(raw_stream_server& server, const json::object& stream, framing frame) {
    const std::string name(stream.at("name").as_string());
    const std::string input(stream.at("input").as_string());
    std::vector<std::size_t> offsets;
    for (const auto& c : stream.at("chunks").as_array())
        offsets.push_back(static_cast<std::size_t>(c.to_number<std::uint64_t>()));
    auto canned = canned_response::split(input, offsets, frame);
    canned.request_id = "req_" + name;
    const std::string key = name + "-" + std::to_string(static_cast<int>(frame));
    server.add(key, canned);

    boost::asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto& request = stream.at("request").as_object();
    served out;
    if (stream.at("endpoint").as_string() == "POST /v1/images/generations") {
        auto req = openai::decode_generate_request(json::serialize(request.at("body")));
        BOOST_TEST_REQUIRE(req.ok(), req.message);
        out.result = run(ioc, drain_generation(client.images(), req.value, serve(key)));
    } else {
        out.result = run(ioc, drain_edit(client.images(), edit_request_of(request), serve(key)));
    }
    out.stats = client.stats();
    out.target = server.last_target();
    out.body = server.last_body();
    return out;
}

void check_events(const served& s, const json::object& stream, std::size_t expected_count) {
    std::size_t i = 0;
    for (const auto& d : stream.at("decoded").as_array()) {
        const auto* b64 = d.as_object().if_contains("b64_decoded");
        if (b64 == nullptr)
            continue; // an error event: not yielded
        BOOST_TEST_REQUIRE(i < s.result.events.size());
        const auto& ev = s.result.events[i++];
        const auto& j = d.at("json").as_object();
        BOOST_TEST(openai::event_type(ev) == j.at("type").as_string());
        BOOST_TEST(
            (openai::image_bytes(ev) == image_of(std::string(b64->at("image").as_string()))));
        BOOST_TEST_REQUIRE(!openai::is_unknown(ev));
        std::visit(
            [&](const auto& e) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, openai::unknown_event>)
                    check_fields(e, j);
            },
            ev);
        if (auto index = openai::partial_image_index(ev)) {
            BOOST_TEST(*index == j.at("partial_image_index").as_int64());
        } else {
            const auto* usage = openai::event_usage(ev);
            BOOST_TEST_REQUIRE(usage != nullptr);
            auto expected = openai::decode_image_event(json::serialize(j));
            BOOST_TEST_REQUIRE(expected.ok());
            BOOST_TEST((*usage == *openai::event_usage(expected.value.event)));
        }
    }
    BOOST_TEST(i == expected_count);
    BOOST_TEST(s.result.events.size() == expected_count);
}

} // namespace

BOOST_AUTO_TEST_SUITE(shared_streams, *boost::unit_test::label("shared"))

BOOST_AUTO_TEST_CASE(every_stream_with_every_framing) {
    raw_stream_server server;
    std::size_t completed = 0, errors = 0, incomplete = 0;
    for (const auto& sv : streams_file().at("streams").as_array()) {
        const auto& stream = sv.as_object();
        const std::string name(stream.at("name").as_string());
        const auto& outcome = stream.at("outcome").as_object();
        const std::string status(outcome.at("status").as_string());
        for (auto frame : {framing::chunked, framing::length, framing::chunked_cut}) {
            BOOST_TEST_CONTEXT(name << " framing " << static_cast<int>(frame)) {
                const auto s = serve_stream(server, stream, frame);
                const auto& r = s.result;
                BOOST_TEST_REQUIRE(r.opened, r.error.message);
                BOOST_TEST(r.meta.http_status == 200);
                BOOST_TEST(r.meta.request_id == "req_" + name);
                // The request went to the right endpoint and asked for a stream.
                const bool generation =
                    stream.at("endpoint").as_string() == "POST /v1/images/generations";
                BOOST_TEST(s.target ==
                           (generation ? "/v1/images/generations" : "/v1/images/edits"));
                if (s.body.starts_with("{"))
                    BOOST_TEST(json::parse(s.body).at("stream").as_bool());
                else
                    BOOST_TEST(s.body.find("name=\"stream\"\r\n\r\ntrue") != std::string::npos);

                if (status == "completed") {
                    check_events(
                        s, stream,
                        static_cast<std::size_t>(outcome.at("partial_images_received").as_int64()) +
                            1);
                    BOOST_TEST(!r.error, r.error.message);
                    BOOST_TEST(r.clean_end);
                    BOOST_TEST(openai::is_completed(r.events.back()));
                    // Pooled only after a whole body; a cut one is closed (the result still
                    // stands: the completed event arrived).
                    BOOST_TEST(s.stats.connections_idle ==
                               (frame == framing::chunked_cut ? 0u : 1u));
                    ++completed;
                } else if (status == "error") {
                    check_events(
                        s, stream,
                        static_cast<std::size_t>(outcome.at("events_before_error").as_int64()));
                    BOOST_TEST(r.error.code == openai::errc::stream_error_event);
                    BOOST_TEST_REQUIRE(r.error.api.has_value());
                    const auto& e = outcome.at("error").as_object();
                    BOOST_TEST((r.error.api->message == opt_str(e, "message")));
                    BOOST_TEST((r.error.api->type == opt_str(e, "type")));
                    BOOST_TEST((r.error.api->param == opt_str(e, "param")));
                    BOOST_TEST((r.error.api->code == opt_str(e, "code")));
                    BOOST_TEST(r.error.request_id == "req_" + name);
                    BOOST_TEST(r.error.http_status == 200);
                    BOOST_TEST(r.error.message.find(*opt_str(e, "message")) != std::string::npos);
                    BOOST_TEST(s.stats.connections_idle == 0u);
                    ++errors;
                } else {
                    BOOST_TEST(status == "incomplete");
                    check_events(
                        s, stream,
                        static_cast<std::size_t>(outcome.at("partial_images_received").as_int64()));
                    // A whole body without a completed event, or a body cut short.
                    BOOST_TEST(r.error.code == (frame == framing::chunked_cut
                                                    ? openai::errc::truncated_body
                                                    : openai::errc::stream_truncated),
                               r.error.message);
                    BOOST_TEST(r.error.request_id == "req_" + name);
                    BOOST_TEST(!r.clean_end);
                    BOOST_TEST(s.stats.connections_idle == 0u);
                    ++incomplete;
                }
                BOOST_TEST(s.stats.connections_in_use == 0u);
            }
        }
    }
    BOOST_TEST(completed >= 3u * 3u);
    BOOST_TEST(errors == 2u * 3u);
    BOOST_TEST(incomplete == 1u * 3u);
}

BOOST_AUTO_TEST_SUITE_END()
