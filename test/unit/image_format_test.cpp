// openai::detect_image_format (include/openai/image_format.hpp): the public check that result
// bytes are an image, and of which kind.
#include <openai/image_format.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

using openai::detect_image_format;
using openai::image_format;

BOOST_AUTO_TEST_SUITE(image_format_detection)

BOOST_AUTO_TEST_CASE(signatures) {
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    const std::string jpeg("\xff\xd8\xff\xe0\0\x10JFIF", 10);
    const std::string webp("RIFF\x24\0\0\0WEBPVP8L", 16);
    BOOST_TEST((detect_image_format(png) == image_format::png));
    BOOST_TEST((detect_image_format(jpeg) == image_format::jpeg));
    BOOST_TEST((detect_image_format(webp) == image_format::webp));
    BOOST_TEST(openai::to_string(image_format::png) == "png");
    BOOST_TEST(openai::to_string(image_format::jpeg) == "jpeg");
    BOOST_TEST(openai::to_string(image_format::webp) == "webp");
    BOOST_TEST(openai::mime_type(image_format::webp) == "image/webp");
}

BOOST_AUTO_TEST_CASE(not_images) {
    // What an OpenAI-compatible mock returns for b64_json: base64 of the word "string".
    BOOST_TEST(!detect_image_format("string").has_value());
    BOOST_TEST(!detect_image_format("").has_value());
    BOOST_TEST(!detect_image_format(std::string_view("\x89PNG\r\n\x1a", 7)).has_value());
    BOOST_TEST(!detect_image_format("RIFF\x24\0\0\0WAVE").has_value());
    BOOST_TEST(!detect_image_format("<html><body>502</body></html>").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
