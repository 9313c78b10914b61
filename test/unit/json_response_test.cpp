// Decoding and encoding ImagesResponse, usage and API errors: hand-written cases.
#include "codec/base64.hpp"

#include <openai/json.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

boost::json::value parse(std::string_view s) {
    return boost::json::parse(s);
}

// "hello" and "image!" in base64
constexpr std::string_view hello_b64 = "aGVsbG8=";
constexpr std::string_view image_b64 = "aW1hZ2Uh";

} // namespace

BOOST_AUTO_TEST_SUITE(json_response)

BOOST_AUTO_TEST_CASE(decodes_every_member) {
    const std::string body = R"({
        "created": 1713833628,
        "data": [ {"b64_json": "aGVsbG8=", "revised_prompt": "an otter"},
                  {"url": "https://example.com/a.png"} ],
        "background": "transparent", "output_format": "webp", "size": "1536x1024",
        "quality": "high",
        "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50,
                  "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
                  "output_tokens_details": {"image_tokens": 45, "text_tokens": 5}}
    })";
    auto r = openai::decode_images_response(body);
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    const auto& v = r.value;
    BOOST_TEST((v.created == 1713833628));
    BOOST_TEST_REQUIRE(v.data.size() == 2u);
    BOOST_TEST(v.data[0].has_bytes());
    BOOST_TEST(*v.data[0].bytes == "hello");
    BOOST_TEST(v.data[0].b64_json() == hello_b64);
    BOOST_TEST(*v.data[0].revised_prompt == "an otter");
    BOOST_TEST(!v.data[0].url);
    BOOST_TEST(!v.data[1].has_bytes());
    BOOST_TEST(v.data[1].b64_json().empty());
    BOOST_TEST(*v.data[1].url == "https://example.com/a.png");
    BOOST_TEST(*v.background == openai::backgrounds::transparent);
    BOOST_TEST(*v.output_format == openai::output_formats::webp);
    BOOST_TEST(*v.size == openai::sizes::s1536x1024);
    BOOST_TEST(*v.quality == openai::qualities::high);
    BOOST_TEST_REQUIRE(v.usage.has_value());
    BOOST_TEST((v.usage->total_tokens == 100));
    BOOST_TEST((v.usage->input_tokens == 50));
    BOOST_TEST((v.usage->output_tokens == 50));
    BOOST_TEST((v.usage->input_tokens_details.text_tokens == 10));
    BOOST_TEST((v.usage->input_tokens_details.image_tokens == 40));
    BOOST_TEST_REQUIRE(v.usage->output_tokens_details.has_value());
    BOOST_TEST((v.usage->output_tokens_details->image_tokens == 45));
    BOOST_TEST((v.usage->output_tokens_details->text_tokens == 5));

    // The same document already parsed decodes the same way (bytes from the DOM's string).
    auto from_dom = openai::decode_images_response(parse(body));
    BOOST_TEST_REQUIRE(from_dom.ok(), from_dom.message);
    BOOST_TEST((from_dom.value == v));
}

BOOST_AUTO_TEST_CASE(unknown_values_and_members_pass_through) {
    // New enum values, unknown members at every level, and a "b64_json" in an unknown place
    // (which is not an image and must not be decoded).
    auto r = openai::decode_images_response(R"({
        "created": 1, "object": "list", "extra": {"b64_json": "!!not base64!!", "n": [1,2]},
        "data": [{"b64_json": "aW1hZ2Uh", "future": {"x": null}, "url": null}],
        "size": "3840x2160", "quality": "ultra", "output_format": "avif",
        "usage": {"total_tokens": 1, "input_tokens": 1, "output_tokens": 0,
                  "input_tokens_details": {"text_tokens": 1, "image_tokens": 0,
                                           "audio_tokens": 7}, "cached": true}
    })");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(*r.value.data.at(0).bytes == "image!");
    BOOST_TEST(!r.value.data[0].url);
    BOOST_TEST(r.value.size->str() == "3840x2160");
    BOOST_TEST(r.value.quality->str() == "ultra");
    BOOST_TEST(r.value.output_format->str() == "avif");
    BOOST_TEST(!r.value.usage->output_tokens_details);
}

