// Every fault kind, observed on the wire by a raw client: statuses and retry headers, `times`
// per fault key, delays, dripping, resets mid-head and mid-body, truncated bodies, malformed
// JSON, a proxy's HTML 502, stream errors and cuts, heartbeat comments, line endings, split
// writes, and a connection closed without a response.
#include "emulator_fixture.hpp"

#include <algorithm>
#include <regex>

namespace ot = openai::test;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string gen_body = R"({"model":"gpt-image-1","prompt":"faulty","quality":"low",
                                 "size":"1024x1024"})";
const std::string stream_body = R"({"model":"gpt-image-1","prompt":"faulty stream","stream":true,
                                    "partial_images":3,"quality":"low","size":"1024x1024"})";

std::string with_fault(const std::string& body, const std::string& fault,
                       const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> h{{"x-emulator-fault", fault}};
    if (!key.empty())
        h.emplace_back("x-emulator-fault-key", key);
    return ot::raw_client::request_bytes("POST", "/v1/images/generations", body, "application/json",
                                         h);
}

ot::http_response fault_request(ot::raw_client& c, const std::string& fault,
                                const std::string& body = gen_body) {
    c.write(with_fault(body, fault));
    return c.read_response();
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_faults)

BOOST_AUTO_TEST_CASE(status_with_retry_headers) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "status=429;retry-after=1;retry-after-ms=200;x-should-retry=true");
    auto e = ot::api_error_of(r, 429);
    BOOST_TEST(e.at("code").as_string() == "rate_limit_exceeded");
    BOOST_TEST(r.header("retry-after") == "1");
    BOOST_TEST(r.header("retry-after-ms") == "200");
    BOOST_TEST(r.header("x-should-retry") == "true");
    BOOST_TEST(r.header("x-request-id").starts_with("req_"));
    auto s = fault_request(c, "status=503;x-should-retry=false");
    BOOST_TEST(ot::api_error_of(s, 503).at("type").as_string() == "server_error");
    BOOST_TEST(s.header("x-should-retry") == "false");
    BOOST_TEST(s.header("retry-after") == "<absent>");
    // A bad spec is itself a 400 naming the header.
    auto bad = fault_request(c, "status=9999");
    BOOST_TEST(ot::api_error_of(bad, 400).at("param").as_string() == "x-emulator-fault");
}

BOOST_AUTO_TEST_CASE(times_counts_per_key) {
    ot::raw_client c(ot::shared_emulator());
    std::string key = "times-" + std::to_string(clock_type::now().time_since_epoch().count());
    auto send = [&](const std::string& k) {
        c.write(with_fault(gen_body, "status=500;times=2", k));
        return c.read_response().status;
    };
    BOOST_TEST(send(key) == 500u);
    BOOST_TEST(send(key + "-other") == 500u); // another key has its own count
    BOOST_TEST(send(key) == 500u);
    BOOST_TEST(send(key) == 200u);
    BOOST_TEST(send(key) == 200u);
    auto log = c.request("GET", "/v1/_emulator/requests?fault_key=" + key).json();
    auto& list = log.at("requests").as_array();
    BOOST_TEST_REQUIRE(list.size() == 4u);
    BOOST_TEST(ot::num(list[0].at("status")) == 500);
    BOOST_TEST(ot::num(list[1].at("status")) == 500);
    BOOST_TEST(ot::num(list[2].at("status")) == 200);
    BOOST_TEST(list[2].at("fault").is_null());
}

BOOST_AUTO_TEST_CASE(delay_headers) {
    ot::raw_client c(ot::shared_emulator());
    auto start = clock_type::now();
    c.write(with_fault(gen_body, "delay-headers-ms=300"));
    boost::system::error_code ec;
    std::string first = c.read_some(ec, std::chrono::milliseconds(5000));
    auto waited = clock_type::now() - start;
    BOOST_TEST(!first.empty());
    BOOST_TEST((waited >= std::chrono::milliseconds(290)));
    BOOST_TEST((waited < std::chrono::milliseconds(3000)));
}

