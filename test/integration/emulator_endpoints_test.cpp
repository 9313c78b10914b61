// The emulator's API over TLS: each endpoint, real images, validation errors, authentication,
// URL results and their expiry, streaming framing, Azure paths and the request log.
#include "emulator/emulator_test_support.hpp"
#include "emulator_fixture.hpp"

#include <thread>

namespace ot = openai::test;
namespace em = openai::emulator;
namespace et = openai::emulator::test;
namespace json = boost::json;
using em::image_format;

BOOST_AUTO_TEST_SUITE(emulator_endpoints)

BOOST_AUTO_TEST_CASE(generation_returns_real_images) {
    ot::raw_client c(ot::shared_emulator());
    auto r = c.request("POST", "/v1/images/generations",
                       R"({"model":"gpt-image-1","prompt":"a lighthouse","size":"1024x1536",
                           "quality":"low","n":2})");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    auto body = r.json().as_object();
    auto& data = body.at("data").as_array();
    BOOST_TEST_REQUIRE(data.size() == 2u);
    for (const auto& img : data) {
        auto info = ot::probe_b64(img.at("b64_json"));
        BOOST_TEST((info.format == image_format::png));
        BOOST_TEST(info.width == 1024u);
        BOOST_TEST(info.height == 1536u);
    }
    BOOST_TEST(data[0].at("b64_json") != data[1].at("b64_json")); // n images differ
    BOOST_TEST(body.at("size").as_string() == "1024x1536");
    BOOST_TEST(body.at("quality").as_string() == "low");
    auto& usage = body.at("usage").as_object();
    BOOST_TEST(ot::num(usage.at("total_tokens")) ==
               ot::num(usage.at("input_tokens")) + ot::num(usage.at("output_tokens")));
    BOOST_TEST(r.header("x-request-id").starts_with("req_"));
    for (const char* h : {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                          "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                          "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"})
        BOOST_TEST(r.header(h) != "<absent>", h);

    // Deterministic from the prompt; another prompt, another picture.
    auto again = c.request("POST", "/v1/images/generations",
                           R"({"model":"gpt-image-1","prompt":"a lighthouse",
                               "size":"1024x1536","quality":"low","n":1})");
    BOOST_TEST(again.json().at("data").at(0).at("b64_json") == data[0].at("b64_json"));
    auto other = c.request("POST", "/v1/images/generations",
                           R"({"model":"gpt-image-1","prompt":"a windmill",
                               "size":"1024x1536","quality":"low"})");
    BOOST_TEST(other.json().at("data").at(0).at("b64_json") != data[0].at("b64_json"));
}

BOOST_AUTO_TEST_CASE(output_formats) {
    ot::raw_client c(ot::shared_emulator());
    for (auto [name, format] :
         {std::pair{"jpeg", image_format::jpeg}, std::pair{"webp", image_format::webp}}) {
        auto r = c.request("POST", "/v1/images/generations",
                           std::string(R"({"model":"gpt-image-1","prompt":"p","size":"1024x1024",
                               "output_compression":50,"output_format":")") +
                               name + "\"}");
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        BOOST_TEST((ot::probe_b64(r.json().at("data").at(0).at("b64_json")).format == format));
        BOOST_TEST(r.json().at("output_format").as_string() == name);
    }
}

