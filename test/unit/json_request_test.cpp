// Encoding requests to JSON (and multipart text fields), and decoding them back.
#include "codec/form_fields.hpp"
#include "support/request_from_fields.hpp"

#include <openai/json.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

namespace {

boost::json::value parse(std::string_view s) {
    return boost::json::parse(s);
}

openai::generate_request full_generate() {
    openai::generate_request r;
    r.prompt = "A cute baby sea otter";
    r.model = openai::models::gpt_image_1_5;
    r.n = 2;
    r.quality = openai::qualities::high;
    r.response_format = openai::response_formats::b64_json;
    r.output_format = openai::output_formats::webp;
    r.output_compression = 80;
    r.stream = true;
    r.partial_images = 3;
    r.size = openai::sizes::s1536x1024;
    r.moderation = openai::moderations::low;
    r.background = openai::backgrounds::transparent;
    r.style = openai::styles::natural;
    r.user = "user-1234";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_request)

BOOST_AUTO_TEST_CASE(generate_minimal_sends_only_the_prompt) {
    openai::generate_request r;
    r.prompt = "otter";
    BOOST_TEST(boost::json::value(openai::to_json(r)) == parse(R"({"prompt":"otter"})"));
}

BOOST_AUTO_TEST_CASE(generate_every_member_with_wire_names) {
    BOOST_TEST(boost::json::value(openai::to_json(full_generate())) == parse(R"({
        "prompt": "A cute baby sea otter", "model": "gpt-image-1.5", "n": 2, "quality": "high",
        "response_format": "b64_json", "output_format": "webp", "output_compression": 80,
        "stream": true, "partial_images": 3, "size": "1536x1024", "moderation": "low",
        "background": "transparent", "style": "natural", "user": "user-1234"})"));
    BOOST_TEST(boost::json::value_from(full_generate()) ==
               boost::json::value(openai::to_json(full_generate())));
}

BOOST_AUTO_TEST_CASE(generate_zero_and_false_are_sent) {
    openai::generate_request r;
    r.prompt = "p";
    r.stream = false;
    r.partial_images = 0;
    r.output_compression = 0;
    BOOST_TEST(boost::json::value(openai::to_json(r)) ==
               parse(R"({"prompt":"p","stream":false,"partial_images":0,"output_compression":0})"));
}

BOOST_AUTO_TEST_CASE(generate_round_trip) {
    const auto json = openai::to_json(full_generate());
    auto back = openai::decode_generate_request(boost::json::serialize(json));
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST(boost::json::value(openai::to_json(back.value)) == boost::json::value(json));
    BOOST_TEST(*back.value.model == openai::models::gpt_image_1_5);
    BOOST_TEST(*back.value.stream == true);
    BOOST_TEST(*back.value.user == "user-1234");
}

BOOST_AUTO_TEST_CASE(generate_decoding_tolerates_nulls_and_unknowns) {
    auto r = openai::decode_generate_request(
        R"({"prompt":"p","model":null,"n":null,"stream":null,"size":"1536x864",
            "future_param":{"x":[1,2]},"partial_images":null})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(!r.value.model);
    BOOST_TEST(!r.value.n);
    BOOST_TEST(!r.value.stream);
    BOOST_TEST(!r.value.partial_images);
    BOOST_TEST(r.value.size->str() == "1536x864");
}

BOOST_AUTO_TEST_CASE(generate_decoding_names_wrong_types) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"prompt":1})", "prompt: expected string, got number"},
        {R"({"prompt":"p","n":"2"})", "n: expected integer, got string"},
        {R"({"prompt":"p","n":1.5})", "n: expected integer, got number"},
        {R"({"prompt":"p","n":99999999999})", "n: integer out of range"},
        {R"({"prompt":"p","stream":"true"})", "stream: expected boolean, got string"},
        {R"({"prompt":"p","size":[1024,1024]})", "size: expected string, got array"},
        {R"({"prompt":"p","model":{}})", "model: expected string, got object"},
        {R"({"prompt":"p","output_compression":true})",
         "output_compression: expected integer, got boolean"},
    };
    for (const auto& [body, message] : cases) {
        BOOST_TEST_CONTEXT(body) {
            auto r = openai::decode_generate_request(body);
            BOOST_TEST((r.code == openai::errc::json_type_mismatch));
            BOOST_TEST(r.message == message);
        }
    }
}

