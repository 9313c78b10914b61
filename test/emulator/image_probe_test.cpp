// Header probing: formats, dimensions and alpha from hand-made headers and from real files, fed
// whole and in pieces; truncated and malformed input gives no dimensions rather than wrong ones.
#include "emulator/image_encode.hpp"
#include "emulator/image_probe.hpp"
#include "emulator/image_synth.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

namespace em = openai::emulator;
using em::image_format;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list)
        s += static_cast<char>(b);
    return s;
}

std::string be32(std::uint32_t v) {
    return bytes({int(v >> 24 & 0xff), int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)});
}

std::string png_header(std::uint32_t w, std::uint32_t h, int colour_type) {
    std::string s = bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    s += be32(13) + "IHDR" + be32(w) + be32(h) + bytes({8, colour_type, 0, 0, 0});
    s += be32(0); // CRC (not checked by the probe)
    return s;
}

std::string png_chunk(const std::string& type, const std::string& data) {
    return be32(static_cast<std::uint32_t>(data.size())) + type + data + be32(0);
}

std::string jpeg_segment(int marker, const std::string& data) {
    const auto n = data.size() + 2;
    return bytes({0xff, marker, int(n >> 8), int(n & 0xff)}) + data;
}

std::string jpeg_sof(int marker, std::uint32_t w, std::uint32_t h) {
    return jpeg_segment(marker, bytes({8, int(h >> 8), int(h & 0xff), int(w >> 8), int(w & 0xff), 3,
                                       1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}));
}

std::string riff(const std::string& chunks) {
    std::string s = "RIFF";
    const auto n = static_cast<std::uint32_t>(chunks.size() + 4);
    s += bytes({int(n & 0xff), int(n >> 8 & 0xff), int(n >> 16 & 0xff), int(n >> 24)});
    return s + "WEBP" + chunks;
}

std::string le_chunk(const std::string& type, const std::string& data) {
    const auto n = static_cast<std::uint32_t>(data.size());
    return type + bytes({int(n & 0xff), int(n >> 8 & 0xff), int(n >> 16 & 0xff), int(n >> 24)}) +
           data;
}

// Feeds `data` in random pieces and checks the answer equals the whole-buffer answer.
em::image_info probe_in_pieces(const std::string& data, unsigned seed) {
    std::mt19937 gen(seed);
    em::image_prober prober;
    std::size_t at = 0;
    while (at < data.size() && !prober.done()) {
        const std::size_t n = std::min<std::size_t>(data.size() - at, 1 + gen() % 7);
        prober.feed(std::string_view(data).substr(at, n));
        at += n;
    }
    return prober.info();
}

void check(const std::string& data, image_format f, std::uint32_t w, std::uint32_t h, bool alpha) {
    for (unsigned seed = 0; seed < 8; ++seed) {
        const auto info = seed == 0 ? em::probe(data) : probe_in_pieces(data, seed);
        BOOST_TEST(info.format == f);
        BOOST_TEST(info.width == w);
        BOOST_TEST(info.height == h);
        BOOST_TEST(info.has_alpha == alpha);
        BOOST_TEST(info.complete() == (w != 0 && h != 0));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_probe)

BOOST_AUTO_TEST_CASE(png_headers) {
    check(png_header(1536, 1024, 2) + png_chunk("IDAT", "x"), image_format::png, 1536, 1024, false);
    check(png_header(7, 9, 6) + png_chunk("IDAT", "x"), image_format::png, 7, 9, true);
    check(png_header(7, 9, 4), image_format::png, 7, 9, true);
    // tRNS before the image data gives a palette or RGB image transparency.
    check(png_header(70000, 3, 3) + png_chunk("PLTE", std::string(6, 'p')) +
              png_chunk("tRNS", "\x00") + png_chunk("IDAT", "x"),
          image_format::png, 70000, 3, true);
    // A tRNS after IDAT does not count (and is not looked for).
    check(png_header(5, 5, 2) + png_chunk("IDAT", "x") + png_chunk("tRNS", "ab"), image_format::png,
          5, 5, false);
    // A first chunk that is not IHDR: format known, dimensions not.
    check(bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}) + png_chunk("gAMA", "abcd"),
          image_format::png, 0, 0, false);
}

