// Synthetic images: decodable by the reference libraries, sized as asked, deterministic,
// different per prompt/index/partial stage, with alpha when transparent, padded to a payload.
#include "decode.hpp"
#include "emulator/image_encode.hpp"
#include "emulator/image_probe.hpp"
#include "emulator/image_synth.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>

namespace em = openai::emulator;
using em::image_format;
using em::image_spec;

namespace {

image_spec spec_of(std::string prompt, std::uint32_t w, std::uint32_t h,
                   image_format f = image_format::png) {
    image_spec s;
    s.prompt = std::move(prompt);
    s.width = w;
    s.height = h;
    s.format = f;
    return s;
}

em::test::decoded decode(const std::string& bytes, image_format f) {
    switch (f) {
    case image_format::png:
        return em::test::decode_png(bytes);
    case image_format::jpeg:
        return em::test::decode_jpeg(bytes);
    case image_format::webp:
        return em::test::decode_webp(bytes);
    default:
        throw std::runtime_error("bad format");
    }
}

// Share of pixels whose colour differs by more than `tolerance` in some channel.
double differing_share(const em::test::decoded& a, const em::test::decoded& b, int tolerance) {
    BOOST_REQUIRE_EQUAL(a.width, b.width);
    BOOST_REQUIRE_EQUAL(a.height, b.height);
    BOOST_REQUIRE_EQUAL(a.channels, b.channels);
    std::size_t differ = 0;
    const std::size_t n = std::size_t{a.width} * a.height;
    for (std::size_t i = 0; i < n; ++i)
        for (unsigned k = 0; k < 3; ++k)
            if (std::abs(a.pixels[i * a.channels + k] - b.pixels[i * b.channels + k]) > tolerance) {
                ++differ;
                break;
            }
    return static_cast<double>(differ) / static_cast<double>(n);
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_synth)

BOOST_AUTO_TEST_CASE(every_format_decodes_at_the_requested_size) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        for (auto [w, h] : {std::pair{1024u, 1024u},
                            {1536u, 1024u},
                            {1024u, 1536u},
                            {256u, 256u},
                            {1u, 1u},
                            {3u, 7u},
                            {17u, 5u}}) {
            BOOST_TEST_CONTEXT(em::to_string(f) << " " << w << "x" << h) {
                const auto img = em::synthesize(spec_of("a red fox in snow", w, h, f));
                BOOST_TEST(img.width == w);
                BOOST_TEST(img.height == h);
                BOOST_TEST(img.format == f);
                const auto pixels = decode(img.bytes, f);
                BOOST_TEST(pixels.width == w);
                BOOST_TEST(pixels.height == h);
                BOOST_TEST(pixels.channels == 3u);
                const auto info = em::probe(img.bytes);
                BOOST_TEST(info.format == f);
                BOOST_TEST(info.width == w);
                BOOST_TEST(info.height == h);
                BOOST_TEST(!info.has_alpha);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(large_sizes_work) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        const auto img = em::synthesize(spec_of("a city at night", 3840, 2160, f));
        const auto pixels = decode(img.bytes, f);
        BOOST_TEST(pixels.width == 3840u);
        BOOST_TEST(pixels.height == 2160u);
    }
}

BOOST_AUTO_TEST_CASE(same_spec_gives_same_bytes) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        const auto a = em::synthesize(spec_of("a lighthouse", 512, 384, f));
        const auto b = em::synthesize(spec_of("a lighthouse", 512, 384, f));
        BOOST_TEST((a.bytes == b.bytes), em::to_string(f));
    }
}

BOOST_AUTO_TEST_CASE(different_prompts_give_visibly_different_pictures) {
    const char* prompts[] = {"a lighthouse", "a lighthouse.", "a bowl of fruit", "", "x"};
    std::vector<em::test::decoded> pictures;
    for (const char* p : prompts)
        pictures.push_back(em::test::decode_png(em::synthesize(spec_of(p, 256, 256)).bytes));
    for (std::size_t i = 0; i < pictures.size(); ++i)
        for (std::size_t j = i + 1; j < pictures.size(); ++j)
            BOOST_TEST(differing_share(pictures[i], pictures[j], 40) > 0.25,
                       "'" << prompts[i] << "' vs '" << prompts[j] << "'");
}

BOOST_AUTO_TEST_CASE(each_index_is_a_different_picture) {
    auto s = spec_of("three cats", 256, 256);
    std::vector<em::test::decoded> pictures;
    for (std::uint32_t i = 0; i < 4; ++i) {
        s.index = i;
        pictures.push_back(em::test::decode_png(em::synthesize(s).bytes));
    }
    for (std::size_t i = 0; i < pictures.size(); ++i)
        for (std::size_t j = i + 1; j < pictures.size(); ++j)
            BOOST_TEST(differing_share(pictures[i], pictures[j], 40) > 0.25);
}

BOOST_AUTO_TEST_CASE(partial_images_refine_towards_the_final_picture) {
    auto s = spec_of("a mountain lake", 512, 512);
    const auto final_picture = em::test::decode_png(em::synthesize(s).bytes);
    s.partial_count = 3;
    std::vector<double> distance;
    std::vector<std::string> files;
    for (std::uint32_t k = 0; k < 3; ++k) {
        s.partial_index = k;
        files.push_back(em::synthesize(s).bytes);
        distance.push_back(differing_share(em::test::decode_png(files.back()), final_picture, 8));
    }
    BOOST_TEST(files[0] != files[1]);
    BOOST_TEST(files[1] != files[2]);
    // Each stage is closer to the final picture than the one before, and none is it yet.
    BOOST_TEST(distance[0] > distance[1]);
    BOOST_TEST(distance[1] > distance[2]);
    BOOST_TEST(distance[2] > 0.0);
}

