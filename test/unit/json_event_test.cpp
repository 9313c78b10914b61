// Decoding stream event payloads (the `data` of one server-sent event): hand-written cases.
#include <openai/json.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <variant>

BOOST_AUTO_TEST_SUITE(json_event)

BOOST_AUTO_TEST_CASE(four_event_types) {
    struct row {
        std::string_view type;
        bool completed;
        std::size_t alternative;
    };
    const row rows[] = {
        {"image_generation.partial_image", false, 0},
        {"image_generation.completed", true, 1},
        {"image_edit.partial_image", false, 2},
        {"image_edit.completed", true, 3},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.type) {
            const std::string data =
                R"({"type":")" + std::string(r.type) +
                R"(","b64_json":"aGVsbG8=","created_at":1620000000,"size":"1024x1024",)"
                R"("quality":"high","background":"transparent","output_format":"png",)"
                R"("partial_image_index":2,"usage":{"total_tokens":100,"input_tokens":50,)"
                R"("output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}})";
            auto d = openai::decode_image_event(data);
            BOOST_TEST_REQUIRE(d.ok(), d.message);
            BOOST_TEST((d.value.kind == openai::event_kind::image));
            BOOST_TEST(d.value.type == r.type);
            const auto& ev = d.value.event;
            BOOST_TEST(ev.index() == r.alternative);
            BOOST_TEST(openai::event_type(ev) == r.type);
            BOOST_TEST(openai::is_completed(ev) == r.completed);
            BOOST_TEST(openai::is_partial(ev) == !r.completed);
            BOOST_TEST(openai::image_bytes(ev) == "hello");
            if (r.completed) {
                BOOST_TEST(!openai::partial_image_index(ev));
                BOOST_TEST_REQUIRE(openai::event_usage(ev) != nullptr);
                BOOST_TEST((openai::event_usage(ev)->input_tokens_details.image_tokens == 40));
            } else {
                BOOST_TEST(*openai::partial_image_index(ev) == 2);
                BOOST_TEST(openai::event_usage(ev) == nullptr);
            }
            BOOST_TEST_REQUIRE(!openai::is_unknown(ev));
            std::visit(
                [](const auto& e) {
                    if constexpr (!std::is_same_v<std::decay_t<decltype(e)>,
                                                  openai::unknown_event>) {
                        BOOST_TEST(*e.created_at == 1620000000);
                        BOOST_TEST(*e.size == openai::sizes::s1024x1024);
                        BOOST_TEST(*e.quality == openai::qualities::high);
                        BOOST_TEST(*e.background == openai::backgrounds::transparent);
                        BOOST_TEST(*e.output_format == openai::output_formats::png);
                    }
                },
                ev);

            // Round trip through the encoder.
            const auto json = openai::to_json(ev);
            BOOST_TEST(json.at("type").as_string() == r.type);
            BOOST_TEST(json.contains("partial_image_index") == !r.completed);
            BOOST_TEST(json.contains("usage") == r.completed);
            auto back = openai::decode_image_event(boost::json::serialize(json));
            BOOST_TEST_REQUIRE(back.ok(), back.message);
            BOOST_TEST((back.value.event == ev));

            // Moving the bytes out leaves the event's copy empty.
            auto copy = ev;
            std::string moved = openai::image_bytes(std::move(copy));
            BOOST_TEST(moved == "hello");
        }
    }
}

BOOST_AUTO_TEST_CASE(sparse_events_as_in_the_spec_examples) {
    // The path examples carry only type, b64_json and partial_image_index / usage.
    auto d = openai::decode_image_event(
        R"({"type":"image_edit.partial_image","b64_json":"aGVsbG8=","partial_image_index":0})");
    BOOST_TEST_REQUIRE(d.ok(), d.message);
    const auto& ev = std::get<openai::image_edit_partial_image_event>(d.value.event);
    BOOST_TEST(!ev.created_at);
    BOOST_TEST(!ev.size);
    BOOST_TEST(ev.partial_image_index == 0);
    // ... and encode back to exactly that.
    BOOST_TEST(boost::json::value(openai::to_json(d.value.event)) ==
               boost::json::parse(R"({"type":"image_edit.partial_image","b64_json":"aGVsbG8=",
                                      "partial_image_index":0})"));
}