BOOST_AUTO_TEST_CASE(drip_bytes_per_second) {
    ot::raw_client c(ot::shared_emulator());
    // A 404 body is small (about 600 bytes with the head): at 2000 B/s it takes ~0.3 s.
    auto start = clock_type::now();
    c.write(ot::raw_client::request_bytes("POST", "/v1/images/nowhere", "{}", "application/json",
                                          {{"x-emulator-fault", "drip-bytes-per-s=2000"}}));
    auto r = c.read_response();
    auto took = clock_type::now() - start;
    BOOST_TEST(r.status == 404u);
    std::size_t total = r.head_size + r.body.size();
    auto expected = std::chrono::milliseconds(total * 1000 / 2000);
    BOOST_TEST((took >= expected * 8 / 10),
               "took " << (took / std::chrono::milliseconds(1)) << " ms");
    BOOST_TEST((took < expected * 4 + std::chrono::seconds(1)));
}

BOOST_AUTO_TEST_CASE(reset_mid_headers_and_mid_body) {
    for (std::size_t n : {20u, 600u}) {
        ot::raw_client c(ot::shared_emulator());
        c.write(with_fault(gen_body, "reset-after-bytes=" + std::to_string(n)));
        auto got = c.read_until_end(std::chrono::milliseconds(5000));
        BOOST_TEST(!got.timed_out);
        BOOST_TEST(got.bytes.size() == n, "for " << n);
        BOOST_TEST(got.bytes.starts_with("HTTP/1.1 200 OK\r\n"));
        BOOST_TEST(got.end != boost::asio::error::eof); // abrupt, not a clean TLS close
        if (n == 20u)
            BOOST_TEST(got.bytes.find("\r\n\r\n") == std::string::npos); // mid-head
        else
            BOOST_TEST(got.bytes.find("\r\n\r\n") < n); // mid-body
    }
}

BOOST_AUTO_TEST_CASE(truncate_body) {
    ot::raw_client c(ot::shared_emulator());
    c.write(with_fault(gen_body, "truncate-body"));
    auto got = c.read_until_end(std::chrono::milliseconds(5000));
    BOOST_TEST(!got.timed_out);
    auto r = ot::parse_response(got.bytes);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->status == 200u);
    BOOST_TEST(!r->complete);
    std::size_t announced = std::stoul(r->header("content-length"));
    BOOST_TEST(got.bytes.size() - r->head_size < announced);
    BOOST_TEST(r->header("connection") == "close");
}

BOOST_AUTO_TEST_CASE(malformed_json) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "malformed-json");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("content-type") == "application/json");
    BOOST_TEST(r.body.starts_with("{\"created\":"));
    boost::system::error_code ec;
    json::parse(r.body, ec);
    BOOST_TEST(ec.failed());
    // The connection stays usable.
    BOOST_TEST(c.request("POST", "/v1/images/generations", gen_body).status == 200u);
}

BOOST_AUTO_TEST_CASE(html_502) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "html-502");
    BOOST_TEST(r.status == 502u);
    BOOST_TEST(r.header("content-type") == "text/html");
    BOOST_TEST(r.body.find("<html>") != std::string::npos);
    boost::system::error_code ec;
    json::parse(r.body, ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_CASE(sse_error_after) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "sse-error-after=1", stream_body);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.complete);
    auto events = ot::parse_sse(r.body);
    BOOST_TEST_REQUIRE(events.size() == 2u);
    BOOST_TEST(events[0].event == "image_generation.partial_image");
    BOOST_TEST(events[1].event == "error");
    auto err = json::parse(events[1].data).at("error");
    BOOST_TEST(err.at("type").as_string() == "server_error");
    BOOST_TEST(err.at("message").is_string());
}

