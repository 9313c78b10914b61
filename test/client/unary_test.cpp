// Unary calls end to end: every parameter reaches the server as sent, results decode to the
// bytes the emulator made, and the three endpoints and both edit bodies work.
#include "client_fixture.hpp"
#include "emulator/image_probe.hpp"
#include "emulator/image_synth.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <fstream>

namespace asio = boost::asio;
namespace json = boost::json;
namespace em = openai::emulator;
using namespace openai::test;

namespace {

std::string synthesized(const std::string& prompt, std::uint32_t w, std::uint32_t h,
                        em::image_format format, std::uint32_t index) {
    em::image_spec spec;
    spec.prompt = prompt;
    spec.width = w;
    spec.height = h;
    spec.format = format;
    spec.index = index;
    return em::synthesize(spec).bytes;
}

std::string png_of(std::uint32_t w, std::uint32_t h, const std::string& seed) {
    return synthesized(seed, w, h, em::image_format::png, 0);
}

std::filesystem::path temp_file(const std::string& name, const std::string& bytes) {
    auto path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

} // namespace

BOOST_AUTO_TEST_SUITE(unary)

BOOST_AUTO_TEST_CASE(generate_sends_every_parameter_and_decodes_the_images) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("gen");

    openai::generate_request req;
    req.prompt = "A lighthouse at dawn";
    req.model = openai::models::gpt_image_1;
    req.n = 2;
    req.size = "1024x1536";
    req.quality = "low";
    req.background = "opaque";
    req.output_format = "png";
    req.moderation = "low";
    req.user = "user-42";

    auto r = run(ioc, client.images().generate(req, tagged(key), asio::use_awaitable));

    BOOST_TEST_REQUIRE(r.data.size() == 2u);
    for (std::uint32_t i = 0; i < 2; ++i) {
        BOOST_TEST_REQUIRE(r.data[i].bytes.has_value());
        BOOST_TEST(
            (*r.data[i].bytes == synthesized(req.prompt, 1024, 1536, em::image_format::png, i)));
    }
    BOOST_TEST(r.usage.has_value());
    BOOST_TEST(!r.meta.request_id.empty());
    BOOST_TEST(r.meta.http_status == 200);
    BOOST_TEST(r.meta.attempts == 1u);
    BOOST_TEST(r.meta.rate_limits.limit_requests.has_value());
    BOOST_TEST(r.meta.rate_limits.remaining_requests.has_value());

    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto& rec = log[0].as_object();
    BOOST_TEST(rec.at("path").as_string() == "/v1/images/generations");
    BOOST_TEST(rec.at("request_id").as_string() == r.meta.request_id);
    const auto& body = rec.at("body").as_object();
    BOOST_TEST(body.at("prompt").as_string() == req.prompt);
    BOOST_TEST(body.at("model").as_string() == "gpt-image-1");
    BOOST_TEST(body.at("n").to_number<int>() == 2);
    BOOST_TEST(body.at("size").as_string() == "1024x1536");
    BOOST_TEST(body.at("quality").as_string() == "low");
    BOOST_TEST(body.at("background").as_string() == "opaque");
    BOOST_TEST(body.at("output_format").as_string() == "png");
    BOOST_TEST(body.at("moderation").as_string() == "low");
    BOOST_TEST(body.at("user").as_string() == "user-42");
    // Unset optionals are not sent.
    BOOST_TEST(!body.contains("style"));
    BOOST_TEST(!body.contains("response_format"));
    BOOST_TEST(!body.contains("stream"));
    const auto& headers = rec.at("headers").as_object();
    BOOST_TEST(headers.at("content-type").as_string().starts_with("application/json"));
    BOOST_TEST(rec.at("auth").as_string() == "bearer");
}

