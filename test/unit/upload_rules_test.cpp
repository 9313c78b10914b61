// The file rules checked on what the multipart writer learnt (dall-e-2's square PNG, masks), and
// files on disk whose bytes are not what their names say.
#include "api/file_reader.hpp"
#include "codec/multipart.hpp"
#include "codec/upload_rules.hpp"

#include <openai/error.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace fs = std::filesystem;
using openai::model_family;
using openai::codec::check_edit_uploads;
using openai::codec::check_variation_uploads;
using openai::codec::multipart_body;
using openai::codec::multipart_file;
using openai::codec::multipart_file_info;

namespace {

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("openai_upload_rules_" + std::to_string(rd()));
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

void put_be32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        s += static_cast<char>((v >> shift) & 0xff);
}

std::string png(std::uint32_t w, std::uint32_t h, std::size_t padding = 16) {
    std::string s("\x89PNG\r\n\x1a\n", 8);
    put_be32(s, 13);
    s += "IHDR";
    put_be32(s, w);
    put_be32(s, h);
    s += std::string("\x08\x06\x00\x00\x00", 5);
    return s + std::string(padding, 'x');
}

const std::string jpeg("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\xff\xd9", 16);

// What the writer learns about `files` (name, bytes); fails the test when it refuses them.
std::vector<multipart_file_info> infos(std::vector<std::pair<std::string, std::string>> files) {
    std::vector<multipart_file> parts;
    for (auto& [name, bytes] : files)
        parts.push_back({name, name == "mask" ? "mask.png" : "in.png", std::nullopt,
                         std::make_shared<const std::string>(bytes)});
    boost::system::error_code ec;
    std::string message;
    auto body = multipart_body::make({}, std::move(parts), openai::detail::local_file_options(), ec,
                                     message);
    BOOST_TEST_REQUIRE(!ec, message);
    return body.files();
}

