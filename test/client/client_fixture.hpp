// Shared pieces of the client tests: one TLS emulator for the run, a client configured for it
// with short retry waits, a way to run a coroutine to completion, and the emulator's request log.
#pragma once

#include "integration/raw_client.hpp"
#include "support/emulator_process.hpp"

#include <openai/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

namespace openai::test {

// Never printed anywhere: every test checks that errors do not contain it.
inline const std::string test_api_key = "sk-test-0123456789-do-not-print";

inline emulator_process& emulator() {
    static emulator_process emu({"--partial-interval-ms", "5"});
    return emu;
}

inline client_config config_for(const emulator_process& emu) {
    client_config config;
    config.api_key = test_api_key;
    config.base_url = emu.base_url() + "/v1";
    config.tls.ca_file = emu.ca_file().string();
    config.retry.initial_backoff = std::chrono::milliseconds(5);
    config.retry.max_backoff = std::chrono::milliseconds(20);
    return config;
}

// Runs `aw` on `ioc` until it finishes; rethrows what it threw.
template <class T>
T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> aw) {
    auto future = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
}

// The requests the emulator logged under an x-emulator-fault-key, oldest first.
inline boost::json::array logged_requests(const emulator_process& emu, const std::string& key) {
    raw_client raw(emu);
    auto r = raw.request("GET", "/v1/_emulator/requests?fault_key=" + key);
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().at("requests").as_array();
}

inline boost::json::object emulator_stats(const emulator_process& emu) {
    raw_client raw(emu);
    auto r = raw.request("GET", "/v1/_emulator/stats");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().as_object();
}

// Per-call options that tag a request for the log and optionally inject a fault.
inline request_options tagged(const std::string& key, const std::string& fault = {}) {
    request_options o;
    o.extra_headers.emplace_back("x-emulator-fault-key", key);
    if (!fault.empty())
        o.extra_headers.emplace_back("x-emulator-fault", fault);
    return o;
}

// A unique key per call site and run, so logs of earlier tests never mix in.
inline std::string unique_key(const std::string& name) {
    static int counter = 0;
    return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

inline void check_no_secret(const error_info& info) {
    BOOST_TEST(info.message.find(test_api_key) == std::string::npos);
    BOOST_TEST(info.message.find("Bearer") == std::string::npos);
}

} // namespace openai::test