BOOST_AUTO_TEST_CASE(validation_errors) {
    ot::raw_client c(ot::shared_emulator());
    auto missing = ot::api_error_of(
        c.request("POST", "/v1/images/generations", R"({"model":"gpt-image-1"})"), 400);
    BOOST_TEST(missing.at("param").as_string() == "prompt");
    BOOST_TEST(missing.at("type").as_string() == "invalid_request_error");
    auto type = ot::api_error_of(
        c.request("POST", "/v1/images/generations", R"({"prompt":"p","n":"3"})"), 400);
    BOOST_TEST(type.at("param").as_string() == "n");
    BOOST_TEST(type.at("code").as_string() == "invalid_type");
    auto json_err =
        ot::api_error_of(c.request("POST", "/v1/images/generations", R"({"prompt":"p")"), 400);
    BOOST_TEST(json_err.at("param").is_null());
    auto empty = ot::api_error_of(c.request("POST", "/v1/images/generations", ""), 400);
    BOOST_TEST(empty.at("message").as_string().find("could not parse the JSON body") !=
               std::string::npos);
    auto var = ot::api_error_of(
        c.request(
            "POST", "/v1/images/variations",
            et::multipart_body({et::field("model", "dall-e-3"),
                                et::file("image", "a.png", "image/png", et::image_bytes(32, 32))}),
            et::multipart_content_type()),
        400);
    BOOST_TEST(var.at("param").as_string() == "model");
    auto octet = ot::api_error_of(
        c.request("POST", "/v1/images/edits",
                  et::multipart_body({et::field("prompt", "p"),
                                      et::file("image[]", "a.png", "application/octet-stream",
                                               et::image_bytes(32, 32))}),
                  et::multipart_content_type()),
        400);
    BOOST_TEST(octet.at("param").as_string() == "image");
    BOOST_TEST(octet.at("message").as_string().find("application/octet-stream") !=
               std::string::npos);
    auto not_found = ot::api_error_of(c.request("POST", "/v1/images/nope", "{}"), 404);
    BOOST_TEST(not_found.at("message").as_string() == "Invalid URL (POST /v1/images/nope)");
    // The connection survives every 4xx.
    BOOST_TEST(c.request("POST", "/v1/images/generations", R"({"prompt":"ok"})").status == 200u);
}

BOOST_AUTO_TEST_CASE(edits_and_variations) {
    ot::raw_client c(ot::shared_emulator());
    std::string a = et::image_bytes(64, 64, image_format::png, false, "first");
    std::string b = et::image_bytes(64, 64, image_format::webp, false, "second");
    std::string mask = et::image_bytes(64, 64, image_format::png, true, "mask");
    auto edit = c.request(
        "POST", "/v1/images/edits",
        et::multipart_body({et::field("model", "gpt-image-1"), et::field("prompt", "add a hat"),
                            et::file("image[]", "a.png", "image/png", a),
                            et::file("image[]", "b.webp", "image/webp", b),
                            et::file("mask", "mask.png", "image/png", mask),
                            et::field("size", "1024x1024")}),
        et::multipart_content_type());
    BOOST_TEST_REQUIRE(edit.status == 200u, edit.body);
    BOOST_TEST(ot::probe_b64(edit.json().at("data").at(0).at("b64_json")).width == 1024u);
    BOOST_TEST(ot::num(edit.json().at("usage").at("input_tokens_details").at("image_tokens")) > 0);

    // The request log shows what arrived, part by part.
    auto log = c.request("GET", "/v1/_emulator/requests/" + edit.header("x-request-id"));
    BOOST_TEST_REQUIRE(log.status == 200u);
    auto parts = log.json().at("body").at("parts").as_array();
    BOOST_TEST_REQUIRE(parts.size() == 6u);
    BOOST_TEST(parts[2].at("filename").as_string() == "a.png");
    BOOST_TEST(parts[3].at("content_type").as_string() == "image/webp");
    BOOST_TEST(parts[3].at("image").at("format").as_string() == "webp");
    BOOST_TEST(ot::num(parts[3].at("size")) == static_cast<std::int64_t>(b.size()));
    BOOST_TEST(parts[4].at("name").as_string() == "mask");
    BOOST_TEST(parts[4].at("image").at("has_alpha").as_bool());
    BOOST_TEST(parts[5].at("value").as_string() == "1024x1024");

    auto variation = c.request("POST", "/v1/images/variations",
                               et::multipart_body({et::file("image", "a.png", "image/png", a),
                                                   et::field("size", "256x256"),
                                                   et::field("response_format", "b64_json")}),
                               et::multipart_content_type());
    BOOST_TEST_REQUIRE(variation.status == 200u, variation.body);
    auto info = ot::probe_b64(variation.json().at("data").at(0).at("b64_json"));
    BOOST_TEST(info.width == 256u);
    BOOST_TEST(!variation.json().as_object().contains("usage"));

    auto json_edit = c.request(
        "POST", "/v1/images/edits",
        R"({"model":"gpt-image-1","prompt":"p","images":[{"image_url":"data:image/png;base64,)" +
            openai::codec::base64_encode(a) + R"("},{"file_id":"file-123"}]})");
    BOOST_TEST(json_edit.status == 200u, json_edit.body);
}

