// Edits and variations with files: parts in the caller's order, identical bytes on a retry, files
// that change between attempts, names that try to inject headers, and the file rules that are
// checked before anything is sent.
#include "client_fixture.hpp"
#include "emulator/image_synth.hpp"
#include "emulator/sha256.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace asio = boost::asio;
namespace json = boost::json;
namespace em = openai::emulator;
namespace fs = std::filesystem;
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

std::string jpeg_of(std::uint32_t w, std::uint32_t h, const std::string& seed) {
    em::image_spec spec;
    spec.prompt = seed;
    spec.width = w;
    spec.height = h;
    spec.format = em::image_format::jpeg;
    return em::synthesize(spec).bytes;
}

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("openai-edits-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& bytes) const {
        std::ofstream(path / name, std::ios::binary) << bytes;
        return path / name;
    }
};

// name:filename:content_type:sha256 of each file part, in body order.
std::vector<std::string> file_parts(const json::value& record) {
    std::vector<std::string> out;
    for (const auto& p : record.at("body").at("parts").as_array())
        if (!p.at("filename").is_null())
            out.push_back(std::string(p.at("name").as_string()) + ":" +
                          std::string(p.at("filename").as_string()) + ":" +
                          std::string(p.at("content_type").as_string()) + ":" +
                          std::string(p.at("sha256").as_string()));
    return out;
}

openai::error_info edit_fails(openai::client& client, asio::io_context& ioc,
                              const openai::edit_request& req) {
    openai::error_info info;
    auto [ec, r] = run(ioc, client.images().edit(req, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == info.code);
    return info;
}

} // namespace

BOOST_AUTO_TEST_SUITE(edits)

