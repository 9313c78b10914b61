#include "codec/image_sniff.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

using openai::codec::file_extension;
using openai::codec::image_sniff_size;
using openai::codec::image_type;
using openai::codec::image_type_name;
using openai::codec::mime_type;
using openai::codec::png_dimensions;
using openai::codec::sniff_image_type;

namespace {

template <std::size_t N>
constexpr std::string_view bytes(const char (&s)[N]) {
    return {s, N - 1};
}

// Whole tiny files written by libpng, libjpeg and libwebp (3x2 RGB PNG, 1x1 grey JPEG, 1x1
// lossless WebP), kept as bytes so that the library and the tests need none of those libraries.
constexpr auto real_png = bytes("\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52"
                                "\x00\x00\x00\x03\x00\x00\x00\x02\x08\x02\x00\x00\x00\x12\x16\xf1"
                                "\x4d\x00\x00\x00\x17\x49\x44\x41\x54\x08\x99\x63\x64\xe0\x95\x52"
                                "\x57\x57\x57\x57\x57\x67\x29\x2d\x2d\x85\xb0\x00\x1d\x76\x03\x60"
                                "\x3f\xe6\x25\x0d\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82");
constexpr auto real_jpeg =
    bytes("\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01"
          "\x00\x01\x00\x00\xff\xdb\x00\x43\x00\x10\x0b\x0c\x0e\x0c\x0a\x10"
          "\x0e\x0d\x0e\x12\x11\x10\x13\x18\x28\x1a\x18\x16\x16\x18\x31\x23"
          "\x25\x1d\x28\x3a\x33\x3d\x3c\x39\x33\x38\x37\x40\x48\x5c\x4e\x40"
          "\x44\x57\x45\x37\x38\x50\x6d\x51\x57\x5f\x62\x67\x68\x67\x3e\x4d"
          "\x71\x79\x70\x64\x78\x5c\x65\x67\x63\xff\xc0\x00\x0b\x08\x00\x01"
          "\x00\x01\x01\x01\x11\x00\xff\xc4\x00\x14\x00\x01\x00\x00\x00\x00"
          "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07\xff\xc4\x00\x14"
          "\x10\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
          "\x00\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x3f\x7f\xff\xd9");
constexpr auto real_webp = bytes("\x52\x49\x46\x46\x1c\x00\x00\x00\x57\x45\x42\x50\x56\x50\x38\x4c"
                                 "\x10\x00\x00\x00\x2f\x00\x00\x00\x00\x07\xd0\x86\xa8\x46\xff\x03"
                                 "\x11\xd1\xff\x00");

void put_be32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        s += static_cast<char>((v >> shift) & 0xff);
}

// A PNG start built byte by byte: signature, then an IHDR chunk header with the given fields.
std::string png_header(std::uint32_t width, std::uint32_t height, std::uint32_t length = 13,
                       std::string_view type = "IHDR") {
    std::string s("\x89PNG\r\n\x1a\n", 8);
    put_be32(s, length);
    s += type;
    put_be32(s, width);
    put_be32(s, height);
    s += std::string("\x08\x06\x00\x00\x00",
                     5); // depth, colour type, compression, filter, interlace
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_sniff)

BOOST_AUTO_TEST_CASE(table_of_inputs) {
    struct row {
        std::string_view name;
        std::string_view data;
        std::optional<image_type> expected;
    };
    const row rows[] = {
        {"real PNG", real_png, image_type::png},
        {"real JPEG", real_jpeg, image_type::jpeg},
        {"real WebP", real_webp, image_type::webp},
        {"PNG signature only", real_png.substr(0, 8), image_type::png},
        {"JPEG SOI + marker only", bytes("\xff\xd8\xff"), image_type::jpeg},
        {"JPEG with EXIF APP1",
         bytes("\xff\xd8\xff\xe1\x00\x10"
               "Exif\0\0"),
         image_type::jpeg},
        {"WebP header only", real_webp.substr(0, 12), image_type::webp},
        {"empty", "", std::nullopt},
        {"truncated PNG signature", real_png.substr(0, 7), std::nullopt},
        {"PNG signature mangled by text-mode CRLF->LF", bytes("\x89PNG\n\x1a\n\0\0\0\x0dIHDR"),
         std::nullopt},
        {"truncated JPEG", bytes("\xff\xd8"), std::nullopt},
        {"truncated WebP", real_webp.substr(0, 11), std::nullopt},
        {"text file", "Hello, this is a text file, not an image.\n", std::nullopt},
        {"GIF89a", bytes("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"),
         std::nullopt},
        {"GIF87a", "GIF87a", std::nullopt},
        {"RIFF WAVE", bytes("RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00"), std::nullopt},
        {"RIFF AVI",
         bytes("RIFF\x24\x08\x00\x00"
               "AVI LIST"),
         std::nullopt},
        {"WEBP at the wrong place", bytes("RIFFWEBP\0\0\0\0"), std::nullopt},
        {"BMP", bytes("BM6\x0c\0\0\0\0"), std::nullopt},
        {"PDF", "%PDF-1.7\n", std::nullopt},
    };
    for (const auto& r : rows) {
        const auto got = sniff_image_type(r.data);
        BOOST_TEST(got.has_value() == r.expected.has_value(), r.name);
        if (got && r.expected)
            BOOST_TEST((*got == *r.expected), r.name);
    }
}

