// Connection behaviour: keep-alive reuse, plain HTTP, 100-continue, statistics, many streams
// held open on one I/O thread, and a clean stop on SIGTERM that lets an in-flight stream finish.
#include "emulator_fixture.hpp"

#include <memory>
#include <thread>

namespace ot = openai::test;
namespace json = boost::json;

namespace {

json::object stats(ot::raw_client& c) {
    auto r = c.request("GET", "/v1/_emulator/stats");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_connections)

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) {
    ot::emulator_process emu;
    ot::raw_client c(emu);
    for (int i = 0; i < 5; ++i) {
        auto r = c.request("POST", "/v1/images/generations",
                           R"({"model":"gpt-image-1","prompt":"again","quality":"low"})");
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(r.header("connection") == "keep-alive");
    }
    auto s = stats(c);
    BOOST_TEST(ot::num(s.at("connections_accepted")) == 1);
    BOOST_TEST(ot::num(s.at("connections_open")) == 1);
    BOOST_TEST(ot::num(s.at("requests_served")) == 5); // the stats request is not done yet
    // "Connection: close" is honoured.
    c.write(ot::raw_client::request_bytes("GET", "/v1/_emulator/stats", {}, {},
                                          {{"connection", "close"}}));
    auto got = c.read_until_end(std::chrono::milliseconds(5000));
    auto r = ot::parse_response(got.bytes);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->header("connection") == "close");
    BOOST_TEST(!got.timed_out);
}

BOOST_AUTO_TEST_CASE(plain_http_and_expect_continue) {
    ot::emulator_process emu({}, false);
    BOOST_TEST(emu.base_url().starts_with("http://127.0.0.1:"));
    ot::raw_client c(emu);
    std::string body = R"({"model":"gpt-image-1","prompt":"plain","quality":"low"})";
    c.write("POST /v1/images/generations HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n"
            "content-type: application/json\r\ncontent-length: " +
            std::to_string(body.size()) + "\r\n\r\n");
    boost::system::error_code ec;
    std::string interim = c.read_some(ec, std::chrono::milliseconds(5000));
    BOOST_TEST(interim == "HTTP/1.1 100 Continue\r\n\r\n");
    c.write(body);
    auto r = c.read_response();
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(ot::probe_b64(r.json().at("data").at(0).at("b64_json")).complete());
}

BOOST_AUTO_TEST_CASE(many_open_streams_on_one_thread) {
    // Streams paced by timers must not cost a thread each: 300 at once on --threads 1. The first
    // event is a minute away, so all 300 are open together however slowly this machine opens
    // them (under ASan on a loaded machine that took several seconds, and streams paced at one
    // second had ended before the last ones opened); the wait below is only a guard against a
    // hang. Reading the events of streams is covered elsewhere.
    ot::emulator_process emu(
        {"--threads", "1", "--partial-interval-ms", "60000", "--shutdown-grace-ms", "100"}, false);
    std::string req = ot::raw_client::request_bytes(
        "POST", "/v1/images/generations",
        R"({"model":"gpt-image-1","prompt":"many","stream":true,"partial_images":1,
            "quality":"low","size":"1024x1024","output_format":"jpeg","output_compression":10})");
    ot::raw_client probe(emu);
    std::vector<std::unique_ptr<ot::raw_client>> clients;
    for (int i = 0; i < 300; ++i) {
        clients.push_back(std::make_unique<ot::raw_client>(emu));
        clients.back()->write(req);
    }
    std::int64_t open = 0;
    const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(50);
    while (open < 300 && std::chrono::steady_clock::now() < guard) {
        open = ot::num(stats(probe).at("streams_open"));
        if (open < 300)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_TEST(open == 300);
    BOOST_TEST(ot::num(stats(probe).at("streams_peak")) >= 300);
    // Each of them got its response head (the events come later).
    boost::system::error_code ec;
    const auto head = clients.back()->read_some(ec, std::chrono::milliseconds(20000));
    BOOST_TEST(head.starts_with("HTTP/1.1 200"), head.substr(0, 40));
    BOOST_TEST(head.find("text/event-stream") != std::string::npos, head.substr(0, 200));
}

BOOST_AUTO_TEST_CASE(sigterm_finishes_in_flight_streams_and_exits_0) {
    ot::emulator_process emu({"--partial-interval-ms", "150", "--shutdown-grace-ms", "5000"});
    ot::raw_client c(emu);
    c.write(ot::raw_client::request_bytes(
        "POST", "/v1/images/generations",
        R"({"model":"gpt-image-1","prompt":"last","stream":true,"partial_images":2,
            "quality":"low"})"));
    boost::system::error_code ec;
    std::string head = c.read_some(ec, std::chrono::milliseconds(5000));
    BOOST_TEST_REQUIRE(head.starts_with("HTTP/1.1 200 OK"));
    ::kill(emu.pid(), SIGTERM);
    auto rest = c.read_until_end(std::chrono::milliseconds(10000));
    auto r = ot::parse_response(head + rest.bytes);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->complete);
    BOOST_TEST(ot::parse_sse(r->body).size() == 3u);
    BOOST_TEST(emu.wait(std::chrono::milliseconds(5000)) == 0);
}

BOOST_AUTO_TEST_CASE(sigint_with_idle_connections_exits_promptly) {
    ot::emulator_process emu;
    ot::raw_client idle(emu); // a keep-alive connection doing nothing
    BOOST_TEST(idle.request("GET", "/v1/_emulator/stats").status == 200u);
    auto start = std::chrono::steady_clock::now();
    BOOST_TEST(emu.stop(SIGINT, std::chrono::milliseconds(5000)) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_SUITE_END()
