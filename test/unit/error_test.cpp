#include <openai/error.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <system_error>

BOOST_AUTO_TEST_CASE(errc_is_an_error_code_in_boost_and_std) {
    boost::system::error_code ec = openai::errc::rate_limited;
    BOOST_TEST(ec == openai::errc::rate_limited);
    BOOST_TEST(ec != openai::errc::server_error);
    BOOST_TEST(std::string(ec.category().name()) == "openai");
    BOOST_TEST(ec.message().find("429") != std::string::npos);

    std::error_code sec = openai::errc::stream_truncated;
    BOOST_TEST(sec == openai::errc::stream_truncated);
    BOOST_TEST(static_cast<bool>(sec));
}

BOOST_AUTO_TEST_CASE(every_code_has_its_own_message) {
    for (int v = static_cast<int>(openai::errc::invalid_request);
         v <= static_cast<int>(openai::errc::stream_closed); ++v) {
        const auto msg = openai::make_error_code(static_cast<openai::errc>(v)).message();
        BOOST_TEST(msg != "unknown openai error", "code " << v);
    }
}