BOOST_AUTO_TEST_CASE(transparent_background_has_alpha) {
    for (auto f : {image_format::png, image_format::webp}) {
        auto s = spec_of("a sticker of a cat", 300, 200, f);
        s.transparent = true;
        const auto img = em::synthesize(s);
        const auto pixels = decode(img.bytes, f);
        BOOST_REQUIRE_EQUAL(pixels.channels, 4u);
        std::size_t clear = 0;
        std::size_t opaque = 0;
        for (std::size_t i = 3; i < pixels.pixels.size(); i += 4) {
            clear += pixels.pixels[i] == 0;
            opaque += pixels.pixels[i] == 255;
        }
        const std::size_t n = pixels.pixels.size() / 4;
        BOOST_TEST_CONTEXT(em::to_string(f)) {
            BOOST_TEST(clear > n / 20);  // background shows through
            BOOST_TEST(opaque > n / 50); // shapes cover part of it
            BOOST_TEST(em::probe(img.bytes).has_alpha);
        }
    }
}

BOOST_AUTO_TEST_CASE(compression_sets_quality) {
    for (auto f : {image_format::jpeg, image_format::webp}) {
        auto s = spec_of("a field of flowers", 512, 512, f);
        s.compression = 100;
        const auto high = em::synthesize(s);
        s.compression = 10;
        const auto low = em::synthesize(s);
        BOOST_TEST(low.bytes.size() < high.bytes.size() * 2 / 3, em::to_string(f));
        BOOST_TEST(decode(low.bytes, f).width == 512u);
    }
    // PNG is lossless: compression is ignored.
    auto s = spec_of("a field of flowers", 128, 128);
    s.compression = 10;
    const auto a = em::synthesize(s);
    s.compression = 90;
    BOOST_TEST((a.bytes == em::synthesize(s).bytes));
}

BOOST_AUTO_TEST_CASE(payload_bytes_pads_to_the_target) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        for (std::size_t target :
             {std::size_t{200'000}, std::size_t{3'000'000}, std::size_t{20'000'000}}) {
            BOOST_TEST_CONTEXT(em::to_string(f) << " " << target) {
                auto s = spec_of("a benchmark", 1024, 1024, f);
                s.payload_bytes = target;
                const auto img = em::synthesize(s);
                BOOST_TEST(img.bytes.size() <= target);
                BOOST_TEST(img.bytes.size() + 16 >= target);
                const auto pixels = decode(img.bytes, f);
                BOOST_TEST(pixels.width == img.width);
                BOOST_TEST(pixels.height == img.height);
                const auto info = em::probe(img.bytes);
                BOOST_TEST(info.width == img.width);
                BOOST_TEST(info.format == f);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(payload_bytes_smaller_than_the_picture_shrinks_it) {
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        auto s = spec_of("a benchmark", 1024, 1024, f);
        s.payload_bytes = 2'000;
        const auto img = em::synthesize(s);
        BOOST_TEST_CONTEXT(em::to_string(f)) {
            BOOST_TEST(img.width < 1024u);
            BOOST_TEST(img.width == img.height);
            BOOST_TEST(img.bytes.size() <= 2'000u);
            BOOST_TEST(img.bytes.size() >= 1'950u);
            const auto pixels = decode(img.bytes, f);
            BOOST_TEST(pixels.width == img.width);
        }
    }
}

BOOST_AUTO_TEST_CASE(padding_does_not_compress) {
    auto s = spec_of("a benchmark", 64, 64);
    s.payload_bytes = 1'000'000;
    const auto img = em::synthesize(s);
    // Count distinct byte values in the tail: noise uses them all, evenly.
    std::size_t histogram[256] = {};
    for (std::size_t i = img.bytes.size() / 2; i < img.bytes.size(); ++i)
        ++histogram[static_cast<unsigned char>(img.bytes[i])];
    for (std::size_t count : histogram)
        BOOST_TEST(count > 1'500u);
}

BOOST_AUTO_TEST_CASE(png_1024_is_made) {
    // Speed is measured by the benchmarks, not asserted here (no timing thresholds in tests).
    const auto img = em::synthesize(spec_of("speed", 1024, 1024));
    BOOST_TEST(img.width == 1024u);
    BOOST_TEST(img.height == 1024u);
    BOOST_TEST(!img.bytes.empty());
}

BOOST_AUTO_TEST_CASE(impossible_specs_are_refused) {
    auto s = spec_of("x", 0, 10);
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s = spec_of("x", 10, em::max_image_side + 1);
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s = spec_of("x", 10, 10, image_format::jpeg);
    s.transparent = true;
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s = spec_of("x", 10, 10, image_format::unknown);
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s = spec_of("x", 10, 10, image_format::webp);
    s.compression = 101;
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s.compression = -1;
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    s = spec_of("x", 10, 10);
    s.partial_count = 2;
    s.partial_index = 2;
    BOOST_CHECK_THROW(em::synthesize(s), std::invalid_argument);
    try {
        em::synthesize(spec_of("x", 10, 0));
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("10x0") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