BOOST_AUTO_TEST_CASE(every_prefix_of_the_real_files) {
    // Shorter than the signature: no answer; at least the signature: the right answer.
    const std::pair<std::string_view, std::size_t> files[] = {
        {real_png, 8}, {real_jpeg, 3}, {real_webp, 12}};
    for (const auto& [file, needed] : files) {
        const auto full = sniff_image_type(file);
        BOOST_TEST_REQUIRE(full.has_value());
        for (std::size_t n = 0; n <= file.size(); ++n) {
            const auto got = sniff_image_type(file.substr(0, n));
            if (n < needed)
                BOOST_TEST(!got.has_value(), "prefix " << n);
            else
                BOOST_TEST((got == full), "prefix " << n);
        }
        BOOST_TEST(needed <= image_sniff_size);
    }
}

BOOST_AUTO_TEST_CASE(names_of_the_types) {
    BOOST_TEST(mime_type(image_type::png) == "image/png");
    BOOST_TEST(mime_type(image_type::jpeg) == "image/jpeg");
    BOOST_TEST(mime_type(image_type::webp) == "image/webp");
    BOOST_TEST(file_extension(image_type::png) == "png");
    BOOST_TEST(file_extension(image_type::jpeg) == "jpg");
    BOOST_TEST(file_extension(image_type::webp) == "webp");
    BOOST_TEST(image_type_name(image_type::png) == "PNG");
    BOOST_TEST(image_type_name(image_type::jpeg) == "JPEG");
    BOOST_TEST(image_type_name(image_type::webp) == "WebP");
}

BOOST_AUTO_TEST_CASE(png_dimensions_from_ihdr) {
    const auto real = png_dimensions(real_png);
    BOOST_TEST_REQUIRE(real.has_value());
    BOOST_TEST(real->first == 3u);
    BOOST_TEST(real->second == 2u);
    BOOST_TEST(png_dimensions(real_png.substr(0, image_sniff_size)).has_value());

    const auto square = png_dimensions(png_header(1024, 1024));
    BOOST_TEST_REQUIRE(square.has_value());
    BOOST_TEST(square->first == 1024u);
    BOOST_TEST(square->second == 1024u);

    const auto wide = png_dimensions(png_header(0x12345678, 7));
    BOOST_TEST_REQUIRE(wide.has_value());
    BOOST_TEST(wide->first == 0x12345678u); // byte order is big-endian
    BOOST_TEST(wide->second == 7u);

    const auto largest = png_dimensions(png_header(0x7fffffff, 1));
    BOOST_TEST_REQUIRE(largest.has_value());
    BOOST_TEST(largest->first == 0x7fffffffu);
}

BOOST_AUTO_TEST_CASE(png_dimensions_refuses_what_is_not_a_valid_ihdr) {
    BOOST_TEST(!png_dimensions("").has_value());
    BOOST_TEST(!png_dimensions(real_jpeg).has_value());
    BOOST_TEST(!png_dimensions(real_webp).has_value());
    BOOST_TEST(!png_dimensions(png_header(0, 10)).has_value());
    BOOST_TEST(!png_dimensions(png_header(10, 0)).has_value());
    BOOST_TEST(!png_dimensions(png_header(0x80000000u, 10)).has_value());
    BOOST_TEST(!png_dimensions(png_header(10, 0xffffffffu)).has_value());
    BOOST_TEST(!png_dimensions(png_header(10, 10, 14)).has_value());
    BOOST_TEST(!png_dimensions(png_header(10, 10, 13, "IDAT")).has_value());
    BOOST_TEST(!png_dimensions(png_header(10, 10, 13, "ihdr")).has_value());
    const auto header = png_header(10, 10);
    for (std::size_t n = 0; n < 24; ++n)
        BOOST_TEST(!png_dimensions(std::string_view(header).substr(0, n)).has_value(), n);
    BOOST_TEST(png_dimensions(std::string_view(header).substr(0, 24)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