BOOST_AUTO_TEST_CASE(unknown_types_are_skippable) {
    for (std::string_view data : {R"({"type":"image_generation.progress","percent":40})",
                                  R"({"type":"response.created","b64_json":5})",
                                  R"({"b64_json":"not base64!","type":"future.event"})",
                                  R"({"a":1})", R"({"type":null})"}) {
        BOOST_TEST_CONTEXT(data) {
            auto d = openai::decode_image_event(data);
            BOOST_TEST_REQUIRE(d.ok(), d.message);
            BOOST_TEST((d.value.kind == openai::event_kind::unknown));
        }
    }
    auto d = openai::decode_image_event(R"({"type":"image_generation.progress","percent":40})");
    BOOST_TEST(d.value.type == "image_generation.progress");
    // The event holds an unknown_event with the type and the whole data, which streams deliver.
    const auto* u = std::get_if<openai::unknown_event>(&d.value.event);
    BOOST_TEST_REQUIRE(u != nullptr);
    BOOST_TEST(u->type == "image_generation.progress");
    BOOST_TEST(u->data.at("percent").to_number<int>() == 40);
    BOOST_TEST((openai::unknown_fields(d.value.event) == u->data));
    BOOST_TEST(boost::json::value(openai::to_json(d.value.event)) ==
               boost::json::parse(R"({"type":"image_generation.progress","percent":40})"));
    // A b64_json the parser captured is given back as text.
    auto b = openai::decode_image_event(R"({"type":"future.image","b64_json":"aGVsbG8="})");
    BOOST_TEST_REQUIRE(b.ok(), b.message);
    BOOST_TEST(std::get<openai::unknown_event>(b.value.event).data.at("b64_json").as_string() ==
               "aGVsbG8=");
}

BOOST_AUTO_TEST_CASE(unknown_members_of_known_events_are_kept_on_request) {
    const std::string_view data =
        R"({"type":"image_generation.partial_image","b64_json":"aGVsbG8=",
            "partial_image_index":1,"sequence_number":9,"hint":{"a":[1]}})";
    auto off = openai::decode_image_event(data);
    BOOST_TEST_REQUIRE(off.ok(), off.message);
    BOOST_TEST(openai::unknown_fields(off.value.event).empty());
    auto on = openai::decode_image_event(data, openai::decode_options{true});
    BOOST_TEST_REQUIRE(on.ok(), on.message);
    const auto& kept = openai::unknown_fields(on.value.event);
    BOOST_TEST(kept.size() == 2u);
    BOOST_TEST(kept.at("sequence_number").to_number<int>() == 9);
    BOOST_TEST(openai::image_bytes(on.value.event) == "hello");
    // ...and encoded back.
    BOOST_TEST(openai::to_json(on.value.event).at("hint").at("a").at(0).to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(error_shapes) {
    // Nested, as the SDKs expect after `event: error` or in a plain data line.
    auto nested = openai::decode_image_event(
        R"({"error":{"message":"Your request was rejected by the safety system.",
                     "type":"image_generation_user_error","param":"","code":"moderation_blocked"}})");
    BOOST_TEST_REQUIRE(nested.ok(), nested.message);
    BOOST_TEST((nested.value.kind == openai::event_kind::error));
    BOOST_TEST(*nested.value.error.code == "moderation_blocked");
    BOOST_TEST(*nested.value.error.param == "");
    BOOST_TEST(*nested.value.error.type == "image_generation_user_error");

    // Flat, Responses-API style.
    auto flat = openai::decode_image_event(
        R"({"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":3})");
    BOOST_TEST_REQUIRE(flat.ok(), flat.message);
    BOOST_TEST((flat.value.kind == openai::event_kind::error));
    BOOST_TEST(*flat.value.error.code == "server_error");
    BOOST_TEST(*flat.value.error.message == "boom");
    BOOST_TEST(!flat.value.error.param);
    BOOST_TEST(!flat.value.error.type); // "type":"error" names the event, not the error type

    // An error member wins over an image type.
    auto both = openai::decode_image_event(
        R"({"type":"image_generation.completed","error":{"message":"late failure"}})");
    BOOST_TEST((both.value.kind == openai::event_kind::error));
    BOOST_TEST(*both.value.error.message == "late failure");

    // "error": null is no error.
    auto null_error = openai::decode_image_event(
        R"({"type":"image_generation.completed","b64_json":"aGVsbG8=","error":null})");
    BOOST_TEST((null_error.value.kind == openai::event_kind::image));

    auto text = openai::decode_image_event(R"({"error":"overloaded"})");
    BOOST_TEST((text.value.kind == openai::event_kind::error));
    BOOST_TEST(*text.value.error.message == "overloaded");

    auto bad = openai::decode_image_event(R"({"error":{"message":["x"]}})");
    BOOST_TEST((bad.code == openai::errc::json_type_mismatch));
    BOOST_TEST(bad.message == "error.message: expected string, got array");
}

