// Wire plans: exact bytes of unary and streamed replies, and what each byte-level fault does to
// them (line endings, comments, error/cut, malformed JSON, truncation, split/drip/reset fields).
#include "emulator/api_errors.hpp"
#include "emulator/reply.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <regex>

namespace em = openai::emulator;

namespace {

em::fault_spec parse(std::string_view text) {
    std::string error;
    auto spec = em::parse_fault_spec(text, error);
    BOOST_TEST_REQUIRE(spec.has_value(), error);
    return *spec;
}

em::reply unary(std::string body) {
    em::reply r;
    r.headers.emplace_back("x-request-id", "req_1");
    r.body.add(std::move(body));
    return r;
}

// A stream of `partials` partial events and one completed event.
em::reply stream(unsigned partials) {
    em::reply r;
    r.stream = true;
    r.content_type = "text/event-stream; charset=utf-8";
    for (unsigned i = 0; i < partials; ++i) {
        em::sse_event ev{"image_generation.partial_image", {}, true};
        ev.data.add("{\"i\":" + std::to_string(i) + "}");
        r.events.push_back(std::move(ev));
    }
    em::sse_event done{"image_generation.completed", {}, false};
    done.data.add("{\"done\":true}");
    r.events.push_back(std::move(done));
    r.stream_error_json =
        R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})";
    return r;
}

std::string head_of(const std::string& wire) {
    return wire.substr(0, wire.find("\r\n\r\n") + 4);
}
std::string body_of(const std::string& wire) {
    return wire.substr(wire.find("\r\n\r\n") + 4);
}

