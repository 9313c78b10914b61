// The SDK-style escape hatches end to end, as the emulator's request log saw them:
// request_options::extra_body (JSON generate, multipart edit, stream), its collisions,
// extra_query, and per-call credentials.
#include "client_fixture.hpp"
#include "emulator/image_synth.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace em = openai::emulator;
using namespace openai::test;

namespace {

std::string png_of(std::uint32_t w, std::uint32_t h, const std::string& seed) {
    em::image_spec spec;
    spec.prompt = seed;
    spec.width = w;
    spec.height = h;
    spec.format = em::image_format::png;
    return em::synthesize(spec).bytes;
}

openai::generate_request small_generation(const std::string& prompt) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = openai::models::gpt_image_1_mini;
    req.size = "1024x1024";
    req.quality = "low";
    return req;
}

// The text fields of a logged multipart body, by name.
std::map<std::string, std::string> text_parts(const json::value& record) {
    std::map<std::string, std::string> out;
    for (const auto& p : record.at("body").at("parts").as_array())
        if (p.at("filename").is_null())
            out[std::string(p.at("name").as_string())] = std::string(p.at("value").as_string());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(escape_hatches)

BOOST_AUTO_TEST_CASE(extra_body_reaches_a_json_generation) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("extra-json");
    auto options = tagged(key);
    // A member the typed request leaves unset, of every JSON type the server may take.
    options.extra_body = {{"user", "tenant-7"}, {"n", 2}};
    auto r = run(ioc, client.images().generate(small_generation("extra json"), options,
                                               asio::use_awaitable));
    BOOST_TEST(r.data.size() == 2u); // the server acted on the extra "n"
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto& body = log[0].at("body").as_object();
    BOOST_TEST(body.at("user").as_string() == "tenant-7");
    BOOST_TEST(body.at("n").to_number<int>() == 2);
    BOOST_TEST(body.at("model").as_string() == "gpt-image-1-mini"); // the library's own fields

    // A parameter the library does not know goes out as given (this server refuses it).
    const auto key2 = unique_key("extra-unknown");
    auto unknown = tagged(key2);
    unknown.extra_body = {{"future_param", {{"level", 3}}}};
    openai::error_info info;
    auto [ec, ignored] =
        run(ioc, client.images().generate(small_generation("unknown"), unknown, info,
                                          asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec == openai::errc::bad_request));
    BOOST_TEST_REQUIRE(info.api.has_value());
    BOOST_TEST(info.api->param.value_or("") == "future_param");
    const auto log2 = logged_requests(emulator(), key2);
    BOOST_TEST_REQUIRE(log2.size() == 1u);
    BOOST_TEST(log2[0].at("body").at("future_param").at("level").to_number<int>() == 3);
}

BOOST_AUTO_TEST_CASE(extra_body_reaches_a_multipart_edit_as_form_fields) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("extra-form");
    auto options = tagged(key);
    options.extra_body = {{"user", "tenant-8"}, {"n", 2}, {"stream", false}, {"ignored", nullptr}};
    openai::edit_request req;
    req.prompt = "extra form";
    req.model = openai::models::gpt_image_1;
    req.images = {openai::image_file::from_bytes(png_of(64, 64, "extra form"), "in.png")};
    auto r = run(ioc, client.images().edit(req, options, asio::use_awaitable));
    BOOST_TEST(r.data.size() == 2u);
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto fields = text_parts(log[0]);
    BOOST_TEST(fields.at("user") == "tenant-8");
    BOOST_TEST(fields.at("n") == "2");
    BOOST_TEST(fields.at("stream") == "false");
    BOOST_TEST(fields.at("prompt") == "extra form");
    BOOST_TEST(fields.count("ignored") == 0u); // null adds nothing to a form
}

BOOST_AUTO_TEST_CASE(extra_body_reaches_a_stream) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("extra-stream");
    auto options = tagged(key);
    options.extra_body = {{"user", "tenant-9"}, {"partial_images", 2}};
    auto events = run(ioc, [&]() -> asio::awaitable<std::vector<openai::image_event>> {
        auto stream = co_await client.images().generate_stream(small_generation("extra stream"),
                                                               options, asio::use_awaitable);
        std::vector<openai::image_event> out;
        while (auto ev = co_await stream.next(asio::use_awaitable))
            out.push_back(std::move(*ev));
        co_return out;
    }());
    BOOST_TEST(events.size() == 3u); // the two partial images the extra member asked for
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    const auto& body = log[0].at("body").as_object();
    BOOST_TEST(body.at("user").as_string() == "tenant-9");
    BOOST_TEST(body.at("partial_images").to_number<int>() == 2);
    BOOST_TEST(body.at("stream").as_bool());
}

