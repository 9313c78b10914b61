// Request checks: what a faulty client could send (missing prompt, wrong JSON types, unknown
// parameters and models, bad multipart, files that are not images, octet-stream parts) is refused
// with the API's 400 body naming the parameter; good requests resolve to complete jobs.
#include "codec/base64.hpp"
#include "emulator/request_checks.hpp"
#include "emulator_test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace em = openai::emulator;
namespace et = openai::emulator::test;
using em::image_format;

namespace {

em::image_job accepted(const em::check_result& r) {
    if (auto* e = std::get_if<em::error_reply>(&r))
        BOOST_TEST_FAIL("refused: " << e->message);
    return std::get<em::image_job>(r);
}

// The error, checked for the envelope's invariants.
em::error_reply refused(const em::check_result& r, std::string_view param) {
    BOOST_TEST_REQUIRE(std::holds_alternative<em::error_reply>(r), "accepted, expected " << param);
    em::error_reply e = std::get<em::error_reply>(r);
    BOOST_TEST(e.status == 400u);
    BOOST_TEST(e.type == "invalid_request_error");
    BOOST_TEST(!e.message.empty());
    if (param.empty())
        BOOST_TEST(!e.param.has_value());
    else
        BOOST_TEST(e.param.value_or("<none>") == param, e.message);
    return e;
}

em::check_result gen(std::string_view json) {
    return em::check_generation(boost::json::parse(json));
}

em::check_result json_edit(std::string_view json) {
    return em::check_edit_json(boost::json::parse(json));
}

std::string data_url(const std::string& bytes, std::string_view mime) {
    return "data:" + std::string(mime) + ";base64," + openai::codec::base64_encode(bytes);
}

} // namespace

BOOST_AUTO_TEST_SUITE(generation_checks)

BOOST_AUTO_TEST_CASE(defaults_follow_the_spec) {
    auto job = accepted(gen(R"({"prompt":"a fox"})"));
    BOOST_TEST(job.model == "dall-e-2");
    BOOST_TEST(!job.gpt);
    BOOST_TEST(job.response_format == "url");
    BOOST_TEST(job.n == 1u);
    BOOST_TEST(job.width == 1024u);
    BOOST_TEST(job.height == 1024u);
    BOOST_TEST(job.reported_quality() == "standard");
    // A GPT-only parameter makes the default a GPT image model.
    auto gpt = accepted(gen(R"({"prompt":"a fox","output_format":"webp"})"));
    BOOST_TEST(gpt.gpt);
    BOOST_TEST(gpt.response_format == "b64_json");
    BOOST_TEST((gpt.output_format == image_format::webp));
}

BOOST_AUTO_TEST_CASE(every_parameter_reaches_the_job) {
    auto job = accepted(gen(R"({"prompt":"p","model":"gpt-image-1","n":3,"quality":"high",
        "output_format":"jpeg","output_compression":40,"stream":true,"partial_images":2,
        "size":"1536x1024","moderation":"low","background":"opaque","user":"u-1"})"));
    BOOST_TEST(job.model == "gpt-image-1");
    BOOST_TEST(job.n == 3u);
    BOOST_TEST(job.quality == "high");
    BOOST_TEST((job.output_format == image_format::jpeg));
    BOOST_TEST(job.output_compression == 40);
    BOOST_TEST(job.stream);
    BOOST_TEST(job.partial_images == 2u);
    BOOST_TEST(job.width == 1536u);
    BOOST_TEST(job.height == 1024u);
    BOOST_TEST(job.reported_size() == "1536x1024");
    BOOST_TEST(job.moderation == "low");
    BOOST_TEST(job.reported_background() == "opaque");
    BOOST_TEST(job.user == "u-1");
    auto dalle3 = accepted(gen(R"({"prompt":"p","model":"dall-e-3","style":"natural",
        "quality":"hd","size":"1792x1024","response_format":"b64_json"})"));
    BOOST_TEST(dalle3.style == "natural");
    BOOST_TEST(dalle3.response_format == "b64_json");
    BOOST_TEST(dalle3.width == 1792u);
}

BOOST_AUTO_TEST_CASE(nulls_are_unset) {
    auto job = accepted(gen(R"({"prompt":"p","model":null,"n":null,"size":null})"));
    BOOST_TEST(job.model == "dall-e-2");
    BOOST_TEST(job.n == 1u);
}