BOOST_AUTO_TEST_CASE(nulls_mean_absent) {
    auto r = openai::decode_images_response(
        R"({"created": 5, "data": [{"b64_json": null, "url": "u", "revised_prompt": null}],
            "background": null, "output_format": null, "size": null, "quality": null,
            "usage": null})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(!r.value.data.at(0).bytes);
    BOOST_TEST(!r.value.data[0].revised_prompt);
    BOOST_TEST(!r.value.background);
    BOOST_TEST(!r.value.usage);

    auto empty = openai::decode_images_response(R"({"created": 5, "data": null})");
    BOOST_TEST_REQUIRE(empty.ok(), empty.message);
    BOOST_TEST(empty.value.data.empty());

    // An empty b64_json is an empty image, not an absent one.
    auto zero = openai::decode_images_response(R"({"created": 5, "data": [{"b64_json": ""}]})");
    BOOST_TEST_REQUIRE(zero.ok(), zero.message);
    BOOST_TEST(zero.value.data.at(0).has_bytes());
    BOOST_TEST(zero.value.data[0].bytes->empty());
}

struct mismatch_case {
    const char* body;
    const char* message;
};

BOOST_AUTO_TEST_CASE(wrong_types_name_their_path) {
    const mismatch_case cases[] = {
        {R"({"created":1,"data":[{"b64_json":"aGVsbG8="},{"b64_json":42}]})",
         "data[1].b64_json: expected string, got number"},
        {R"({"created":1,"data":[{"b64_json":42}]})",
         "data[0].b64_json: expected string, got number"},
        {R"({"created":"now","data":[]})", "created: expected integer, got string"},
        {R"({"created":1.5,"data":[]})", "created: expected integer, got number"},
        {R"({"created":1,"data":{}})", "data: expected array, got object"},
        {R"({"created":1,"data":["x"]})", "data[0]: expected object, got string"},
        {R"({"created":1,"data":[{"url":true}]})", "data[0].url: expected string, got boolean"},
        {R"({"created":1,"data":[{"revised_prompt":[]}]})",
         "data[0].revised_prompt: expected string, got array"},
        {R"({"created":1,"size":1024})", "size: expected string, got number"},
        {R"({"created":1,"usage":[]})", "usage: expected object, got array"},
        {R"({"created":1,"usage":{"total_tokens":"1"}})",
         "usage.total_tokens: expected integer, got string"},
        {R"({"created":1,"usage":{"input_tokens_details":{"text_tokens":{}}}})",
         "usage.input_tokens_details.text_tokens: expected integer, got object"},
        {R"({"created":1,"usage":{"output_tokens_details":5}})",
         "usage.output_tokens_details: expected object, got number"},
        {R"([1,2])", "(top level): expected object, got array"},
        {R"("text")", "(top level): expected object, got string"},
        {R"({"created":18446744073709551615})", "created: integer out of range"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.body) {
            auto r = openai::decode_images_response(c.body);
            BOOST_TEST(!r.ok());
            BOOST_TEST((r.code == openai::errc::json_type_mismatch));
            BOOST_TEST(r.message == c.message);
            // The DOM path reports the same.
            auto d = openai::decode_images_response(parse(c.body));
            BOOST_TEST((d.code == openai::errc::json_type_mismatch));
            BOOST_TEST(d.message == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(integral_doubles_are_integers) {
    auto r = openai::decode_images_response(R"({"created":1.0e3,"data":[]})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST((r.value.created == 1000));
}

BOOST_AUTO_TEST_CASE(bad_base64_is_invalid_base64) {
    for (std::string_view payload : {"aGVsbG8", "a$==", "aGVsbG8=x", "QQ="}) {
        const std::string body = R"({"created":1,"data":[{"b64_json":"aGVsbG8="},{"b64_json":")" +
                                 std::string(payload) + R"("}]})";
        BOOST_TEST_CONTEXT(payload) {
            auto r = openai::decode_images_response(body);
            if (payload == "aGVsbG8") {
                // Unpadded final quanta are accepted by the decoder.
                BOOST_TEST(r.ok(), r.message);
                continue;
            }
            BOOST_TEST((r.code == openai::errc::invalid_base64));
            BOOST_TEST(r.message.starts_with("data[1].b64_json: invalid base64: "), r.message);
            auto d = openai::decode_images_response(parse(body));
            BOOST_TEST((d.code == openai::errc::invalid_base64));
            BOOST_TEST(d.message.starts_with("data[1].b64_json: invalid base64: "), d.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(escaped_base64_text_is_unescaped_first) {
    // JSON may escape '/' and use \u escapes; the decoder sees the unescaped text.
    auto r = openai::decode_images_response(
        R"({"created":1,"data":[{"b64_json":"\/\/\/\/\u0041\u0041\u0041\u0041"}]})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(*r.value.data.at(0).bytes == std::string("\xff\xff\xff\x00\x00\x00", 6));
}

BOOST_AUTO_TEST_CASE(not_json_is_invalid_json) {
    for (std::string_view body : {"", "{", "{\"created\":1,}", "nope", "{} {}", "{\"a\":1} x",
                                  "<html>502 Bad Gateway</html>"}) {
        BOOST_TEST_CONTEXT(body) {
            auto r = openai::decode_images_response(body);
            BOOST_TEST((r.code == openai::errc::invalid_json));
            BOOST_TEST(r.message.starts_with("invalid JSON at byte "), r.message);
        }
    }
    auto ws = openai::decode_images_response("  {\"created\":2}\r\n ");
    BOOST_TEST(ws.ok(), ws.message);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_not_overflowed) {
    const std::string deep =
        R"({"created":1,"x":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
    auto r = openai::decode_images_response(deep);
    BOOST_TEST((r.code == openai::errc::invalid_json));
    const std::string fine =
        R"({"created":1,"x":)" + std::string(30, '[') + std::string(30, ']') + "}";
    BOOST_TEST(openai::decode_images_response(fine).ok());
}

BOOST_AUTO_TEST_CASE(incremental_parser_matches_whole_parse_at_every_split) {
    const std::string body =
        R"({"created":7,"data":[{"b64_json":"aGVsbG8="},{"b64_json":"aW1hZ2Uh","url":"x"}],)"
        R"("usage":{"total_tokens":3,"input_tokens":1,"output_tokens":2,)"
        R"("input_tokens_details":{"text_tokens":1,"image_tokens":0}}})";
    const auto whole = openai::decode_images_response(body);
    BOOST_TEST_REQUIRE(whole.ok(), whole.message);
    for (std::size_t a = 0; a <= body.size(); ++a) {
        for (std::size_t b = a; b <= body.size(); b += 7) {
            openai::images_response_parser p;
            BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(0, a)));
            BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(a, b - a)));
            BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(b)));
            auto r = p.finish();
            BOOST_TEST_REQUIRE(r.ok(), r.message);
            BOOST_TEST_REQUIRE((r.value == whole.value));
        }
    }
    openai::images_response_parser p;
    for (char c : body)
        BOOST_TEST_REQUIRE(p.write(std::string_view(&c, 1)));
    auto r = p.finish();
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST((r.value == whole.value));
}