BOOST_AUTO_TEST_CASE(error_event_payloads) {
    auto nested = openai::decode_error_event(R"({"error":{"message":"m","type":"t"}})");
    BOOST_TEST_REQUIRE(nested.ok(), nested.message);
    BOOST_TEST(*nested.value.message == "m");
    auto flat = openai::decode_error_event(R"({"message":"m2","code":"c"})");
    BOOST_TEST_REQUIRE(flat.ok(), flat.message);
    BOOST_TEST(*flat.value.message == "m2");
    BOOST_TEST(*flat.value.code == "c");
    auto junk = openai::decode_error_event("[DONE]");
    BOOST_TEST((junk.code == openai::errc::invalid_json));
}

BOOST_AUTO_TEST_CASE(event_shape_errors) {
    struct row {
        const char* data;
        openai::errc code;
        const char* message;
    };
    const row rows[] = {
        {R"({"type":"image_generation.completed"})", openai::errc::json_type_mismatch,
         "b64_json: missing"},
        {R"({"type":"image_generation.completed","b64_json":null})",
         openai::errc::json_type_mismatch, "b64_json: missing"},
        {R"({"type":"image_edit.partial_image","b64_json":7})", openai::errc::json_type_mismatch,
         "b64_json: expected string, got number"},
        {R"({"type":"image_edit.partial_image","b64_json":"aGVsbG8=","partial_image_index":"0"})",
         openai::errc::json_type_mismatch, "partial_image_index: expected integer, got string"},
        {R"({"type":"image_edit.completed","b64_json":"aGVsbG8=","created_at":"today"})",
         openai::errc::json_type_mismatch, "created_at: expected integer, got string"},
        {R"({"type":"image_edit.completed","b64_json":"aGVsbG8=","usage":{"input_tokens":null,
             "input_tokens_details":{"image_tokens":false}}})",
         openai::errc::json_type_mismatch,
         "usage.input_tokens_details.image_tokens: expected integer, got boolean"},
        {R"({"type":5})", openai::errc::json_type_mismatch, "type: expected string, got number"},
        {R"([])", openai::errc::json_type_mismatch, "(top level): expected object, got array"},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.data) {
            auto d = openai::decode_image_event(r.data);
            BOOST_TEST((d.code == r.code));
            BOOST_TEST(d.message == r.message);
        }
    }
    auto b64 =
        openai::decode_image_event(R"({"type":"image_generation.completed","b64_json":"..."})");
    BOOST_TEST((b64.code == openai::errc::invalid_base64));
    BOOST_TEST(b64.message.starts_with("b64_json: invalid base64: "), b64.message);
    auto dom = openai::decode_image_event(
        boost::json::parse(R"({"type":"image_generation.completed","b64_json":"..."})"));
    BOOST_TEST((dom.code == openai::errc::invalid_base64));
    BOOST_TEST(dom.message.starts_with("b64_json: invalid base64: "), dom.message);
    auto done = openai::decode_image_event("[DONE]");
    BOOST_TEST((done.code == openai::errc::invalid_json));
}

BOOST_AUTO_TEST_SUITE_END()