BOOST_AUTO_TEST_CASE(missing_and_empty_prompt) {
    auto e = refused(gen(R"({"model":"gpt-image-1"})"), "prompt");
    BOOST_TEST(e.code.value() == "missing_required_parameter");
    BOOST_TEST(e.message == "Missing required parameter: 'prompt'.");
    refused(gen(R"({"prompt":""})"), "prompt");
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_parameter) {
    auto e = refused(gen(R"({"prompt":"p","n":"2"})"), "n");
    BOOST_TEST(e.message == "Invalid type for 'n': expected an integer, but got a string instead.");
    BOOST_TEST(e.code.value() == "invalid_type");
    refused(gen(R"({"prompt":"p","n":1.5})"), "n");
    refused(gen(R"({"prompt":42})"), "prompt");
    refused(gen(R"({"prompt":"p","stream":"true"})"), "stream");
    refused(gen(R"({"prompt":"p","size":1024})"), "size");
    refused(gen(R"({"prompt":"p","model":["gpt-image-1"]})"), "model");
    refused(gen(R"({"prompt":"p","output_compression":true})"), "output_compression");
    refused(gen(R"(["prompt"])"), "body");
}

BOOST_AUTO_TEST_CASE(ranges_and_values) {
    auto e = refused(gen(R"({"prompt":"p","n":11})"), "n");
    BOOST_TEST(e.code.value() == "integer_above_max_value");
    BOOST_TEST(refused(gen(R"({"prompt":"p","n":0})"), "n").code.value() ==
               "integer_below_min_value");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","partial_images":4})"), "partial_images");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","output_compression":101})"),
            "output_compression");
    auto v = refused(gen(R"({"prompt":"p","response_format":"png"})"), "response_format");
    BOOST_TEST(v.message == "Invalid value: 'png'. Supported values are: 'url' and 'b64_json'.");
    refused(gen(R"({"prompt":"p","quality":"ultra"})"), "quality");
    refused(gen(R"({"prompt":"p","background":"green"})"), "background");
    refused(gen(R"({"prompt":"p","output_format":"gif"})"), "output_format");
    refused(gen(R"({"prompt":"p","size":"big"})"), "size");
    refused(gen(R"({"prompt":"p","size":"1024x"})"), "size");
    refused(gen(R"({"prompt":"p","size":"0x1024"})"), "size");
    refused(gen(R"({"prompt":"p","model":"gpt-image-2","size":"8192x8192"})"), "size");
}

BOOST_AUTO_TEST_CASE(unknown_parameter_and_model) {
    auto e = refused(gen(R"({"prompt":"p","colour":"red"})"), "colour");
    BOOST_TEST(e.code.value() == "unknown_parameter");
    auto m = refused(gen(R"({"prompt":"p","model":"dall-e-4"})"), "model");
    BOOST_TEST(m.code.value() == "invalid_value");
    BOOST_TEST(m.message.find("'dall-e-4'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(model_rules_the_emulator_relies_on) {
    refused(gen(R"({"prompt":"p","model":"dall-e-2","stream":true})"), "stream");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","response_format":"url"})"),
            "response_format");
    refused(gen(R"({"prompt":"p","model":"dall-e-3","n":2})"), "n");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","background":"transparent",
                    "output_format":"jpeg"})"),
            "background");
}

BOOST_AUTO_TEST_CASE(per_model_rules) {
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","size":"1792x1024"})"), "size");
    refused(gen(R"({"prompt":"p","model":"dall-e-2","size":"1536x1024"})"), "size");
    refused(gen(R"({"prompt":"p","model":"dall-e-3","size":"512x512"})"), "size");
    refused(gen(R"({"prompt":"p","model":"dall-e-2","output_format":"png"})"), "output_format");
    refused(gen(R"({"prompt":"p","model":"dall-e-2","style":"vivid"})"), "style");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","quality":"hd"})"), "quality");
    refused(gen(R"({"prompt":")" + std::string(1001, 'a') + R"(","model":"dall-e-2"})"), "prompt");
    BOOST_TEST(
        accepted(gen(R"({"prompt":")" + std::string(1001, 'a') + R"(","model":"gpt-image-1"})"))
            .prompt.size() == 1001u);
    auto custom = accepted(gen(R"({"prompt":"p","model":"gpt-image-2","size":"1536x864"})"));
    BOOST_TEST(custom.width == 1536u);
    BOOST_TEST(custom.height == 864u);
    refused(gen(R"({"prompt":"p","model":"gpt-image-2","size":"1000x1000"})"), "size");
    refused(gen(R"({"prompt":"p","model":"gpt-image-2","size":"3840x960"})"), "size"); // 4:1
    refused(json_edit(R"({"model":"gpt-image-1-mini","prompt":"p","input_fidelity":"high",
                          "images":[{"file_id":"f"}]})"),
            "input_fidelity");
}