BOOST_AUTO_TEST_CASE(incremental_parser_reports_errors) {
    openai::images_response_parser bad64;
    BOOST_TEST(bad64.write(R"({"created":1,"data":[{"b64_json":"aGVs)"));
    BOOST_TEST(bad64.write(R"(#G8="}]})")); // still JSON: the base64 error comes at the end
    auto r = bad64.finish();
    BOOST_TEST((r.code == openai::errc::invalid_base64));
    BOOST_TEST(r.message.starts_with("data[0].b64_json: invalid base64"), r.message);

    openai::images_response_parser junk;
    BOOST_TEST(junk.write(R"({"created":1})"));
    BOOST_TEST(!junk.write("x"));
    BOOST_TEST(!junk.write("{}"));
    BOOST_TEST((junk.finish().code == openai::errc::invalid_json));

    openai::images_response_parser cut;
    BOOST_TEST(cut.write(R"({"created":1,"data":[)"));
    auto c = cut.finish();
    BOOST_TEST((c.code == openai::errc::invalid_json));

    openai::images_response_parser shape;
    BOOST_TEST(shape.write(R"({"created":1,"data":[{"b64_json":1}]})"));
    auto s = shape.finish();
    BOOST_TEST((s.code == openai::errc::json_type_mismatch));
    BOOST_TEST(s.message == "data[0].b64_json: expected string, got number");
}