BOOST_AUTO_TEST_CASE(sixteen_images_and_a_mask_arrive_in_the_callers_order) {
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("sixteen");

    openai::edit_request req;
    req.prompt = "Sixteen in order";
    req.model = openai::models::gpt_image_1;
    std::vector<std::string> expected;
    for (int i = 0; i < 16; ++i) {
        // Distinct contents and alternating sources (disk, memory), names not in sorted order.
        const auto bytes = png_of(48, 48, "input " + std::to_string(i));
        const auto name = "in-" + std::to_string((i * 7) % 16) + ".png";
        if (i % 2 == 0)
            req.images.emplace_back(openai::image_file::from_path(dir.write(name, bytes)));
        else
            req.images.emplace_back(openai::image_file::from_bytes(bytes, name));
        expected.push_back("image[]:" + name + ":image/png:" + em::sha256::hex(bytes));
    }
    const auto mask = png_of(48, 48, "the mask");
    req.mask = openai::image_file::from_path(dir.write("mask.png", mask));
    expected.push_back("mask:mask.png:image/png:" + em::sha256::hex(mask));

    auto r = run(ioc, client.images().edit(req, tagged(key), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(file_parts(log[0]) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_retry_after_a_500_resends_identical_bytes) {
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("replay");
    const auto a = png_of(64, 64, "replay a");
    const auto b = jpeg_of(80, 40, "replay b");
    const auto mask = png_of(64, 64, "replay mask");

    openai::edit_request req;
    req.prompt = "Replay me";
    req.model = openai::models::gpt_image_1;
    req.images.emplace_back(openai::image_file::from_path(dir.write("a.png", a)));
    req.images.emplace_back(openai::image_file::from_path(dir.write("b.jpg", b)));
    req.mask = openai::image_file::from_path(dir.write("m.png", mask));

    auto r =
        run(ioc, client.images().edit(req, tagged(key, "status=500;times=1"), asio::use_awaitable));
    BOOST_TEST(r.meta.attempts == 2u);
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 2u);
    BOOST_TEST(log[0].at("status").to_number<int>() == 500);
    BOOST_TEST(log[1].at("status").to_number<int>() == 200);
    const std::vector<std::string> expected{"image[]:a.png:image/png:" + em::sha256::hex(a),
                                            "image[]:b.jpg:image/jpeg:" + em::sha256::hex(b),
                                            "mask:m.png:image/png:" + em::sha256::hex(mask)};
    BOOST_TEST(file_parts(log[0]) == expected, boost::test_tools::per_element());
    BOOST_TEST(file_parts(log[1]) == expected, boost::test_tools::per_element());
    BOOST_TEST(log[0].at("body_bytes") == log[1].at("body_bytes"));
}

BOOST_AUTO_TEST_CASE(a_file_that_changes_size_between_attempts_fails_clearly) {
    scratch dir;
    asio::io_context ioc;
    const auto path = dir.write("growing.png", png_of(32, 32, "growing"));
    auto config = config_for(emulator());
    unsigned attempts_seen = 0;
    config.on_attempt = [&](const openai::attempt_record&) {
        if (++attempts_seen == 1)
            std::ofstream(path, std::ios::binary | std::ios::app) << "more bytes";
    };
    openai::client client(ioc.get_executor(), config);
    openai::edit_request req;
    req.prompt = "Do not change under me";
    req.model = openai::models::gpt_image_1;
    req.images.emplace_back(openai::image_file::from_path(path));
    openai::error_info info;
    auto [ec, r] = run(ioc, client.images().edit(req, tagged(unique_key("grow"), "status=500"),
                                                 info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::file_changed);
    BOOST_TEST(info.message.find(path.string()) != std::string::npos, info.message);
    BOOST_TEST(info.message.find("changed size") != std::string::npos, info.message);
    BOOST_TEST(info.attempts == 2u); // the second attempt noticed; no third
}

BOOST_AUTO_TEST_CASE(files_that_are_not_images_fail_before_sending) {
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const std::pair<std::string, std::string> files[] = {
        {"notes.png", "just some text, renamed to .png\n"},
        {"cut.png", std::string("\x89PNG\r", 5)},
        {"anim.webp", "GIF89a\x01\x00\x01\x00"},
    };
    for (const auto& [name, bytes] : files) {
        openai::edit_request req;
        req.prompt = "not an image";
        req.model = openai::models::gpt_image_1;
        req.images.emplace_back(openai::image_file::from_path(dir.write(name, bytes)));
        const auto info = edit_fails(client, ioc, req);
        BOOST_TEST(info.code == openai::errc::unsupported_image_type, name);
        BOOST_TEST(info.message.find(name) != std::string::npos, info.message);
    }
    BOOST_TEST(client.stats().connections_created == 0u);
}

BOOST_AUTO_TEST_CASE(header_injection_through_names_is_refused) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto png = png_of(16, 16, "inject");
    const std::string bad_names[] = {"a.png\r\nX-Evil: 1", "a\".png", "a\n.png",
                                     std::string("a\0.png", 6)};
    for (const auto& name : bad_names) {
        openai::edit_request req;
        req.prompt = "inject";
        req.model = openai::models::gpt_image_1;
        req.images.emplace_back(openai::image_file::from_bytes(png, name));
        auto info = edit_fails(client, ioc, req);
        BOOST_TEST(info.code == openai::errc::invalid_file_name);

        // The same through with_filename on a path image, and on the mask.
        req.images.clear();
        req.images.emplace_back(openai::image_file::from_bytes(png, "ok.png"));
        req.mask = openai::image_file::from_bytes(png, "mask.png").with_filename(name);
        info = edit_fails(client, ioc, req);
        BOOST_TEST(info.code == openai::errc::invalid_file_name);
    }
    BOOST_TEST(client.stats().connections_created == 0u);
}

BOOST_AUTO_TEST_CASE(dall_e_2_and_mask_rules_are_checked_before_sending) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));

    openai::edit_request req;
    req.prompt = "a wider cat";
    req.model = openai::models::dall_e_2;
    req.images.emplace_back(openai::image_file::from_bytes(png_of(64, 32, "wide"), "wide.png"));
    auto info = edit_fails(client, ioc, req);
    BOOST_TEST(info.code == openai::errc::invalid_request);
    BOOST_TEST(info.http_status == 0);
    BOOST_TEST_REQUIRE(info.api.has_value());
    BOOST_TEST(info.api->param.value_or("") == "image");
    BOOST_TEST(info.message.find("square") != std::string::npos, info.message);
    BOOST_TEST(info.message.find("wide.png") != std::string::npos, info.message);

    req.images = {openai::image_file::from_bytes(jpeg_of(64, 64, "jpeg"), "photo.jpg")};
    info = edit_fails(client, ioc, req);
    BOOST_TEST(info.code == openai::errc::invalid_request);
    BOOST_TEST(info.message.find("PNG") != std::string::npos, info.message);

    // A mask of other dimensions than the image, for dall-e-2 and GPT models alike.
    req.images = {openai::image_file::from_bytes(png_of(64, 64, "square"), "square.png")};
    req.mask = openai::image_file::from_bytes(png_of(32, 32, "small mask"), "mask.png");
    for (const char* model : {"dall-e-2", "gpt-image-1"}) {
        req.model = model;
        info = edit_fails(client, ioc, req);
        BOOST_TEST(info.code == openai::errc::invalid_request, model);
        BOOST_TEST(info.api.value_or(openai::api_error{}).param.value_or("") == "mask", model);
        BOOST_TEST(info.message.find("32x32") != std::string::npos, info.message);
    }

    openai::variation_request var;
    var.image = openai::image_file::from_bytes(png_of(48, 32, "not square"), "v.png");
    openai::error_info vinfo;
    auto [ec, r] =
        run(ioc, client.images().create_variation(var, vinfo, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::invalid_request);
    BOOST_TEST(vinfo.message.find("48x32") != std::string::npos, vinfo.message);
    BOOST_TEST(client.stats().connections_created == 0u); // nothing was sent

    // The emulator applies the same rule: with checks off, the server refuses it.
    auto config = config_for(emulator());
    config.validate_requests = false;
    openai::client unchecked(ioc.get_executor(), config);
    openai::error_info sinfo;
    auto [sec, sr] = run(
        ioc, unchecked.images().create_variation(var, sinfo, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(sec == openai::errc::bad_request);
    BOOST_TEST(sinfo.http_status == 400);
}

BOOST_AUTO_TEST_CASE(a_square_png_passes_the_dall_e_2_rules) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    openai::edit_request req;
    req.prompt = "a square cat";
    req.model = openai::models::dall_e_2;
    req.size = "256x256";
    req.response_format = "b64_json";
    req.images.emplace_back(openai::image_file::from_bytes(png_of(64, 64, "sq"), "sq.png"));
    req.mask = openai::image_file::from_bytes(png_of(64, 64, "sq mask"), "mask.png");
    auto r = run(ioc, client.images().edit(req, asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST(r.data[0].has_bytes());
}

BOOST_AUTO_TEST_SUITE_END()