BOOST_AUTO_TEST_CASE(models_of_today) {
    // GPT Image 2.5: served, xhigh and max, custom sizes, streaming; dated snapshots too.
    for (std::string model : {"gpt-image-2.5-flare", "gpt-image-2.5-sunburst",
                              "gpt-image-2.5-flare-2026-09-08", "gpt-image-2-2027-01-15"}) {
        BOOST_TEST_CONTEXT(model) {
            auto job = accepted(gen(R"({"prompt":"p","model":")" + model +
                                    R"(","size":"2048x1152","stream":true,"partial_images":2})"));
            BOOST_TEST(job.model == model);
            BOOST_TEST(job.gpt);
            BOOST_TEST(job.width == 2048u);
            BOOST_TEST(job.stream);
        }
    }
    auto xhigh = accepted(gen(R"({"prompt":"p","model":"gpt-image-2.5-flare","quality":"xhigh"})"));
    BOOST_TEST(xhigh.reported_quality() == "xhigh");
    accepted(gen(R"({"prompt":"p","model":"gpt-image-2.5-sunburst-2026-10-01","quality":"max"})"));
    accepted(gen(R"({"prompt":"p","model":"gpt-image-2.5-flare","background":"transparent",
                     "output_format":"webp"})"));
    // xhigh and max are known values, refused by the model rules for other models.
    auto e = refused(gen(R"({"prompt":"p","model":"gpt-image-1","quality":"max"})"), "quality");
    BOOST_TEST(e.message.find("2.5") != std::string::npos, e.message);
    refused(gen(R"({"prompt":"p","model":"gpt-image-2-2026-04-21","quality":"xhigh"})"), "quality");
    // A snapshot of an unknown model is still unknown; a bad date is no snapshot.
    refused(gen(R"({"prompt":"p","model":"gpt-image-9-2026-01-01"})"), "model");
    refused(gen(R"({"prompt":"p","model":"gpt-image-2.5-flare-2026-13-01"})"), "model");
    auto m = refused(gen(R"({"prompt":"p","model":"dall-e-4"})"), "model");
    BOOST_TEST(m.message.find("gpt-image-2.5-flare") != std::string::npos, m.message);
}

BOOST_AUTO_TEST_CASE(rule_gaps) {
    // An explicit stream=false is every model's default, not a GPT-only parameter.
    auto d2 = accepted(gen(R"({"prompt":"p","model":"dall-e-2","stream":false})"));
    BOOST_TEST(!d2.stream);
    BOOST_TEST(accepted(gen(R"({"prompt":"p","stream":false})")).model == "dall-e-2");
    accepted(gen(R"({"prompt":"p","model":"dall-e-3","stream":false})"));
    // output_compression needs jpeg or webp.
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","output_compression":50})"),
            "output_compression");
    refused(gen(R"({"prompt":"p","model":"gpt-image-1","output_compression":50,
                    "output_format":"png"})"),
            "output_compression");
    accepted(gen(R"({"prompt":"p","model":"gpt-image-1","output_compression":50,
                     "output_format":"webp"})"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_edit_checks)

BOOST_AUTO_TEST_CASE(references) {
    auto job = accepted(json_edit(R"({"model":"gpt-image-1","prompt":"p","images":[
        {"image_url":"https://example.com/a.png"},{"file_id":"file-abc"}]})"));
    BOOST_TEST(job.json_edit);
    BOOST_TEST((job.op == em::operation::edit));
    BOOST_TEST(job.input_images.size() == 2u);
    // The default model of edits is a GPT image model.
    BOOST_TEST(accepted(json_edit(R"({"prompt":"p","images":[{"file_id":"f"}]})")).gpt);
}