// Undoes chunked framing (strictly: sizes in hex, CRLF after each).
std::string dechunk(const std::string& body, bool& terminated) {
    std::string out;
    std::size_t pos = 0;
    terminated = false;
    while (pos < body.size()) {
        auto crlf = body.find("\r\n", pos);
        BOOST_TEST_REQUIRE(crlf != std::string::npos);
        std::size_t n = std::stoul(body.substr(pos, crlf - pos), nullptr, 16);
        pos = crlf + 2;
        if (n == 0) {
            BOOST_TEST(body.substr(pos) == "\r\n");
            terminated = true;
            return out;
        }
        out += body.substr(pos, n);
        pos += n;
        BOOST_TEST_REQUIRE(body.substr(pos, 2) == "\r\n");
        pos += 2;
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(wire_plans)

BOOST_AUTO_TEST_CASE(unary_reply_head_and_body) {
    em::wire_plan plan = em::make_wire_plan(unary(R"({"ok":true})"), nullptr, true);
    std::string wire = plan.flatten();
    BOOST_TEST(wire.starts_with("HTTP/1.1 200 OK\r\n"));
    std::string head = head_of(wire);
    BOOST_TEST(head.find("\r\ncontent-type: application/json\r\n") != std::string::npos);
    BOOST_TEST(head.find("\r\nx-request-id: req_1\r\n") != std::string::npos);
    BOOST_TEST(head.find("\r\ncontent-length: 11\r\n") != std::string::npos);
    BOOST_TEST(head.find("\r\nconnection: keep-alive\r\n") != std::string::npos);
    BOOST_TEST(std::regex_search(head, std::regex("\r\ndate: [A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} "
                                                  "\\d{4} \\d\\d:\\d\\d:\\d\\d GMT\r\n")));
    BOOST_TEST(body_of(wire) == R"({"ok":true})");
    BOOST_TEST(!plan.close_after);
    BOOST_TEST(plan.segments.front().body == false);
}

BOOST_AUTO_TEST_CASE(no_keep_alive_closes) {
    em::wire_plan plan = em::make_wire_plan(unary("{}"), nullptr, false);
    BOOST_TEST(plan.close_after);
    BOOST_TEST(plan.flatten().find("\r\nconnection: close\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(latency_and_delay_headers_add_up) {
    em::reply r = unary("{}");
    r.latency = std::chrono::milliseconds(30);
    auto fault = parse("delay-headers-ms=12");
    em::wire_plan plan = em::make_wire_plan(r, &fault, true);
    BOOST_TEST(plan.segments.front().delay.count() == 42);
}

BOOST_AUTO_TEST_CASE(truncate_body_announces_more_than_it_sends) {
    auto fault = parse("truncate-body");
    std::string json(100, 'x');
    em::wire_plan plan = em::make_wire_plan(unary(json), &fault, true);
    std::string wire = plan.flatten();
    std::smatch m;
    std::string head = head_of(wire);
    BOOST_TEST_REQUIRE(std::regex_search(head, m, std::regex("content-length: (\\d+)")));
    BOOST_TEST(std::stoul(m[1]) > body_of(wire).size());
    BOOST_TEST(body_of(wire) == json);
    BOOST_TEST(plan.close_after);
}

BOOST_AUTO_TEST_CASE(cut_body_announces_the_whole_and_sends_the_prefix) {
    em::reply r = unary(std::string(100, 'y'));
    r.cut_body_after = 10;
    em::wire_plan plan = em::make_wire_plan(r, nullptr, true);
    std::string wire = plan.flatten();
    BOOST_TEST(head_of(wire).find("content-length: 100\r\n") != std::string::npos);
    BOOST_TEST(body_of(wire) == std::string(10, 'y'));
    BOOST_TEST(plan.close_after);
    // A cut beyond the body changes nothing.
    r.cut_body_after = 1000;
    em::wire_plan whole = em::make_wire_plan(r, nullptr, true);
    BOOST_TEST(body_of(whole.flatten()) == std::string(100, 'y'));
    BOOST_TEST(!whole.close_after);
}

BOOST_AUTO_TEST_CASE(malformed_json_does_not_parse) {
    auto fault = parse("malformed-json");
    std::string json = R"({"created":1,"data":[{"b64_json":"QUJD"}]})";
    em::wire_plan plan = em::make_wire_plan(unary(json), &fault, true);
    std::string body = body_of(plan.flatten());
    BOOST_TEST(!body.empty());
    BOOST_TEST(json.starts_with(body));
    boost::system::error_code ec;
    boost::json::parse(body, ec);
    BOOST_TEST(ec.failed());
    BOOST_TEST(head_of(plan.flatten()).find("content-length: " + std::to_string(body.size())) !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_json_leaves_errors_alone) {
    auto fault = parse("malformed-json");
    em::reply r = unary(R"({"error":{}})");
    r.status = 400;
    BOOST_TEST(body_of(em::make_wire_plan(r, &fault, true).flatten()) == R"({"error":{}})");
}

BOOST_AUTO_TEST_CASE(stream_framing) {
    em::reply r = stream(2);
    r.event_interval = std::chrono::milliseconds(25);
    em::wire_plan plan = em::make_wire_plan(r, nullptr, true);
    std::string wire = plan.flatten();
    std::string head = head_of(wire);
    BOOST_TEST(head.find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos);
    BOOST_TEST(head.find("content-length") == std::string::npos);
    BOOST_TEST(head.find("content-type: text/event-stream") != std::string::npos);
    bool terminated = false;
    std::string events = dechunk(body_of(wire), terminated);
    BOOST_TEST(terminated);
    BOOST_TEST(events == "event: image_generation.partial_image\ndata: {\"i\":0}\n\n"
                         "event: image_generation.partial_image\ndata: {\"i\":1}\n\n"
                         "event: image_generation.completed\ndata: {\"done\":true}\n\n");
    // head, three events each after the interval, the terminating chunk
    BOOST_TEST(plan.segments.size() == 5u);
    BOOST_TEST(plan.segments[1].delay.count() == 25);
    BOOST_TEST(plan.segments[3].delay.count() == 25);
}

BOOST_AUTO_TEST_CASE(stream_line_endings_and_comments) {
    auto crlf = parse("sse-crlf;sse-comments");
    bool terminated = false;
    std::string events =
        dechunk(body_of(em::make_wire_plan(stream(1), &crlf, true).flatten()), terminated);
    BOOST_TEST(events == ": keep-alive\r\n\r\nevent: image_generation.partial_image\r\ndata: "
                         "{\"i\":0}\r\n\r\n: keep-alive\r\n\r\nevent: "
                         "image_generation.completed\r\ndata: {\"done\":true}\r\n\r\n");
    auto cr = parse("sse-cr");
    events = dechunk(body_of(em::make_wire_plan(stream(0), &cr, true).flatten()), terminated);
    BOOST_TEST(events == "event: image_generation.completed\rdata: {\"done\":true}\r\r");
}

BOOST_AUTO_TEST_CASE(stream_error_after_k_partials) {
    auto fault = parse("sse-error-after=1");
    bool terminated = false;
    std::string events =
        dechunk(body_of(em::make_wire_plan(stream(3), &fault, true).flatten()), terminated);
    BOOST_TEST(terminated);
    BOOST_TEST(events == "event: image_generation.partial_image\ndata: {\"i\":0}\n\n"
                         "event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":"
                         "\"server_error\",\"param\":null,\"code\":null}}\n\n");
    // More than there are partials: the error replaces the completed event.
    auto late = parse("sse-error-after=9");
    events = dechunk(body_of(em::make_wire_plan(stream(1), &late, true).flatten()), terminated);
    BOOST_TEST(events.find("completed") == std::string::npos);
    BOOST_TEST(events.find("event: error\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stream_cut_after_k_partials) {
    auto fault = parse("sse-cut-after=2");
    bool terminated = false;
    std::string events =
        dechunk(body_of(em::make_wire_plan(stream(3), &fault, true).flatten()), terminated);
    BOOST_TEST(terminated); // a clean end of body, only the completed event is missing
    BOOST_TEST(events == "event: image_generation.partial_image\ndata: {\"i\":0}\n\n"
                         "event: image_generation.partial_image\ndata: {\"i\":1}\n\n");
}

BOOST_AUTO_TEST_CASE(stream_truncate_has_no_terminating_chunk) {
    auto fault = parse("truncate-body");
    em::wire_plan plan = em::make_wire_plan(stream(1), &fault, true);
    bool terminated = true;
    std::string events = dechunk(body_of(plan.flatten()), terminated);
    BOOST_TEST(!terminated);
    BOOST_TEST(events.find("completed") != std::string::npos);
    BOOST_TEST(plan.close_after);
}

BOOST_AUTO_TEST_CASE(stream_malformed_first_event) {
    auto fault = parse("malformed-json");
    bool terminated = false;
    std::string events =
        dechunk(body_of(em::make_wire_plan(stream(1), &fault, true).flatten()), terminated);
    BOOST_TEST(events.starts_with("event: image_generation.partial_image\ndata: {\"i\n\n"));
}

BOOST_AUTO_TEST_CASE(transport_faults_become_plan_fields) {
    auto fault = parse("sse-split=7;drip-bytes-per-s=500;reset-after-bytes=99");
    em::wire_plan plan = em::make_wire_plan(stream(1), &fault, true);
    BOOST_TEST(plan.max_write == 7u);
    BOOST_TEST(plan.drip_bytes_per_s == 500u);
    BOOST_TEST(plan.reset_after_bytes.value() == 99u);
    auto close = parse("close-without-response");
    em::wire_plan none = em::make_wire_plan(em::reply{}, &close, true);
    BOOST_TEST(none.no_response);
    BOOST_TEST(none.flatten().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_replies)

BOOST_AUTO_TEST_CASE(status_gives_the_api_error_and_retry_headers) {
    auto fault = parse("status=429;retry-after=2;retry-after-ms=150;x-should-retry=true");
    auto r = em::fault_reply(fault);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->status == 429u);
    auto body = boost::json::parse(r->body.flatten()).as_object();
    BOOST_TEST(body.at("error").at("type").as_string() == "requests");
    BOOST_TEST(body.at("error").at("code").as_string() == "rate_limit_exceeded");
    BOOST_TEST(body.at("error").at("param").is_null());
    BOOST_TEST(!body.at("error").at("message").as_string().empty());
    using h = std::pair<std::string, std::string>;
    BOOST_TEST((r->headers == std::vector<h>{{"retry-after", "2"},
                                             {"retry-after-ms", "150"},
                                             {"x-should-retry", "true"}}));
}

BOOST_AUTO_TEST_CASE(html_502_is_html) {
    auto r = em::fault_reply(parse("html-502"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->status == 502u);
    BOOST_TEST(r->content_type == "text/html");
    BOOST_TEST(r->body.flatten().find("<h1>502 Bad Gateway</h1>") != std::string::npos);
    std::string wire = em::make_wire_plan(*r, nullptr, true).flatten();
    BOOST_TEST(wire.starts_with("HTTP/1.1 502 Bad Gateway\r\n"));
}

BOOST_AUTO_TEST_CASE(byte_faults_do_not_replace_the_reply) {
    BOOST_TEST(!em::fault_reply(parse("truncate-body")).has_value());
    BOOST_TEST(!em::fault_reply(parse("sse-split=3;delay-headers-ms=3")).has_value());
    BOOST_TEST(em::fault_reply(parse("close-without-response")).has_value());
}

BOOST_AUTO_TEST_CASE(server_errors_have_server_error_type) {
    for (unsigned status : {500u, 502u, 503u, 504u}) {
        auto e = em::error_for_status(status);
        BOOST_TEST(e.status == status);
        BOOST_TEST(e.type == "server_error");
    }
    BOOST_TEST(em::error_for_status(401).code.value() == "invalid_api_key");
}

BOOST_AUTO_TEST_SUITE_END()
