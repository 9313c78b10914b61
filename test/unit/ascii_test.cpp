// The ASCII helpers for protocol text: case folding of ASCII letters only, trimming of a chosen
// set.
#include "codec/ascii.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

using namespace std::string_view_literals;
namespace codec = openai::codec;

BOOST_AUTO_TEST_SUITE(ascii)

BOOST_AUTO_TEST_CASE(to_lower_folds_ascii_letters_only) {
    BOOST_TEST(codec::to_lower('A') == 'a');
    BOOST_TEST(codec::to_lower('Z') == 'z');
    BOOST_TEST(codec::to_lower('a') == 'a');
    BOOST_TEST(codec::to_lower('@') == '@');       // just before 'A'
    BOOST_TEST(codec::to_lower('[') == '[');       // just after 'Z'
    BOOST_TEST(codec::to_lower('\xC4') == '\xC4'); // a Latin-1 capital stays as it is
    BOOST_TEST(codec::to_lower("Content-Type: Image/PNG"sv) == "content-type: image/png");
    BOOST_TEST(codec::to_lower(""sv).empty());
}

BOOST_AUTO_TEST_CASE(hex_value_of_digits_in_either_case) {
    BOOST_TEST(codec::hex_value('0') == 0);
    BOOST_TEST(codec::hex_value('9') == 9);
    BOOST_TEST(codec::hex_value('a') == 10);
    BOOST_TEST(codec::hex_value('F') == 15);
    BOOST_TEST(codec::hex_value('g') == -1);
    BOOST_TEST(codec::hex_value('G') == -1);
    BOOST_TEST(codec::hex_value('/') == -1);
    BOOST_TEST(codec::hex_value(' ') == -1);
}

BOOST_AUTO_TEST_CASE(iequals_ignores_ascii_case) {
    BOOST_TEST(codec::iequals("X-Should-Retry", "x-should-retry"));
    BOOST_TEST(codec::iequals("", ""));
    BOOST_TEST(!codec::iequals("true", "true "));
    BOOST_TEST(!codec::iequals("abc", "abd"));
    // Characters that differ by 0x20 but are not letters are not equal.
    BOOST_TEST(!codec::iequals("@", "`"));
    BOOST_TEST(!codec::iequals("[", "{"));
    static_assert(codec::iequals("Host", "HOST"));
}

BOOST_AUTO_TEST_CASE(starts_with_icase_compares_the_prefix) {
    BOOST_TEST(codec::starts_with_icase("Application/JSON; charset=utf-8", "application/json"));
    BOOST_TEST(codec::starts_with_icase("text", ""));
    BOOST_TEST(!codec::starts_with_icase("app", "application"));
    BOOST_TEST(!codec::starts_with_icase("text/plain", "application/json"));
}

BOOST_AUTO_TEST_CASE(trim_removes_spaces_and_tabs_by_default) {
    BOOST_TEST(codec::trim(" \t value \t ") == "value");
    BOOST_TEST(codec::trim("a b") == "a b");
    BOOST_TEST(codec::trim("   ").empty());
    BOOST_TEST(codec::trim("").empty());
    BOOST_TEST(codec::trim("\r\nx\r\n") == "\r\nx\r\n"); // CR and LF are not white space here
    BOOST_TEST(codec::trim("\r x \r", " \t\r") == "x");
    BOOST_TEST(codec::is_ows(' '));
    BOOST_TEST(codec::is_ows('\t'));
    BOOST_TEST(!codec::is_ows('\r'));
}

BOOST_AUTO_TEST_CASE(trim_right_keeps_the_front) {
    BOOST_TEST(codec::trim_right("  x  ") == "  x");
    BOOST_TEST(codec::trim_right("http://proxy:3128 \r\n", " \t\r\n") == "http://proxy:3128");
    BOOST_TEST(codec::trim_right("\t").empty());
}

BOOST_AUTO_TEST_SUITE_END()