BOOST_AUTO_TEST_CASE(data_urls_are_probed) {
    std::string png = et::image_bytes(48, 32);
    std::string body = R"({"prompt":"p","images":[{"image_url":")" + data_url(png, "image/png") +
                       R"("}],"mask":{"image_url":")" +
                       data_url(et::image_bytes(48, 32, image_format::png, true), "image/png") +
                       R"("}})";
    auto job = accepted(json_edit(body));
    BOOST_TEST_REQUIRE(job.input_images.size() == 1u);
    BOOST_TEST(job.input_images[0].first == 48u);
    BOOST_TEST(job.input_images[0].second == 32u);
    // A mask of other dimensions.
    std::string bad_mask = R"({"prompt":"p","images":[{"image_url":")" +
                           data_url(png, "image/png") + R"("}],"mask":{"image_url":")" +
                           data_url(et::image_bytes(32, 32), "image/png") + R"("}})";
    refused(json_edit(bad_mask), "mask");
    // Declared as JPEG, holds a PNG.
    refused(json_edit(R"({"prompt":"p","images":[{"image_url":")" + data_url(png, "image/jpeg") +
                      R"("}]})"),
            "images[0].image_url");
    refused(json_edit(R"({"prompt":"p","images":[{"image_url":"data:text/plain;base64,QUJD"}]})"),
            "images[0].image_url");
    refused(json_edit(R"({"prompt":"p","images":[{"image_url":"ftp://example.com/a.png"}]})"),
            "images[0].image_url");
}

