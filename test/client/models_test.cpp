// The models of today end to end against the emulator: GPT Image 2.5 (quality xhigh and max,
// custom sizes, transparent background, streaming) and dated snapshots, and the rules the client
// applies before sending (nothing reaches the server).
#include "client_fixture.hpp"
#include "emulator/image_probe.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <vector>

namespace asio = boost::asio;
namespace em = openai::emulator;
using namespace openai::test;

BOOST_AUTO_TEST_SUITE(models_of_today)

BOOST_AUTO_TEST_CASE(gpt_image_2_5_unary_with_max_quality_and_a_custom_size) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("flare");
    openai::generate_request req;
    req.prompt = "A fox, in maximum detail";
    req.model = openai::models::gpt_image_2_5_flare;
    req.quality = openai::qualities::max;
    req.size = openai::custom_size(1536, 864);
    req.background = openai::backgrounds::transparent;
    req.output_format = openai::output_formats::webp;
    auto r = run(ioc, client.images().generate(req, tagged(key), asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    const auto info = em::probe(*r.data[0].bytes);
    BOOST_TEST(info.width == 1536u);
    BOOST_TEST(info.height == 864u);
    BOOST_TEST(r.quality->view() == "max");
    BOOST_TEST(r.background->view() == "transparent");
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("body").at("quality").as_string() == "max");
    BOOST_TEST(log[0].at("body").at("model").as_string() == "gpt-image-2.5-flare");
}

BOOST_AUTO_TEST_CASE(a_dated_snapshot_streams_with_xhigh_quality) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::generate_request req;
    req.prompt = "A lighthouse, streamed";
    req.model = "gpt-image-2.5-sunburst-2026-09-08";
    req.quality = openai::qualities::xhigh;
    req.size = "1024x1536";
    req.partial_images = 1;
    auto events = run(ioc, [&]() -> asio::awaitable<std::vector<openai::image_event>> {
        auto stream = co_await client.images().generate_stream(req, asio::use_awaitable);
        std::vector<openai::image_event> out;
        while (auto ev = co_await stream.next(asio::use_awaitable))
            out.push_back(std::move(*ev));
        co_return out;
    }());
    BOOST_TEST_REQUIRE(events.size() == 2u);
    BOOST_TEST(openai::is_partial(events[0]));
    const auto* done = std::get_if<openai::image_gen_completed_event>(&events[1]);
    BOOST_TEST_REQUIRE(done != nullptr);
    BOOST_TEST(done->quality->view() == "xhigh");
    BOOST_TEST(done->size->view() == "1024x1536");
    BOOST_TEST(em::probe(done->bytes).height == 1536u);
}

BOOST_AUTO_TEST_CASE(rules_refuse_before_sending) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("refused");
    struct case_ {
        std::string name;
        openai::generate_request req;
        std::string param;
    };
    std::vector<case_> cases;
    {
        openai::generate_request r;
        r.prompt = "xhigh on gpt-image-2";
        r.model = openai::models::gpt_image_2;
        r.quality = openai::qualities::xhigh;
        cases.push_back({"xhigh is 2.5 only", r, "quality"});
    }
    {
        openai::generate_request r;
        r.prompt = "compression with png";
        r.model = openai::models::gpt_image_2_5_flare;
        r.output_compression = 50;
        cases.push_back({"output_compression needs jpeg or webp", r, "output_compression"});
    }
    for (auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            openai::error_info info;
            auto [ec, ignored] =
                run(ioc, client.images().generate(c.req, tagged(key), info,
                                                  asio::as_tuple(asio::use_awaitable)));
            BOOST_TEST((ec == openai::errc::invalid_request));
            BOOST_TEST_REQUIRE(info.api.has_value());
            BOOST_TEST(info.api->param.value_or("") == c.param);
        }
    }
    // Multipart edits cannot carry moderation: refused, not sent.
    openai::edit_request edit;
    edit.prompt = "moderation on a file edit";
    edit.model = openai::models::gpt_image_2_5_flare;
    edit.images = {openai::image_file::from_bytes(std::string("\x89PNG\r\n\x1a\n", 8), "a.png")};
    edit.moderation = openai::moderations::low;
    openai::error_info info;
    auto [ec, ignored] = run(
        ioc, client.images().edit(edit, tagged(key), info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec == openai::errc::invalid_request));
    BOOST_TEST(info.api->param.value_or("") == "moderation");
    BOOST_TEST(logged_requests(emulator(), key).empty());
}

BOOST_AUTO_TEST_SUITE_END()
