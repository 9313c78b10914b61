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

void put_be16(std::string& s, std::uint32_t v) {
    s += static_cast<char>((v >> 8) & 0xff);
    s += static_cast<char>(v & 0xff);
}
void put_le(std::string& s, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A JPEG head: SOI, `segments` APP1 segments of `app_bytes` each, then a baseline frame header
// (SOF0).
std::string jpeg_of(std::uint32_t w, std::uint32_t h, std::size_t app_bytes = 20,
                    int segments = 1) {
    std::string s("\xff\xd8", 2);
    for (int i = 0; i < segments; ++i) {
        s += std::string("\xff\xe1", 2);
        put_be16(s, static_cast<std::uint32_t>(app_bytes + 2));
        s += std::string(app_bytes, 'e');
    }
    s += std::string("\xff\xc0", 2);
    put_be16(s, 17);
    s += '\x08';
    put_be16(s, h);
    put_be16(s, w);
    s += std::string(12, '\x01');
    return s + std::string("\xff\xd9", 2);
}

std::string riff(std::string_view chunk, const std::string& payload) {
    std::string s = "RIFF";
    put_le(s, static_cast<std::uint32_t>(12 + payload.size()), 4);
    s += "WEBP";
    s += chunk;
    put_le(s, static_cast<std::uint32_t>(payload.size()), 4);
    return s + payload;
}

std::string webp_lossy(std::uint32_t w, std::uint32_t h) { // VP8
    std::string p("\x30\x01\x00\x9d\x01\x2a", 6);
    put_le(p, w, 2);
    put_le(p, h, 2);
    return riff("VP8 ", p + std::string(8, '\0'));
}

std::string webp_lossless(std::uint32_t w, std::uint32_t h) { // VP8L
    std::string p("\x2f", 1);
    put_le(p, (w - 1) | ((h - 1) << 14), 4);
    return riff("VP8L", p + std::string(8, '\0'));
}

std::string webp_extended(std::uint32_t w, std::uint32_t h) { // VP8X
    std::string p(4, '\0');
    put_le(p, w - 1, 3);
    put_le(p, h - 1, 3);
    return riff("VP8X", p + std::string(8, '\0'));
}

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
    // A JPEG whose frame header is not in its head has no dimensions known here: the server
    // compares them.
    BOOST_TEST(!check_edit_uploads(model_family::gpt_image,
                                   infos({{"image[]", jpeg}, {"mask", png(64, 64)}})));
}

BOOST_AUTO_TEST_CASE(mask_dimensions_are_checked_for_every_input_format) {
    struct case_ {
        std::string name;
        std::string image; // 640x480
    };
    for (const auto& c : std::vector<case_>{
             {"JPEG", jpeg_of(640, 480)},
             {"JPEG behind 30 KB of metadata", jpeg_of(640, 480, 30000)},
             {"JPEG behind two segments", jpeg_of(640, 480, 100, 2)},
             {"WebP lossy", webp_lossy(640, 480)},
             {"WebP lossless", webp_lossless(640, 480)},
             {"WebP extended", webp_extended(640, 480)},
         }) {
        BOOST_TEST_CONTEXT(c.name) {
            auto good = infos({{"image[]", c.image}, {"mask", png(640, 480)}});
            BOOST_TEST_REQUIRE(good[0].dimensions.has_value());
            BOOST_TEST(good[0].dimensions->first == 640u);
            BOOST_TEST(good[0].dimensions->second == 480u);
            BOOST_TEST(!check_edit_uploads(model_family::gpt_image, good));
            auto e = check_edit_uploads(model_family::gpt_image,
                                        infos({{"image[]", c.image}, {"mask", png(480, 640)}}));
            BOOST_TEST(e.param == "mask");
            BOOST_TEST(says(e, "480x640"), e.message);
            BOOST_TEST(says(e, "640x480"), e.message);
            BOOST_TEST(says(e, "same dimensions"), e.message);
        }
    }
    // Metadata longer than the head the writer reads: unknown, left to the server.
    auto far = infos({{"image[]", jpeg_of(640, 480, 40000, 2)}, {"mask", png(64, 64)}});
    BOOST_TEST(!far[0].dimensions.has_value());
    BOOST_TEST(!check_edit_uploads(model_family::gpt_image, far));
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