// Image text goes straight to the base64 decoder once a string is under way (bypassing the JSON
// parser's string validation); everything that is not plain base64 must still get exactly the
// JSON treatment: escapes unescaped, control characters refused as JSON, other bytes refused as
// base64 at their offset. Whatever the pieces and whatever the size hints.
BOOST_AUTO_TEST_CASE(large_images_decode_the_same_in_any_pieces_and_with_any_hint) {
    std::string image(200000, '\0');
    for (std::size_t i = 0; i < image.size(); ++i)
        image[i] = static_cast<char>((i * 7919 + i / 13) & 0xff);
    std::string text = openai::codec::base64_encode(image);
    // Escape every '/' after the first 50,000 characters as JSON allows ("\/").
    std::string escaped = text.substr(0, 50000);
    for (std::size_t i = 50000; i < text.size(); ++i)
        escaped += text[i] == '/' ? std::string("\\/") : std::string(1, text[i]);
    BOOST_TEST_REQUIRE(escaped.size() > text.size());
    const std::string body = R"({"created":1,"data":[{"b64_json":")" + text +
                             R"("},{"b64_json":")" + escaped + R"(","revised_prompt":"p"}]})";
    const auto dom = openai::decode_images_response(boost::json::parse(body));
    BOOST_TEST_REQUIRE(dom.ok(), dom.message);
    BOOST_TEST_REQUIRE((*dom.value.data.at(1).bytes == image));

    struct hint {
        std::uint64_t size;
        unsigned images;
    };
    for (const auto piece : {std::size_t{1000}, std::size_t{4096}, std::size_t{16384},
                             std::size_t{65536}, body.size()}) {
        for (const auto h : {hint{0, 1}, hint{body.size(), 2}, hint{body.size(), 1},
                             hint{body.size() * 10, 7}, hint{100, 2}}) {
            BOOST_TEST_CONTEXT("pieces of " << piece << ", hint " << h.size << "/" << h.images) {
                openai::images_response_parser p;
                if (h.size != 0)
                    p.expect_body_size(h.size, h.images);
                for (std::size_t at = 0; at < body.size(); at += piece)
                    BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(at, piece)));
                auto r = p.finish();
                BOOST_TEST_REQUIRE(r.ok(), r.message);
                BOOST_TEST((r.value == dom.value));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_unicode_escape_split_anywhere_inside_a_large_image) {
    // "\u0041" is 'A': its tail is base64 characters, so a piece that ends inside it must not
    // let the rest of the string bypass the parser. One escape, the body cut at every position
    // in and around it, and nothing but base64 after it (so the bypass would take it all).
    std::string image(60000, '\0');
    for (std::size_t i = 0; i < image.size(); ++i)
        image[i] = static_cast<char>((i * 131 + 7) & 0xff);
    std::string text = openai::codec::base64_encode(image);
    // Early in the string: the parser itself reads the start of a string (and would refuse the
    // bypass for the rest of it after seeing a backslash later on).
    const std::size_t at = text.find('A', 100);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    const std::string escaped = text.substr(0, at) + "\\u0041" + text.substr(at + 1);
    const std::string prefix = R"({"created":1,"data":[{"b64_json":")";
    const std::string body = prefix + escaped + R"("}]})";
    const std::size_t escape = prefix.size() + at;
    for (std::size_t cut = escape - 2; cut <= escape + 8; ++cut) {
        BOOST_TEST_CONTEXT("cut at " << cut - escape << " from the escape") {
            openai::images_response_parser p;
            p.expect_body_size(body.size(), 1);
            BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(0, cut)));
            BOOST_TEST_REQUIRE(p.write(std::string_view(body).substr(cut)));
            auto r = p.finish();
            BOOST_TEST_REQUIRE(r.ok(), r.message);
            BOOST_TEST_REQUIRE((*r.value.data.at(0).bytes == image));
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_bytes_deep_in_large_images_are_named_as_before) {
    const std::string image(150000, 'x');
    const std::string text = openai::codec::base64_encode(image);
    struct bad_case {
        std::string insert;
        openai::errc code;
        std::string message_start;
    };
    const std::vector<bad_case> cases = {
        {"#", openai::errc::invalid_base64,
         "data[0].b64_json: invalid base64: invalid character at offset 100000"},
        {"\xc3\xa9", openai::errc::invalid_base64,
         "data[0].b64_json: invalid base64: invalid character at offset 100000"},
        {"\x01", openai::errc::invalid_json, "invalid JSON at byte 100034"},
        {"\xff", openai::errc::invalid_json, "invalid JSON at byte 100034"},
    };
    for (const auto& c : cases) {
        const std::string body = R"({"created":1,"data":[{"b64_json":")" + text.substr(0, 100000) +
                                 c.insert + text.substr(100000) + R"("}]})";
        for (const auto piece : {std::size_t{3000}, std::size_t{16384}, body.size()}) {
            BOOST_TEST_CONTEXT("pieces of " << piece << ", inserted " << c.message_start) {
                openai::images_response_parser p;
                p.expect_body_size(body.size(), 1);
                for (std::size_t at = 0; at < body.size(); at += piece)
                    if (!p.write(std::string_view(body).substr(at, piece)))
                        break;
                auto r = p.finish();
                BOOST_TEST((r.code == c.code), r.message);
                BOOST_TEST(r.message.starts_with(c.message_start), r.message);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(response_round_trip) {
    openai::images_response r;
    r.created = 1589478378;
    r.data.push_back({std::string("\x89PNG\r\n\x1a\n\0\xff", 10), std::nullopt, "revised"});
    r.data.push_back({std::nullopt, "https://example.com/x.png", std::nullopt});
    r.data.push_back({std::string(), std::nullopt, std::nullopt});
    r.background = openai::backgrounds::opaque;
    r.output_format = openai::output_formats::jpeg;
    r.size = openai::sizes::s1024x1536;
    r.quality = openai::qualities::low;
    r.usage = openai::image_usage{10, 4, 6, {3, 1}, openai::output_tokens_details{6, 0}};

    const auto json = openai::to_json(r);
    BOOST_TEST(json.at("data").at(0).at("b64_json").as_string() == "iVBORw0KGgoA/w==");
    BOOST_TEST(!json.at("data").at(1).as_object().contains("b64_json"));
    BOOST_TEST(json.at("data").at(2).at("b64_json").as_string() == "");
    const auto text = boost::json::serialize(json);
    auto back = openai::decode_images_response(text);
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST((back.value == r));
    BOOST_TEST(boost::json::value_from(r) == boost::json::value(json));

    // Minimal response: only what is set is written.
    openai::images_response minimal;
    minimal.created = 3;
    BOOST_TEST(boost::json::value(openai::to_json(minimal)) == parse(R"({"created":3,"data":[]})"));
}

BOOST_AUTO_TEST_CASE(usage_encoding) {
    openai::image_usage u{100, 50, 50, {10, 40}, std::nullopt};
    BOOST_TEST(boost::json::value(openai::to_json(u)) ==
               parse(R"({"total_tokens":100,"input_tokens":50,"output_tokens":50,
                        "input_tokens_details":{"text_tokens":10,"image_tokens":40}})"));
}

BOOST_AUTO_TEST_CASE(api_error_bodies) {
    auto r = openai::decode_api_error(
        R"({"error":{"message":"Invalid size","type":"invalid_request_error","param":"size",
                     "code":null,"extra":1}})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(*r.value.message == "Invalid size");
    BOOST_TEST(*r.value.type == "invalid_request_error");
    BOOST_TEST(*r.value.param == "size");
    BOOST_TEST(!r.value.code);

    auto numeric = openai::decode_api_error(R"({"error":{"message":"slow down","code":429}})");
    BOOST_TEST_REQUIRE(numeric.ok(), numeric.message);
    BOOST_TEST(*numeric.value.code == "429");
    BOOST_TEST(!numeric.value.param);
    BOOST_TEST(!numeric.value.type);

    auto text = openai::decode_api_error(R"({"error":"Internal error"})");
    BOOST_TEST_REQUIRE(text.ok(), text.message);
    BOOST_TEST(*text.value.message == "Internal error");

    auto missing = openai::decode_api_error(R"({"message":"x"})");
    BOOST_TEST((missing.code == openai::errc::json_type_mismatch));
    BOOST_TEST(missing.message == "error: missing");

    auto wrong = openai::decode_api_error(R"({"error":{"message":5}})");
    BOOST_TEST((wrong.code == openai::errc::json_type_mismatch));
    BOOST_TEST(wrong.message == "error.message: expected string, got number");

    auto wrong2 = openai::decode_api_error(R"({"error":[1]})");
    BOOST_TEST(wrong2.message == "error: expected object, got array");

    auto html = openai::decode_api_error("<html></html>");
    BOOST_TEST((html.code == openai::errc::invalid_json));

    openai::api_error e{"Invalid size", "invalid_request_error", std::nullopt, std::nullopt};
    BOOST_TEST(boost::json::value(openai::to_error_body(e)) ==
               parse(R"({"error":{"message":"Invalid size","type":"invalid_request_error",
                                  "param":null,"code":null}})"));
    auto back = openai::decode_api_error(boost::json::serialize(openai::to_error_body(e)));
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST((back.value == e));
}