BOOST_AUTO_TEST_CASE(a_body_of_many_megabytes_decodes_to_the_emulators_images) {
    // Three images of about 3 MB: a 12 MB body, beyond the 8 MB that HTTP parsers often cap
    // bodies at, read in pieces straight into the decoder, over TLS and over plain HTTP.
    for (const bool tls : {true, false}) {
        BOOST_TEST_CONTEXT("tls " << tls) {
            emulator_process big({"--payload-bytes", "3000000", "--threads", "1"}, tls);
            asio::io_context ioc;
            openai::client client(ioc.get_executor(), config_for(big));
            openai::generate_request req;
            req.prompt = "Many megabytes";
            req.model = openai::models::gpt_image_1;
            req.n = 3;
            req.size = "1024x1024";
            req.output_format = "png";
            auto r = run(ioc, client.images().generate(req, asio::use_awaitable));
            BOOST_TEST_REQUIRE(r.data.size() == 3u);
            for (std::uint32_t i = 0; i < 3; ++i) {
                em::image_spec spec;
                spec.prompt = req.prompt;
                spec.width = spec.height = 1024;
                spec.format = em::image_format::png;
                spec.index = i;
                spec.payload_bytes = 3000000;
                BOOST_TEST_REQUIRE(r.data[i].bytes.has_value());
                BOOST_TEST(r.data[i].bytes->size() > 2900000u);
                BOOST_TEST((*r.data[i].bytes == em::synthesize(spec).bytes));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(organization_project_and_custom_headers_are_sent) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.organization = "org-123";
    config.project = "proj-456";
    config.default_headers = {{"X-Team", "images"}, {"X-Override", "default"}};
    openai::client client(ioc.get_executor(), config);
    const auto key = unique_key("headers");
    auto options = tagged(key);
    options.extra_headers.emplace_back("x-override", "per-call");

    openai::generate_request req;
    req.prompt = "headers";
    req.model = "gpt-image-1-mini";
    run(ioc, client.images().generate(req, options, asio::use_awaitable));

    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto& headers = log[0].at("headers").as_object();
    BOOST_TEST(headers.at("openai-organization").as_string() == "org-123");
    BOOST_TEST(headers.at("openai-project").as_string() == "proj-456");
    BOOST_TEST(headers.at("x-team").as_string() == "images");
    BOOST_TEST(headers.at("x-override").as_string() == "per-call");
}

BOOST_AUTO_TEST_CASE(dall_e_url_results_point_at_a_downloadable_image) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::generate_request req;
    req.prompt = "A url result";
    req.model = openai::models::dall_e_2;
    req.size = "256x256";
    req.response_format = "url";
    auto r = run(ioc, client.images().generate(req, asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST(!r.data[0].bytes.has_value());
    BOOST_TEST_REQUIRE(r.data[0].url.has_value());
    const std::string& url = *r.data[0].url;
    BOOST_TEST_REQUIRE(url.starts_with(emulator().base_url()));
    raw_client raw(emulator());
    auto file = raw.request("GET", url.substr(emulator().base_url().size()));
    BOOST_TEST(file.status == 200u);
    const auto info = em::probe(file.body);
    BOOST_TEST(info.width == 256u);
    BOOST_TEST(info.height == 256u);
}

BOOST_AUTO_TEST_CASE(multipart_edit_sends_images_in_order_then_the_mask) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("edit");
    const auto first = png_of(64, 64, "first");
    const auto second_path = temp_file("second.png", png_of(64, 64, "second"));
    const auto mask = png_of(64, 64, "mask");

    openai::edit_request req;
    req.prompt = "Put them together";
    req.model = openai::models::gpt_image_1;
    req.images.push_back(openai::image_file::from_bytes(first, "first.png"));
    req.images.push_back(openai::image_file::from_path(second_path));
    req.mask = openai::image_file::from_bytes(mask, "mask.png");
    req.input_fidelity = "high";
    req.size = "1024x1024";

    auto r = run(ioc, client.images().edit(req, tagged(key), asio::use_awaitable));
    std::filesystem::remove(second_path);
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST((*r.data[0].bytes == synthesized(req.prompt, 1024, 1024, em::image_format::png, 0)));

    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("path").as_string() == "/v1/images/edits");
    const auto& parts = log[0].at("body").at("parts").as_array();
    std::vector<std::string> files;
    for (const auto& p : parts)
        if (!p.at("filename").is_null())
            files.push_back(std::string(p.at("name").as_string()) + ":" +
                            std::string(p.at("filename").as_string()) + ":" +
                            std::string(p.at("content_type").as_string()));
    const std::vector<std::string> expected{
        "image[]:first.png:image/png", "image[]:" + second_path.filename().string() + ":image/png",
        "mask:mask.png:image/png"};
    BOOST_TEST(files == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(json_edit_sends_references) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("edit-json");
    openai::edit_request req;
    req.prompt = "From references";
    req.model = openai::models::gpt_image_1_5;
    req.images.push_back(openai::image_reference::url(
        "data:image/png;base64," + openai::image{png_of(16, 16, "ref"), {}, {}}.b64_json()));
    req.images.push_back(openai::image_reference::file("file-abc123"));
    auto r = run(ioc, client.images().edit(req, tagged(key), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto& body = log[0].at("body").as_object();
    const auto& images = body.at("images").as_array();
    BOOST_TEST_REQUIRE(images.size() == 2u);
    BOOST_TEST(images[1].at("file_id").as_string() == "file-abc123");
    BOOST_TEST(images[0].as_object().contains("image_url"));
}

BOOST_AUTO_TEST_CASE(variation_of_a_square_png) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::variation_request req;
    req.image = openai::image_file::from_bytes(png_of(32, 32, "variation"), "v.png");
    req.model = openai::models::dall_e_2;
    req.n = 2;
    req.size = "256x256";
    req.response_format = "b64_json";
    auto r = run(ioc, client.images().create_variation(req, asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 2u);
    for (const auto& img : r.data) {
        const auto info = em::probe(*img.bytes);
        BOOST_TEST(info.width == 256u);
    }
}

BOOST_AUTO_TEST_CASE(invalid_requests_fail_before_sending_and_name_the_parameter) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::generate_request req;
    req.prompt = "too many";
    req.model = openai::models::dall_e_3;
    req.n = 4;
    openai::error_info info;
    auto [ec, r] =
        run(ioc, client.images().generate(req, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::invalid_request);
    BOOST_TEST(info.http_status == 0);
    BOOST_TEST_REQUIRE(info.api.has_value());
    BOOST_TEST(info.api->param.value_or("") == "n");
    BOOST_TEST(client.stats().connections_created == 0u); // nothing was sent
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_fails_before_sending_and_names_it) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::edit_request req;
    req.prompt = "missing file";
    req.model = openai::models::gpt_image_1;
    req.images.push_back(openai::image_file::from_path("/nonexistent/dir/picture.png"));
    openai::error_info info;
    auto [ec, r] = run(ioc, client.images().edit(req, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::file_unreadable);
    BOOST_TEST(info.message.find("/nonexistent/dir/picture.png") != std::string::npos);
    BOOST_TEST(client.stats().connections_created == 0u);
}

BOOST_AUTO_TEST_CASE(server_side_validation_error_carries_the_api_error) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.validate_requests = false; // let the server judge
    openai::client client(ioc.get_executor(), config);
    openai::generate_request req;
    req.prompt = "server says no";
    req.model = openai::models::dall_e_3;
    req.n = 4;
    try {
        run(ioc, client.images().generate(req, asio::use_awaitable));
        BOOST_FAIL("expected an exception");
    } catch (const openai::request_error& e) {
        BOOST_TEST(e.code() == openai::errc::bad_request);
        BOOST_TEST(e.http_status() == 400);
        BOOST_TEST(!e.request_id().empty());
        BOOST_TEST_REQUIRE(e.api().has_value());
        BOOST_TEST(e.api()->type.value_or("") == "invalid_request_error");
        BOOST_TEST(e.api()->param.value_or("") == "n");
        BOOST_TEST(e.info().attempts == 1u); // 400 is not retried
        check_no_secret(e.info());
    }
}

BOOST_AUTO_TEST_CASE(wrong_api_key_is_an_authentication_error) {
    emulator_process emu({"--api-key", "the-right-key"});
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emu));
    openai::generate_request req;
    req.prompt = "auth";
    openai::error_info info;
    auto [ec, r] =
        run(ioc, client.images().generate(req, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::authentication_error);
    BOOST_TEST(info.http_status == 401);
    check_no_secret(info);
}

BOOST_AUTO_TEST_CASE(the_default_token_is_deferred_and_awaitable) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::generate_request req;
    req.prompt = "deferred";
    req.model = "gpt-image-1-mini";
    auto draw = [&]() -> asio::awaitable<std::size_t> {
        openai::images_response r = co_await client.images().generate(req); // asio::deferred
        auto [ep, again] = co_await client.images().generate(req, asio::as_tuple(asio::deferred));
        BOOST_TEST(!ep);
        co_return r.data.size() + again.data.size();
    };
    BOOST_TEST(run(ioc, draw()) == 2u);
    // Failures surface as openai::request_error from a plain co_await.
    req.n = 0;
    auto fails = [&]() -> asio::awaitable<bool> {
        try {
            co_await client.images().generate(req);
        } catch (const openai::request_error& e) {
            co_return e.code() == openai::errc::invalid_request;
        }
        co_return false;
    };
    BOOST_TEST(run(ioc, fails()));
}

BOOST_AUTO_TEST_CASE(callbacks_and_futures_complete_too) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::generate_request req;
    req.prompt = "callback";
    req.model = "gpt-image-1-mini";
    bool called = false;
    client.images().generate(req, [&](std::exception_ptr ep, openai::images_response r) {
        called = true;
        BOOST_TEST(!ep);
        BOOST_TEST(r.data.size() == 1u);
    });
    BOOST_TEST(!called); // never inline
    ioc.run();
    BOOST_TEST(called);

    // use_future from a thread that is not running the io_context.
    ioc.restart();
    auto work = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    auto future = client.images().generate(req, asio::use_future);
    auto r = future.get();
    BOOST_TEST(r.data.size() == 1u);
    work.reset();
    runner.join();
}

BOOST_AUTO_TEST_SUITE_END()
