// Azure OpenAI mode end to end: deployment paths, the api-version query and the api-key header,
// for JSON generations and multipart edits alike.
#include "client_fixture.hpp"
#include "emulator/image_synth.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
namespace em = openai::emulator;
using namespace openai::test;

namespace {

openai::client_config azure_config(const emulator_process& emu, const std::string& deployment) {
    auto config = openai::client_config::for_azure(emu.base_url(), deployment, "2025-04-01-preview",
                                                   test_api_key);
    config.tls.ca_file = emu.ca_file().string();
    config.retry.initial_backoff = std::chrono::milliseconds(5);
    return config;
}

std::string png_of(std::uint32_t w, std::uint32_t h, const std::string& seed) {
    em::image_spec spec;
    spec.prompt = seed;
    spec.width = w;
    spec.height = h;
    spec.format = em::image_format::png;
    return em::synthesize(spec).bytes;
}

void check_azure_record(const boost::json::value& rec, const std::string& deployment,
                        const std::string& operation) {
    BOOST_TEST(rec.at("path").as_string() ==
               "/openai/deployments/" + deployment + "/images/" + operation);
    BOOST_TEST(rec.at("query").at("api-version").as_string() == "2025-04-01-preview");
    BOOST_TEST(rec.at("auth").as_string() == "api-key");
    BOOST_TEST(rec.at("azure").at("deployment").as_string() == deployment);
    BOOST_TEST(rec.at("status").to_number<int>() == 200);
}

} // namespace

BOOST_AUTO_TEST_SUITE(azure)

BOOST_AUTO_TEST_CASE(generations_go_to_the_deployment_with_api_key) {
    // An emulator that checks the key: only the api-key header can carry it here.
    emulator_process emu({"--api-key", test_api_key});
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), azure_config(emu, "gpt-image-1"));
    const auto key = unique_key("azure-gen");
    openai::generate_request req;
    req.prompt = "An Azure lighthouse"; // no model: the deployment decides
    req.size = "1024x1024";
    req.quality = "low";
    auto r = run(ioc, client.images().generate(req, tagged(key), asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST(r.data[0].has_bytes());
    const auto log = logged_requests(emu, key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    check_azure_record(log[0], "gpt-image-1", "generations");
    BOOST_TEST(!log[0].at("body").as_object().contains("model"));
    BOOST_TEST(!log[0].at("headers").as_object().contains("authorization"));
}

BOOST_AUTO_TEST_CASE(multipart_edits_go_to_the_deployment_too) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), azure_config(emulator(), "gpt-image-1"));
    const auto key = unique_key("azure-edit");
    openai::edit_request req;
    req.prompt = "Azure edit";
    req.images.emplace_back(openai::image_file::from_bytes(png_of(32, 32, "az"), "az.png"));
    req.images.emplace_back(openai::image_file::from_bytes(png_of(32, 32, "az2"), "az2.png"));
    req.mask = openai::image_file::from_bytes(png_of(32, 32, "azm"), "mask.png");
    auto r = run(ioc, client.images().edit(req, tagged(key), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    check_azure_record(log[0], "gpt-image-1", "edits");
    const auto& parts = log[0].at("body").at("parts").as_array();
    std::vector<std::string> names;
    for (const auto& p : parts)
        if (!p.at("filename").is_null())
            names.emplace_back(p.at("name").as_string());
    BOOST_TEST(names == (std::vector<std::string>{"image[]", "image[]", "mask"}),
               boost::test_tools::per_element());

    // A JSON edit (references) takes the same path.
    const auto key2 = unique_key("azure-edit-json");
    openai::edit_request refs;
    refs.prompt = "Azure JSON edit";
    refs.images.emplace_back(openai::image_reference::file("file-123"));
    run(ioc, client.images().edit(refs, tagged(key2), asio::use_awaitable));
    const auto log2 = logged_requests(emulator(), key2);
    BOOST_TEST_REQUIRE(log2.size() == 1u);
    check_azure_record(log2[0], "gpt-image-1", "edits");
}

BOOST_AUTO_TEST_CASE(the_deployment_name_stands_for_the_model_in_checks) {
    asio::io_context ioc;
    // A deployment named after dall-e-3: its rules apply to a request without a model.
    openai::client d3(ioc.get_executor(), azure_config(emulator(), "dall-e-3"));
    openai::generate_request req;
    req.prompt = "two please";
    req.n = 2;
    openai::error_info info;
    auto [ec, r] = run(ioc, d3.images().generate(req, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::invalid_request);
    BOOST_TEST(info.api.value_or(openai::api_error{}).param.value_or("") == "n");
    BOOST_TEST(d3.stats().connections_created == 0u);

    // Deployment names that are not model names skip the model rules, and a name with
    // characters outside the URL's unreserved set is percent-encoded in the path.
    openai::client custom(ioc.get_executor(), azure_config(emulator(), "my images"));
    const auto key = unique_key("azure-custom");
    openai::generate_request plain;
    plain.prompt = "custom deployment";
    plain.model = "gpt-image-1"; // the emulator needs to know what to draw
    run(ioc, custom.images().generate(plain, tagged(key), asio::use_awaitable));
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("path").as_string() ==
               "/openai/deployments/my%20images/images/generations");
}

BOOST_AUTO_TEST_CASE(incomplete_azure_settings_are_refused_at_construction) {
    asio::io_context ioc;
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(), openai::client_config::for_azure(
                                                             "https://x.openai.azure.com", "",
                                                             "2025-04-01-preview", "k")),
                      std::invalid_argument);
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(),
                                     openai::client_config::for_azure("https://x.openai.azure.com",
                                                                      "d", "", "k")),
                      std::invalid_argument);
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(),
                                     openai::client_config::for_azure("ftp://x", "d", "v", "k")),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