bool says(const openai::validation_error& e, const std::string& text) {
    return e.message.find(text) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(upload_rules)

BOOST_AUTO_TEST_CASE(dall_e_2_takes_one_square_png_under_4_mb) {
    const auto d2 = model_family::dall_e_2;
    BOOST_TEST(!check_edit_uploads(d2, infos({{"image", png(256, 256)}})));
    BOOST_TEST(!check_variation_uploads(d2, infos({{"image", png(512, 512)}})));

    auto e = check_edit_uploads(d2, infos({{"image", png(256, 128)}}));
    BOOST_TEST(e.code == openai::errc::invalid_request);
    BOOST_TEST(e.param == "image");
    BOOST_TEST(says(e, "256x128"), e.message);
    BOOST_TEST(says(e, "square"), e.message);
    BOOST_TEST(says(e, "in.png"), e.message); // names the file

    e = check_variation_uploads(d2, infos({{"image", jpeg}}));
    BOOST_TEST(e.param == "image");
    BOOST_TEST(says(e, "JPEG"), e.message);
    BOOST_TEST(says(e, "PNG image only"), e.message);

    // 4 MB (binary) is already too much; one byte less passes.
    const std::size_t limit = 4u * 1024 * 1024;
    const std::size_t header = png(1, 1, 0).size();
    e = check_variation_uploads(d2, infos({{"image", png(64, 64, limit - header)}}));
    BOOST_TEST(e.param == "image");
    BOOST_TEST(says(e, "under 4 MB"), e.message);
    BOOST_TEST(!check_variation_uploads(d2, infos({{"image", png(64, 64, limit - header - 1)}})));

    // A PNG signature without a readable IHDR.
    e = check_edit_uploads(
        d2, infos({{"image", std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\x0d", 4) +
                                 "IHDX-broken-header"}}));
    BOOST_TEST(says(e, "IHDR"), e.message);

    // GPT image models and unknown models take any of the three types, any shape.
    BOOST_TEST(!check_edit_uploads(model_family::gpt_image,
                                   infos({{"image[]", png(300, 100)}, {"image[]", jpeg}})));
    BOOST_TEST(!check_edit_uploads(model_family::unknown, infos({{"image", png(300, 100)}})));
    BOOST_TEST(!check_variation_uploads(model_family::unknown, infos({{"image", jpeg}})));
}

BOOST_AUTO_TEST_CASE(masks_are_pngs_of_the_first_images_dimensions) {
    for (auto family : {model_family::dall_e_2, model_family::gpt_image, model_family::unknown}) {
        BOOST_TEST(!check_edit_uploads(family,
                                       infos({{"image", png(256, 256)}, {"mask", png(256, 256)}})));

        auto e =
            check_edit_uploads(family, infos({{"image", png(256, 256)}, {"mask", png(512, 512)}}));
        BOOST_TEST(e.param == "mask");
        BOOST_TEST(says(e, "512x512"), e.message);
        BOOST_TEST(says(e, "256x256"), e.message);
        BOOST_TEST(says(e, "same dimensions"), e.message);

        e = check_edit_uploads(family, infos({{"image", png(256, 256)}, {"mask", jpeg}}));
        BOOST_TEST(e.param == "mask");
        BOOST_TEST(says(e, "must be a PNG"), e.message);

        e = check_edit_uploads(
            family, infos({{"image", png(64, 64)}, {"mask", png(64, 64, 4u * 1024 * 1024)}}));
        BOOST_TEST(e.param == "mask");
        BOOST_TEST(says(e, "under 4 MB"), e.message);
    }
    // The mask goes with the FIRST image; later ones may differ.
    BOOST_TEST(!check_edit_uploads(
        model_family::gpt_image,
        infos({{"image[]", png(64, 64)}, {"image[]", png(128, 32)}, {"mask", png(64, 64)}})));
    BOOST_TEST(static_cast<bool>(check_edit_uploads(
        model_family::gpt_image,
        infos({{"image[]", png(128, 32)}, {"image[]", png(64, 64)}, {"mask", png(64, 64)}}))));
    // A JPEG first image has no dimensions known here: the server compares them.
    BOOST_TEST(!check_edit_uploads(model_family::gpt_image,
                                   infos({{"image[]", jpeg}, {"mask", png(64, 64)}})));
}

// Files whose names promise an image but whose bytes are something else fail before anything is
// sent, naming the file.
BOOST_AUTO_TEST_CASE(misnamed_and_truncated_files_on_disk_are_refused) {
    scratch dir;
    const std::pair<std::string, std::string> files[] = {
        {"notes.png", "These are my notes, not a picture.\n"},
        {"truncated.png", std::string("\x89PNG\r\n", 6)},
        {"truncated.jpg", std::string("\xff\xd8", 2)},
        {"truncated.webp", "RIFF\x10\0\0\0WEB"},
        {"empty.png", ""},
        {"page.webp", "<!doctype html><html></html>"},
    };
    for (const auto& [name, bytes] : files) {
        const auto path = dir.write(name, bytes);
        boost::system::error_code ec;
        std::string message;
        auto body = multipart_body::make({}, {{"image", "", std::nullopt, path}},
                                         openai::detail::local_file_options(), ec, message);
        BOOST_TEST(!body.valid(), name);
        BOOST_TEST(ec == openai::errc::unsupported_image_type, name);
        BOOST_TEST(message.find(path.string()) != std::string::npos, message);
    }
    // The same bytes with a real header pass, typed by their bytes and not their names.
    const auto real = dir.write("actually-a-png.jpg", png(8, 8));
    boost::system::error_code ec;
    std::string message;
    auto body = multipart_body::make({}, {{"image", "", std::nullopt, real}},
                                     openai::detail::local_file_options(), ec, message);
    BOOST_TEST_REQUIRE(body.valid(), message);
    BOOST_TEST(body.files().at(0).content_type == "image/png");
}

BOOST_AUTO_TEST_SUITE_END()