BOOST_AUTO_TEST_CASE(authentication) {
    ot::emulator_process emu({"--api-key", "sk-emulator-key"});
    ot::raw_client c(emu);
    // raw_client sends "Bearer sk-test": wrong.
    auto wrong =
        ot::api_error_of(c.request("POST", "/v1/images/generations", R"({"prompt":"p"})"), 401);
    BOOST_TEST(wrong.at("code").as_string() == "invalid_api_key");
    BOOST_TEST(wrong.at("message").as_string().find("sk-test") == std::string::npos);
    c.write("POST /v1/images/generations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            "content-length: 14\r\n\r\n{\"prompt\":\"p\"}");
    auto missing = ot::api_error_of(c.read_response(), 401);
    BOOST_TEST(missing.at("message").as_string().find("API key") != std::string::npos);
    c.write(
        "POST /v1/images/generations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        "authorization: Bearer sk-emulator-key\r\ncontent-length: 14\r\n\r\n{\"prompt\":\"p\"}");
    BOOST_TEST(c.read_response().status == 200u);
}

BOOST_AUTO_TEST_CASE(url_results_expire) {
    ot::emulator_process emu({"--url-ttl-ms", "400"});
    ot::raw_client c(emu);
    auto r = c.request("POST", "/v1/images/generations",
                       R"({"model":"dall-e-2","prompt":"a cat","size":"512x512"})");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    std::string url(r.json().at("data").at(0).at("url").as_string());
    std::string prefix = emu.base_url().substr(0, emu.base_url().find("://")) + "://";
    BOOST_TEST(url.starts_with(prefix));
    std::string path = url.substr(url.find("/files/"));
    auto file = c.request("GET", path);
    BOOST_TEST(file.status == 200u);
    BOOST_TEST(file.header("content-type") == "image/png");
    auto info = em::probe(file.body);
    BOOST_TEST(info.width == 512u);
    BOOST_TEST(info.height == 512u);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ot::api_error_of(c.request("GET", path), 404);
}

BOOST_AUTO_TEST_CASE(streaming_framing) {
    ot::raw_client c(ot::shared_emulator());
    c.write(ot::raw_client::request_bytes(
        "POST", "/v1/images/generations",
        R"({"model":"gpt-image-1","prompt":"stream me","stream":true,"partial_images":2,
            "size":"1024x1024","quality":"low"})"));
    auto r = c.read_response();
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.chunked);
    BOOST_TEST(r.complete);
    BOOST_TEST(r.header("content-type").starts_with("text/event-stream"));
    BOOST_TEST(r.header("content-length") == "<absent>");
    auto events = ot::parse_sse(r.body);
    BOOST_TEST_REQUIRE(events.size() == 3u);
    for (int k = 0; k < 2; ++k) {
        BOOST_TEST(events[k].event == "image_generation.partial_image");
        auto d = json::parse(events[k].data);
        BOOST_TEST(d.at("type").as_string() == "image_generation.partial_image");
        BOOST_TEST(ot::num(d.at("partial_image_index")) == k);
        BOOST_TEST(ot::probe_b64(d.at("b64_json")).complete());
    }
    BOOST_TEST(events[2].event == "image_generation.completed");
    auto done = json::parse(events[2].data);
    BOOST_TEST(done.at("type").as_string() == "image_generation.completed");
    BOOST_TEST(ot::probe_b64(done.at("b64_json")).width == 1024u);
    BOOST_TEST(ot::num(done.at("usage").at("output_tokens")) > 0);
    BOOST_TEST(done.at("usage").as_object().contains("input_tokens_details"));
    // The partials differ from the final image.
    BOOST_TEST(json::parse(events[0].data).at("b64_json") != done.at("b64_json"));

    // No partial images: still one completed event. Edits use image_edit.*.
    auto plain = c.request("POST", "/v1/images/generations",
                           R"({"model":"gpt-image-1","prompt":"p","stream":true})");
    auto one = ot::parse_sse(plain.body);
    BOOST_TEST_REQUIRE(one.size() == 1u);
    BOOST_TEST(one[0].event == "image_generation.completed");
    auto edit = c.request(
        "POST", "/v1/images/edits",
        et::multipart_body({et::field("prompt", "p"), et::field("stream", "true"),
                            et::field("partial_images", "1"),
                            et::file("image", "a.png", "image/png", et::image_bytes(32, 32))}),
        et::multipart_content_type());
    auto edit_events = ot::parse_sse(edit.body);
    BOOST_TEST_REQUIRE(edit_events.size() == 2u);
    BOOST_TEST(edit_events[0].event == "image_edit.partial_image");
    BOOST_TEST(edit_events[1].event == "image_edit.completed");
}

BOOST_AUTO_TEST_CASE(azure_paths) {
    ot::raw_client c(ot::shared_emulator());
    auto r = c.request(
        "POST", "/openai/deployments/gpt-image-1/images/generations?api-version=2025-04-01",
        R"({"prompt":"azure","quality":"low"})", "application/json", {{"api-key", "azure-key"}});
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    BOOST_TEST(r.json().as_object().contains("usage"));
    auto log = c.request("GET", "/v1/_emulator/requests/" + r.header("x-request-id")).json();
    BOOST_TEST(log.at("azure").at("deployment").as_string() == "gpt-image-1");
    BOOST_TEST(log.at("azure").at("api_version").as_string() == "2025-04-01");
    auto edit = c.request(
        "POST", "/openai/deployments/gpt-image-1/images/edits?api-version=2025-04-01",
        et::multipart_body({et::field("prompt", "p"),
                            et::file("image", "a.png", "image/png", et::image_bytes(32, 32))}),
        et::multipart_content_type());
    BOOST_TEST(edit.status == 200u, edit.body);
    ot::api_error_of(c.request("POST", "/openai/deployments/gpt-image-1/images/generations",
                               R"({"prompt":"p"})"),
                     404);
}

BOOST_AUTO_TEST_CASE(request_log_echoes_parameters) {
    ot::raw_client c(ot::shared_emulator());
    std::string body = R"({"model":"gpt-image-1","prompt":"echo","n":1,"quality":"low",
        "background":"opaque","moderation":"low","output_format":"png","user":"user-7"})";
    auto r = c.request("POST", "/v1/images/generations", body, "application/json",
                       {{"x-custom", "abc"}, {"openai-organization", "org-1"}});
    auto rec = c.request("GET", "/v1/_emulator/requests?request_id=" + r.header("x-request-id"));
    auto list = rec.json().at("requests").as_array();
    BOOST_TEST_REQUIRE(list.size() == 1u);
    auto& e = list[0];
    BOOST_TEST(e.at("body") == json::parse(body));
    BOOST_TEST(e.at("headers").at("x-custom").as_string() == "abc");
    BOOST_TEST(e.at("headers").at("openai-organization").as_string() == "org-1");
    BOOST_TEST(!e.at("headers").as_object().contains("authorization"));
    BOOST_TEST(e.at("auth").as_string() == "bearer");
    BOOST_TEST(ot::num(e.at("status")) == 200);
}

BOOST_AUTO_TEST_SUITE_END()