BOOST_AUTO_TEST_CASE(a_collision_with_a_library_field_is_refused_unless_overridden) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("extra-collision");
    auto options = tagged(key);
    options.extra_body = {{"model", "gpt-image-1"}};

    openai::error_info info;
    auto [ec, ignored] =
        run(ioc, client.images().generate(small_generation("collision"), options, info,
                                          asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec == openai::errc::invalid_request));
    BOOST_TEST_REQUIRE(info.api.has_value());
    BOOST_TEST(info.api->param.value_or("") == "model");
    BOOST_TEST(info.message.find("extra_body_override") != std::string::npos, info.message);
    BOOST_TEST(logged_requests(emulator(), key).empty()); // nothing was sent

    // The same on a multipart edit, and the file parts are never replaceable.
    openai::edit_request edit;
    edit.prompt = "collision";
    edit.model = openai::models::gpt_image_1_5; // so "model" is a field the library sets
    edit.images = {openai::image_file::from_bytes(png_of(32, 32, "c"), "in.png")};
    auto [ec2, ignored2] =
        run(ioc, client.images().edit(edit, options, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec2 == openai::errc::invalid_request));
    auto image_options = tagged(key);
    image_options.extra_body = {{"image", "x"}};
    image_options.extra_body_override = true;
    auto [ec3, ignored3] = run(
        ioc, client.images().edit(edit, image_options, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec3 == openai::errc::invalid_request));
    BOOST_TEST(info.api->param.value_or("") == "image");
    BOOST_TEST(logged_requests(emulator(), key).empty());

    // With the override, the extra value replaces the library's.
    options.extra_body_override = true;
    run(ioc, client.images().generate(small_generation("override"), options, asio::use_awaitable));
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("body").at("model").as_string() == "gpt-image-1");
}

BOOST_AUTO_TEST_CASE(extra_query_is_appended_percent_encoded) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("extra-query");
    auto options = tagged(key);
    options.extra_query = {{"tenant", "a b&c=d"}, {"trace", "1"}};
    run(ioc, client.images().generate(small_generation("query"), options, asio::use_awaitable));
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("path").as_string() == "/v1/images/generations");
    const auto& query = log[0].at("query").as_object();
    BOOST_TEST(query.at("tenant").as_string() == "a b&c=d");
    BOOST_TEST(query.at("trace").as_string() == "1");
}

BOOST_AUTO_TEST_CASE(per_call_credentials_serve_another_tenant) {
    const std::string tenant_key = "sk-tenant-b-0123456789-secret";
    emulator_process emu({"--api-key", tenant_key});
    asio::io_context ioc;
    auto config = config_for(emu); // the client's own key is not the one this server takes
    config.organization = "org-client";
    openai::client client(ioc.get_executor(), config);
    const auto key = unique_key("tenant");

    // The client's key: refused, and neither key appears in the error.
    openai::error_info info;
    auto [ec, ignored] =
        run(ioc, client.images().generate(small_generation("tenant"), tagged(key), info,
                                          asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec == openai::errc::authentication_error));
    check_no_secret(info);
    BOOST_TEST(info.message.find(tenant_key) == std::string::npos);

    // The tenant's credentials for one call, on the same client.
    auto options = tagged(key);
    options.api_key = tenant_key;
    options.organization = "org-tenant";
    options.project = "proj-tenant";
    auto r = run(
        ioc, client.images().generate(small_generation("tenant"), options, asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    const auto log = logged_requests(emu, key);
    BOOST_TEST_REQUIRE(log.size() == 2u);
    BOOST_TEST(log[1].at("status").to_number<int>() == 200);
    const auto& headers = log[1].at("headers").as_object();
    BOOST_TEST(headers.at("openai-organization").as_string() == "org-tenant");
    BOOST_TEST(headers.at("openai-project").as_string() == "proj-tenant");
    BOOST_TEST(log[0].at("headers").at("openai-organization").as_string() == "org-client");

    // A bad tenant key fails without showing it.
    options.api_key = "sk-wrong-tenant-key-do-not-print";
    auto [ec2, ignored2] =
        run(ioc, client.images().generate(small_generation("tenant"), options, info,
                                          asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec2 == openai::errc::authentication_error));
    BOOST_TEST(info.message.find("sk-wrong-tenant-key-do-not-print") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