BOOST_AUTO_TEST_CASE(structure) {
    refused(json_edit(R"({"prompt":"p"})"), "images");
    refused(json_edit(R"({"prompt":"p","images":[]})"), "images");
    refused(json_edit(R"({"prompt":"p","images":{"file_id":"f"}})"), "images");
    std::string many = R"({"prompt":"p","images":[)";
    for (int i = 0; i < 17; ++i)
        many += std::string(i ? "," : "") + R"({"file_id":"f"})";
    refused(json_edit(many + "]}"), "images");
    refused(json_edit(R"({"prompt":"p","images":[{"file_id":"f","image_url":"https://x"}]})"),
            "images[0]");
    refused(json_edit(R"({"prompt":"p","images":[{}]})"), "images[0]");
    refused(json_edit(R"({"prompt":"p","images":[{"file_id":7}]})"), "images[0].file_id");
    refused(json_edit(R"({"prompt":"p","images":[{"file_id":"f","detail":"x"}]})"),
            "images[0].detail");
    refused(json_edit(R"({"prompt":"p","images":["https://x"]})"), "images[0]");
    refused(json_edit(R"({"images":[{"file_id":"f"}]})"), "prompt");
    // JSON edits are for GPT image models only.
    refused(json_edit(R"({"model":"dall-e-2","prompt":"p","images":[{"file_id":"f"}]})"), "model");
    refused(json_edit(R"({"prompt":"p","images":[{"file_id":"f"}],"response_format":"url"})"),
            "response_format");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(multipart_edit_checks)

BOOST_AUTO_TEST_CASE(two_images_and_a_mask) {
    std::string a = et::image_bytes(64, 64);
    std::string b = et::image_bytes(40, 30, image_format::jpeg);
    std::string mask = et::image_bytes(64, 64, image_format::png, true);
    auto form = et::read_form({et::field("model", "gpt-image-1"), et::field("prompt", "edit"),
                               et::file("image[]", "a.png", "image/png", a),
                               et::file("image[]", "b.jpg", "image/jpeg", b),
                               et::file("mask", "m.png", "image/png", mask), et::field("n", "2"),
                               et::field("stream", "false"), et::field("input_fidelity", "high")});
    BOOST_TEST(form.error.empty(), form.error);
    auto job = accepted(em::check_edit_multipart(form));
    BOOST_TEST(job.n == 2u);
    BOOST_TEST(!job.stream);
    BOOST_TEST(job.input_fidelity == "high");
    BOOST_TEST_REQUIRE(job.input_images.size() == 2u);
    BOOST_TEST(job.input_images[1].first == 40u);
    BOOST_TEST(job.input_images[1].second == 30u);
    // "image" (repeated or single) works like "image[]".
    auto single =
        et::read_form({et::field("prompt", "edit"), et::file("image", "a.png", "image/png", a)});
    BOOST_TEST(accepted(em::check_edit_multipart(single)).input_images.size() == 1u);
}

BOOST_AUTO_TEST_CASE(octet_stream_and_non_images) {
    std::string png = et::image_bytes(16, 16);
    auto octet = et::read_form(
        {et::field("prompt", "p"), et::file("image[]", "a.png", "application/octet-stream", png)});
    auto e = refused(em::check_edit_multipart(octet), "image");
    BOOST_TEST(e.message.find("unsupported mimetype ('application/octet-stream')") !=
               std::string::npos);
    auto none = et::read_form({et::field("prompt", "p"), et::file("image[]", "a.png", "", png)});
    refused(em::check_edit_multipart(none), "image");
    auto text = et::read_form({et::field("prompt", "p"),
                               et::file("image[]", "a.png", "image/png", "not an image at all")});
    BOOST_TEST(refused(em::check_edit_multipart(text), "image").code.value() ==
               "invalid_image_file");
    auto mismatch =
        et::read_form({et::field("prompt", "p"), et::file("image[]", "a.webp", "image/webp", png)});
    refused(em::check_edit_multipart(mismatch), "image");
    auto truncated = et::read_form(
        {et::field("prompt", "p"), et::file("image[]", "a.png", "image/png", png.substr(0, 12))});
    refused(em::check_edit_multipart(truncated), "image");
}

BOOST_AUTO_TEST_CASE(masks) {
    std::string a = et::image_bytes(64, 64);
    auto other_size = et::read_form(
        {et::field("prompt", "p"), et::file("image[]", "a.png", "image/png", a),
         et::file("mask", "m.png", "image/png", et::image_bytes(32, 32, image_format::png, true))});
    BOOST_TEST(refused(em::check_edit_multipart(other_size), "mask").message.find("64x64") !=
               std::string::npos);
    auto jpeg_mask = et::read_form(
        {et::field("prompt", "p"), et::file("image[]", "a.png", "image/png", a),
         et::file("mask", "m.jpg", "image/jpeg", et::image_bytes(64, 64, image_format::jpeg))});
    refused(em::check_edit_multipart(jpeg_mask), "mask");
    auto two_masks = et::read_form(
        {et::field("prompt", "p"), et::file("image[]", "a.png", "image/png", a),
         et::file("mask", "m.png", "image/png", a), et::file("mask", "m.png", "image/png", a)});
    refused(em::check_edit_multipart(two_masks), "mask");
}

BOOST_AUTO_TEST_CASE(structure) {
    std::string a = et::image_bytes(16, 16);
    refused(em::check_edit_multipart(et::read_form({et::field("prompt", "p")})), "image");
    refused(em::check_edit_multipart(et::read_form({et::file("image[]", "a.png", "image/png", a)})),
            "prompt");
    refused(em::check_edit_multipart(
                et::read_form({et::field("prompt", "p"), et::field("image", "a.png")})),
            "image");
    refused(em::check_edit_multipart(et::read_form({et::file("prompt", "p.txt", "image/png", a),
                                                    et::file("image[]", "a.png", "image/png", a)})),
            "prompt");
    refused(em::check_edit_multipart(
                et::read_form({et::field("prompt", "p"), et::field("n", "1"), et::field("n", "2"),
                               et::file("image", "a.png", "image/png", a)})),
            "n");
    refused(em::check_edit_multipart(et::read_form({et::field("prompt", "p"), et::field("n", "two"),
                                                    et::file("image", "a.png", "image/png", a)})),
            "n");
    refused(em::check_edit_multipart(
                et::read_form({et::field("prompt", "p"), et::field("stream", "yes"),
                               et::file("image", "a.png", "image/png", a)})),
            "stream");
    refused(em::check_edit_multipart(
                et::read_form({et::field("prompt", "p"), et::field("style", "vivid"),
                               et::file("image", "a.png", "image/png", a)})),
            "style");
    std::vector<et::form_part> many{et::field("prompt", "p")};
    for (int i = 0; i < 17; ++i)
        many.push_back(et::file("image[]", "a.png", "image/png", a));
    refused(em::check_edit_multipart(et::read_form(many)), "image");
    // Not multipart at all: the parser's message, no param.
    auto broken = et::read_form(std::string("--nope\r\n\r\n"));
    BOOST_TEST(!broken.error.empty());
    auto e = refused(em::check_edit_multipart(broken), "");
    BOOST_TEST(e.message.find("multipart") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(moderation_is_a_json_edit_parameter_only) {
    std::string a = et::image_bytes(16, 16);
    auto e =
        refused(em::check_edit_multipart(et::read_form(
                    {et::field("prompt", "p"), et::field("model", "gpt-image-1"),
                     et::field("moderation", "low"), et::file("image", "a.png", "image/png", a)})),
                "moderation");
    BOOST_TEST(e.code.value() == "unknown_parameter");
    auto job = accepted(json_edit(R"({"model":"gpt-image-2.5-flare","prompt":"p","moderation":"low",
                                      "quality":"max","images":[{"file_id":"f"}]})"));
    BOOST_TEST(job.moderation == "low");
}

BOOST_AUTO_TEST_CASE(dall_e_2_rules) {
    std::string square = et::image_bytes(32, 32);
    BOOST_TEST(accepted(em::check_edit_multipart(
                            et::read_form({et::field("model", "dall-e-2"), et::field("prompt", "p"),
                                           et::file("image", "a.png", "image/png", square)})))
                   .response_format == "url");
    refused(em::check_edit_multipart(
                et::read_form({et::field("model", "dall-e-2"), et::field("prompt", "p"),
                               et::file("image", "a.png", "image/png", et::image_bytes(32, 16))})),
            "image");
    refused(em::check_edit_multipart(
                et::read_form({et::field("model", "dall-e-2"), et::field("prompt", "p"),
                               et::file("image", "a.jpg", "image/jpeg",
                                        et::image_bytes(32, 32, image_format::jpeg))})),
            "image");
    refused(em::check_edit_multipart(
                et::read_form({et::field("model", "dall-e-2"), et::field("prompt", "p"),
                               et::file("image[]", "a.png", "image/png", square),
                               et::file("image[]", "b.png", "image/png", square)})),
            "image");
    refused(em::check_edit_multipart(
                et::read_form({et::field("model", "dall-e-3"), et::field("prompt", "p"),
                               et::file("image", "a.png", "image/png", square)})),
            "model");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(variation_checks)

BOOST_AUTO_TEST_CASE(accepted_variation) {
    std::string png = et::image_bytes(32, 32);
    auto job = accepted(em::check_variation(
        et::read_form({et::file("image", "a.png", "image/png", png), et::field("n", "3"),
                       et::field("size", "256x256"), et::field("response_format", "b64_json")})));
    BOOST_TEST(job.model == "dall-e-2");
    BOOST_TEST(job.n == 3u);
    BOOST_TEST(job.width == 256u);
    BOOST_TEST(job.response_format == "b64_json");
    BOOST_TEST(job.input_digest.size() == 64u);
}

BOOST_AUTO_TEST_CASE(refused_variations) {
    std::string png = et::image_bytes(32, 32);
    auto m =
        refused(em::check_variation(et::read_form({et::field("model", "gpt-image-1"),
                                                   et::file("image", "a.png", "image/png", png)})),
                "model");
    BOOST_TEST(m.message == "Invalid value: 'gpt-image-1'. Supported values are: 'dall-e-2' (or a "
                            "dated snapshot of one, '<model>-YYYY-MM-DD').");
    // A dall-e-2 snapshot is served like dall-e-2.
    BOOST_TEST(
        accepted(em::check_variation(et::read_form({et::field("model", "dall-e-2-2024-11-01"),
                                                    et::file("image", "a.png", "image/png", png)})))
            .model == "dall-e-2-2024-11-01");
    refused(em::check_variation(et::read_form({et::field("model", "dall-e-2")})), "image");
    refused(em::check_variation(et::read_form(
                {et::field("prompt", "p"), et::file("image", "a.png", "image/png", png)})),
            "prompt");
    refused(em::check_variation(
                et::read_form({et::file("image", "a.png", "image/png", et::image_bytes(32, 16))})),
            "image");
    refused(em::check_variation(et::read_form({et::file(
                "image", "a.webp", "image/webp", et::image_bytes(32, 32, image_format::webp))})),
            "image");
    refused(em::check_variation(et::read_form(
                {et::file("image", "a.png", "image/png", png), et::field("size", "1536x1024")})),
            "size");
    refused(em::check_variation(et::read_form({et::file("image", "a.png", "image/png", png),
                                               et::file("image", "b.png", "image/png", png)})),
            "image");
}

BOOST_AUTO_TEST_SUITE_END()