BOOST_AUTO_TEST_CASE(absent_is_not_zero) {
    auto r = openai::decode_images_response(
        R"({"data":[],"usage":{"total_tokens":0,"output_tokens_details":{"image_tokens":0}}})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(!r.value.created.has_value());
    BOOST_TEST((r.value.usage->total_tokens == 0));
    BOOST_TEST(!r.value.usage->input_tokens.has_value());
    BOOST_TEST(!r.value.usage->input_tokens_details.text_tokens.has_value());
    BOOST_TEST((r.value.usage->output_tokens_details->image_tokens == 0));
    BOOST_TEST(!r.value.usage->output_tokens_details->text_tokens.has_value());
    // Encoding writes what was there, zeros included, and nothing else.
    BOOST_TEST(boost::json::value(openai::to_json(r.value)) ==
               parse(R"({"data":[],"usage":{"total_tokens":0,
                         "output_tokens_details":{"image_tokens":0}}})"));
    auto zero = openai::decode_images_response(R"({"created":0,"data":[]})");
    BOOST_TEST_REQUIRE(zero.ok(), zero.message);
    BOOST_TEST((zero.value.created == 0));
}

BOOST_AUTO_TEST_CASE(unknown_members_are_kept_on_request) {
    const std::string_view body = R"({"created":1,"data":[{"b64_json":"aGVsbG8=","seed":42}],
                                     "object":"list","extra":{"n":[1,2]}})";
    auto off = openai::decode_images_response(body);
    BOOST_TEST_REQUIRE(off.ok(), off.message);
    BOOST_TEST(off.value.unknown_fields.empty());
    BOOST_TEST(off.value.data[0].unknown_fields.empty());
    auto on = openai::decode_images_response(body, openai::decode_options{true});
    BOOST_TEST_REQUIRE(on.ok(), on.message);
    BOOST_TEST(on.value.unknown_fields.size() == 2u);
    BOOST_TEST(on.value.unknown_fields.at("object").as_string() == "list");
    BOOST_TEST(on.value.data[0].unknown_fields.at("seed").to_number<int>() == 42);
    BOOST_TEST(*on.value.data[0].bytes == "hello");
    // The incremental parser, fed one byte at a time.
    openai::images_response_parser parser;
    parser.keep_unknown_fields(true);
    for (const char c : body)
        BOOST_TEST_REQUIRE(parser.write(std::string_view(&c, 1)));
    auto fed = parser.finish();
    BOOST_TEST_REQUIRE(fed.ok(), fed.message);
    BOOST_TEST((fed.value.unknown_fields == on.value.unknown_fields));
    BOOST_TEST((fed.value.data[0].unknown_fields == on.value.data[0].unknown_fields));
}

BOOST_AUTO_TEST_SUITE_END()