BOOST_AUTO_TEST_CASE(sse_cut_after) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "sse-cut-after=2", stream_body);
    BOOST_TEST(r.complete); // the body ends cleanly ...
    auto events = ot::parse_sse(r.body);
    BOOST_TEST_REQUIRE(events.size() == 2u); // ... after 2 partials and no completed event
    for (const auto& e : events)
        BOOST_TEST(e.event == "image_generation.partial_image");
}

BOOST_AUTO_TEST_CASE(sse_comments) {
    ot::raw_client c(ot::shared_emulator());
    auto r = fault_request(c, "sse-comments", stream_body);
    std::size_t comments = 0;
    auto events = ot::parse_sse(r.body, &comments);
    BOOST_TEST(events.size() == 4u);
    BOOST_TEST(comments >= 4u);
    BOOST_TEST(r.body.starts_with(":"));
}

BOOST_AUTO_TEST_CASE(sse_line_endings) {
    ot::raw_client c(ot::shared_emulator());
    auto crlf = fault_request(c, "sse-crlf", stream_body);
    BOOST_TEST(crlf.body.find("\r\n\r\n") != std::string::npos);
    BOOST_TEST(std::regex_search(crlf.body, std::regex("[^\r]\n")) == false);
    BOOST_TEST(ot::parse_sse(crlf.body).size() == 4u);
    auto cr = fault_request(c, "sse-cr", stream_body);
    BOOST_TEST(cr.body.find('\n') == std::string::npos);
    BOOST_TEST(cr.body.find("\r\r") != std::string::npos);
    auto events = ot::parse_sse(cr.body);
    BOOST_TEST_REQUIRE(events.size() == 4u);
    BOOST_TEST(events[3].event == "image_generation.completed");
}

BOOST_AUTO_TEST_CASE(sse_split) {
    ot::raw_client c(ot::shared_emulator());
    c.write(with_fault(R"({"model":"gpt-image-1","prompt":"split","stream":true,
                           "quality":"low","size":"1024x1024"})",
                       "sse-split=1000"));
    auto start = clock_type::now();
    std::string all;
    std::vector<std::size_t> pieces;
    while (!ot::parse_response(all).value_or(ot::http_response{}).complete) {
        boost::system::error_code ec;
        std::string piece = c.read_some(ec, std::chrono::milliseconds(5000));
        BOOST_TEST_REQUIRE(!ec, ec.message());
        all += piece;
        pieces.push_back(piece.size());
        BOOST_TEST_REQUIRE((clock_type::now() - start < std::chrono::seconds(20)));
    }
    auto r = ot::parse_response(all);
    BOOST_TEST(ot::parse_sse(r->body).size() == 1u);
    // Each TLS record carries at most one write: after the head, no read exceeds 1000 bytes.
    BOOST_TEST_REQUIRE(pieces.size() > r->body.size() / 1000);
    BOOST_TEST(*std::max_element(pieces.begin() + 1, pieces.end()) <= 1000u);
}

BOOST_AUTO_TEST_CASE(close_without_response) {
    ot::raw_client c(ot::shared_emulator());
    c.write(with_fault(gen_body, "close-without-response"));
    auto got = c.read_until_end(std::chrono::milliseconds(5000));
    BOOST_TEST(!got.timed_out);
    BOOST_TEST(got.bytes.empty());
}

BOOST_AUTO_TEST_CASE(global_fault_flag) {
    ot::emulator_process emu({"--fault", "status=503;times=1", "--fault", "delay-headers-ms=1"});
    ot::raw_client c(emu);
    BOOST_TEST(c.request("POST", "/v1/images/generations", gen_body).status == 503u);
    BOOST_TEST(c.request("POST", "/v1/images/generations", gen_body).status == 200u);
    // A header replaces the global specs.
    c.write(with_fault(gen_body, "html-502"));
    BOOST_TEST(c.read_response().status == 502u);
}

BOOST_AUTO_TEST_SUITE_END()