BOOST_AUTO_TEST_CASE(jpeg_headers) {
    const std::string soi = bytes({0xff, 0xd8});
    const std::string app0 = jpeg_segment(0xe0, std::string("JFIF\0\1\1\0\0\1\0\1\0\0", 14));
    check(soi + app0 + jpeg_sof(0xc0, 1024, 768), image_format::jpeg, 1024, 768, false);
    check(soi + app0 + jpeg_sof(0xc2, 3, 65535), image_format::jpeg, 3, 65535, false);
    // A large EXIF segment, fill bytes and DQT/DHT before the frame header.
    const std::string exif = jpeg_segment(0xe1, std::string(60000, '\xff'));
    check(soi + exif + bytes({0xff, 0xff}) + jpeg_segment(0xdb, std::string(65, 1)) +
              jpeg_segment(0xc4, std::string(30, 2)) + jpeg_sof(0xc1, 640, 480),
          image_format::jpeg, 640, 480, false);
    // DHT (C4) and DAC (CC) are not frame headers.
    check(soi + jpeg_segment(0xcc, std::string(9, 0)) + jpeg_sof(0xc0, 10, 20), image_format::jpeg,
          10, 20, false);
    // Scan data before any frame header, or garbage where a marker is due: no dimensions.
    check(soi + app0 + jpeg_segment(0xda, "abc") + jpeg_sof(0xc0, 10, 20), image_format::jpeg, 0, 0,
          false);
    check(soi + app0 + "garbage" + jpeg_sof(0xc0, 10, 20), image_format::jpeg, 0, 0, false);
}

BOOST_AUTO_TEST_CASE(webp_headers) {
    // VP8X: flags (alpha = 0x10), 3 reserved bytes, 24-bit width-1 and height-1.
    check(riff(le_chunk("VP8X", bytes({0x10, 0, 0, 0, 0xff, 0x0e, 0, 0x6f, 0x08, 0}))),
          image_format::webp, 3840, 2160, true);
    check(riff(le_chunk("VP8X", bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))), image_format::webp, 1, 1,
          false);
    // VP8L: signature 0x2f, 14-bit width-1, 14-bit height-1, alpha hint bit.
    const std::uint32_t bits = (100 - 1) | (50 - 1) << 14 | 1u << 28;
    check(riff(le_chunk("VP8L", bytes({0x2f, int(bits & 0xff), int(bits >> 8 & 0xff),
                                       int(bits >> 16 & 0xff), int(bits >> 24)}))),
          image_format::webp, 100, 50, true);
    // VP8: frame tag, start code, 14-bit dimensions with scaling bits above.
    check(riff(le_chunk("VP8 ", bytes({0, 0, 0, 0x9d, 0x01, 0x2a, 0x00, 0x44, 0x00, 0x43}))),
          image_format::webp, 1024, 768, false);
    check(riff(le_chunk("VP8 ", bytes({0, 0, 0, 0x9d, 0x01, 0x2b, 0x00, 0x04, 0x00, 0x03}))),
          image_format::webp, 0, 0, false);
    check(riff(le_chunk("ICCP", "ab")), image_format::webp, 0, 0, false);
}

BOOST_AUTO_TEST_CASE(not_images) {
    check("", image_format::unknown, 0, 0, false);
    check("GIF89a........................", image_format::unknown, 0, 0, false);
    check("RIFF\0\0\0\0WAVEfmt ", image_format::unknown, 0, 0, false);
    check(std::string(100, '\0'), image_format::unknown, 0, 0, false);
}

BOOST_AUTO_TEST_CASE(truncated_headers_give_the_format_only) {
    const std::string full = png_header(640, 480, 2);
    for (std::size_t n = 8; n < 8 + 8 + 8; ++n) {
        const auto info = em::probe(std::string_view(full).substr(0, n));
        BOOST_TEST(info.format == image_format::png);
        BOOST_TEST(info.width == 0u);
    }
    BOOST_TEST(em::probe("\xff\xd8\xff").format == image_format::jpeg);
    BOOST_TEST(em::sniff_format("RIFF1234WEBP") == image_format::webp);
    BOOST_TEST(em::sniff_format("RIFF1234WEB") == image_format::unknown);
}

BOOST_AUTO_TEST_CASE(produced_files) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        for (bool transparent : {false, true}) {
            if (transparent && f == image_format::jpeg)
                continue;
            em::image_spec s;
            s.prompt = "probe me";
            s.width = 333;
            s.height = 222;
            s.format = f;
            s.transparent = transparent;
            const auto img = em::synthesize(s);
            BOOST_TEST_CONTEXT(f << (transparent ? " transparent" : "")) {
                check(img.bytes, f, 333, 222, transparent);
                // The prober stops early: feeding after done() changes nothing.
                em::image_prober prober;
                BOOST_TEST(prober.feed(img.bytes));
                BOOST_TEST(prober.feed("more"));
                BOOST_TEST(prober.info().width == 333u);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(padded_webp_keeps_its_header) {
    // A simple (VP8) WebP turned into the extended form keeps dimensions and alpha.
    em::image_spec s;
    s.prompt = "pad me";
    s.width = 100;
    s.height = 60;
    s.format = image_format::webp;
    auto file = em::synthesize(s).bytes;
    BOOST_REQUIRE(file.compare(12, 4, "VP8X") != 0);
    em::pad_to_size(file, image_format::webp, file.size() + 1000, 1);
    BOOST_TEST(file.compare(12, 4, "VP8X") == 0);
    check(file, image_format::webp, 100, 60, false);
}

BOOST_AUTO_TEST_SUITE_END()
