#include <openai/version.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_CASE(version_string_matches_header_constants) {
    const std::string expected = std::to_string(openai::version_major) + "." +
                                 std::to_string(openai::version_minor) + "." +
                                 std::to_string(openai::version_patch);
    BOOST_TEST(openai::version_string() == expected);
}