BOOST_AUTO_TEST_CASE(edit_json_body) {
    openai::edit_request r;
    r.images = {openai::image_reference::url("https://example.com/a.png"),
                openai::image_reference::file("file-abc123")};
    r.mask = openai::image_reference::file("file-mask123");
    r.prompt = "Add a watercolor effect";
    r.model = openai::models::gpt_image_1_5;
    r.n = 1;
    r.size = openai::sizes::s1024x1024;
    r.quality = openai::qualities::high;
    r.output_format = openai::output_formats::png;
    r.output_compression = 100;
    r.background = openai::backgrounds::opaque;
    r.input_fidelity = openai::input_fidelities::high;
    r.moderation = openai::moderations::auto_;
    r.stream = false;
    r.partial_images = 1;
    r.user = "u";
    BOOST_TEST(r.uses_json_body());
    const auto json = openai::to_json(r);
    BOOST_TEST(boost::json::value(json) == parse(R"({
        "model": "gpt-image-1.5",
        "images": [{"image_url": "https://example.com/a.png"}, {"file_id": "file-abc123"}],
        "mask": {"file_id": "file-mask123"}, "prompt": "Add a watercolor effect", "n": 1,
        "quality": "high", "input_fidelity": "high", "size": "1024x1024", "user": "u",
        "output_format": "png", "output_compression": 100, "moderation": "auto",
        "background": "opaque", "stream": false, "partial_images": 1})"));

    auto back = openai::decode_edit_request(boost::json::serialize(json));
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST(back.value.uses_json_body());
    BOOST_TEST_REQUIRE(back.value.images.size() == 2u);
    BOOST_TEST((std::get<openai::image_reference>(back.value.images[0]) ==
                openai::image_reference::url("https://example.com/a.png")));
    BOOST_TEST((std::get<openai::image_reference>(*back.value.mask) ==
                openai::image_reference::file("file-mask123")));
    BOOST_TEST(boost::json::value(openai::to_json(back.value)) == boost::json::value(json));
}

BOOST_AUTO_TEST_CASE(edit_json_refuses_files) {
    openai::edit_request r;
    r.prompt = "p";
    r.images = {openai::image_file::from_bytes("x")};
    BOOST_TEST(!r.uses_json_body());
    BOOST_CHECK_THROW(openai::to_json(r), std::invalid_argument);
    r.images = {openai::image_reference::url("https://x")};
    r.mask = openai::image_file::from_bytes("m");
    BOOST_TEST(!r.uses_json_body());
    BOOST_CHECK_THROW(openai::to_json(r), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(edit_json_decoding_errors) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"prompt":"p","images":{"image_url":"u"}})", "images: expected array, got object"},
        {R"({"prompt":"p","images":["u"]})", "images[0]: expected object, got string"},
        {R"({"prompt":"p","images":[{"image_url":"u"},{}]})",
         "images[1]: needs image_url or file_id"},
        {R"({"prompt":"p","images":[{"image_url":"u","file_id":"f"}]})",
         "images[0]: has both image_url and file_id (exactly one)"},
        {R"({"prompt":"p","images":[{"file_id":7}]})",
         "images[0].file_id: expected string, got number"},
        {R"({"prompt":"p","images":[],"mask":"m"})", "mask: expected object, got string"},
    };
    for (const auto& [body, message] : cases) {
        BOOST_TEST_CONTEXT(body) {
            auto r = openai::decode_edit_request(body);
            BOOST_TEST((r.code == openai::errc::json_type_mismatch));
            BOOST_TEST(r.message == message);
        }
    }
}

BOOST_AUTO_TEST_CASE(multipart_text_fields) {
    openai::edit_request r;
    r.images = {openai::image_file::from_bytes("png")};
    r.prompt = "Put the soap in a gift basket";
    r.model = openai::models::gpt_image_1_5;
    r.background = openai::backgrounds::transparent;
    r.output_format = openai::output_formats::png;
    r.input_fidelity = openai::input_fidelities::high;
    r.quality = openai::qualities::high;
    r.size = openai::sizes::s1024x1024;
    r.stream = true;
    r.partial_images = 1;
    using f = openai::codec::form_field;
    const std::vector<f> expected = {
        {"prompt", "Put the soap in a gift basket"},
        {"model", "gpt-image-1.5"},
        {"size", "1024x1024"},
        {"quality", "high"},
        {"output_format", "png"},
        {"background", "transparent"},
        {"input_fidelity", "high"},
        {"stream", "true"},
        {"partial_images", "1"},
    };
    BOOST_TEST((openai::codec::form_fields(r) == expected));

    auto back = openai::test::edit_request_from_fields(expected);
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST((openai::codec::form_fields(back.value) == expected));
    BOOST_TEST(back.value.images.empty());

    auto bad = openai::test::edit_request_from_fields({{"prompt", "p"}, {"n", "two"}});
    BOOST_TEST((bad.code == openai::errc::invalid_request));
    BOOST_TEST(bad.message == "n: expected an integer, got \"two\"");
    auto bad_bool = openai::test::edit_request_from_fields({{"stream", "yes"}});
    BOOST_TEST(bad_bool.message == "stream: expected true or false, got \"yes\"");
    auto bad_int = openai::test::edit_request_from_fields({{"partial_images", "1x"}});
    BOOST_TEST((bad_int.code == openai::errc::invalid_request));

    openai::variation_request v;
    v.image = openai::image_file::from_bytes("png");
    v.n = 2;
    v.size = openai::sizes::s1024x1024;
    v.response_format = openai::response_formats::url;
    v.model = openai::models::dall_e_2;
    v.user = "u";
    const std::vector<f> vexpected = {{"model", "dall-e-2"},
                                      {"n", "2"},
                                      {"response_format", "url"},
                                      {"size", "1024x1024"},
                                      {"user", "u"}};
    BOOST_TEST((openai::codec::form_fields(v) == vexpected));
    auto vback = openai::test::variation_request_from_fields(vexpected);
    BOOST_TEST_REQUIRE(vback.ok(), vback.message);
    BOOST_TEST((openai::codec::form_fields(vback.value) == vexpected));
}

BOOST_AUTO_TEST_SUITE_END()
