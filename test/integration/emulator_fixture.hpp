// Shared pieces of the emulator integration tests: one TLS emulator for the whole run (quick to
// reuse; tests needing other flags start their own), and helpers to read its answers.
#pragma once

#include "codec/base64.hpp"
#include "emulator/image_probe.hpp"
#include "raw_client.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace openai::test {

/// The shared emulator: TLS, 5 ms between stream events, the URL lifetime long.
inline emulator_process& shared_emulator() {
    static emulator_process emu({"--partial-interval-ms", "5"});
    return emu;
}

inline std::string b64_decode(std::string_view text) {
    std::string out;
    codec::base64_decoder d;
    if (!d.feed(text, out) || !d.finish(out))
        throw std::runtime_error("invalid base64");
    return out;
}

/// The image in a `b64_json` member, probed.
inline emulator::image_info probe_b64(const boost::json::value& b64) {
    return emulator::probe(b64_decode(b64.as_string()));
}

/// Checks the API's error envelope and returns its object.
inline boost::json::object api_error_of(const http_response& r, unsigned status) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.header("content-type").starts_with("application/json"));
    auto body = r.json().as_object();
    BOOST_TEST_REQUIRE(body.contains("error"));
    auto e = body.at("error").as_object();
    BOOST_TEST(e.at("message").is_string());
    BOOST_TEST(e.at("type").is_string());
    BOOST_TEST((e.at("param").is_string() || e.at("param").is_null()));
    BOOST_TEST((e.at("code").is_string() || e.at("code").is_null()));
    return e;
}

inline std::int64_t num(const boost::json::value& v) {
    return v.to_number<std::int64_t>();
}

} // namespace openai::test
