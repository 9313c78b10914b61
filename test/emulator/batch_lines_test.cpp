// The Batch API's JSONL: input lines checked one by one (each bad line reported with its number,
// like a batch's `errors.data`), and the output and error lines' shapes.
#include "emulator/batch_lines.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

namespace em = openai::emulator;
namespace json = boost::json;

namespace {

constexpr std::string_view generations = "/v1/images/generations";

std::string line(const std::string& id, const std::string& url = "/v1/images/generations",
                 const std::string& method = "POST") {
    return R"({"custom_id":")" + id + R"(","method":")" + method + R"(","url":")" + url +
           R"(","body":{"prompt":"p"}})";
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_batch_lines)

BOOST_AUTO_TEST_CASE(good_input) {
    auto in =
        em::parse_batch_input(line("a") + "\n\n" + line("b") + "\r\n" + line("c"), generations);
    BOOST_TEST(in.errors.empty());
    BOOST_TEST_REQUIRE(in.requests.size() == 3u);
    BOOST_TEST(in.requests[0].custom_id == "a");
    BOOST_TEST(in.requests[0].line == 1u);
    BOOST_TEST(in.requests[1].line == 3u); // the blank line still counts
    BOOST_TEST(in.requests[2].line == 4u);
    BOOST_TEST(in.requests[2].body.at("prompt").as_string() == "p");
}

BOOST_AUTO_TEST_CASE(every_bad_line_is_listed) {
    std::string text =
        line("a") + "\n" +                                                       // 1 ok
        "{not json\n" +                                                          // 2
        R"(["an array"])" + "\n" +                                               // 3
        R"({"method":"POST","url":"/v1/images/generations","body":{}})" + "\n" + // 4
        line("a") + "\n" +                                                       // 5 duplicate
        line("e", "/v1/images/edits") + "\n" +                                   // 6 other endpoint
        line("g", "/v1/images/generations", "GET") + "\n" +                      // 7
        R"({"custom_id":"n","method":"POST","url":"/v1/images/generations"})" + "\n" + // 8 no body
        R"({"custom_id":7,"method":"POST","url":"/v1/images/generations","body":{}})";
    auto in = em::parse_batch_input(text, generations);
    std::map<std::size_t, em::batch_line_error> by_line;
    for (const auto& e : in.errors) {
        BOOST_TEST_REQUIRE(e.line.has_value());
        by_line.emplace(*e.line, e);
    }
    BOOST_TEST(by_line.size() == 8u);
    BOOST_TEST(by_line.at(2).code == "invalid_json_line");
    BOOST_TEST(by_line.at(3).code == "invalid_json_line");
    BOOST_TEST(by_line.at(4).code == "missing_required_parameter");
    BOOST_TEST(*by_line.at(4).param == "custom_id");
    BOOST_TEST(by_line.at(5).code == "duplicate_custom_id");
    BOOST_TEST(by_line.at(6).code == "invalid_url");
    BOOST_TEST(*by_line.at(6).param == "url");
    BOOST_TEST(by_line.at(7).code == "invalid_value");
    BOOST_TEST(*by_line.at(7).param == "method");
    BOOST_TEST(*by_line.at(8).param == "body");
    BOOST_TEST(*by_line.at(9).param == "custom_id");
    BOOST_TEST(in.requests.size() == 1u);
}

BOOST_AUTO_TEST_CASE(empty_file) {
    for (std::string_view text : {"", "\n\n  \n"}) {
        auto in = em::parse_batch_input(text, generations);
        BOOST_TEST_REQUIRE(in.errors.size() == 1u);
        BOOST_TEST(in.errors[0].code == "empty_file");
        BOOST_TEST(!in.errors[0].line.has_value());
    }
}

BOOST_AUTO_TEST_CASE(output_and_error_lines) {
    em::byte_list body;
    body.add(std::string(R"({"created":1,"data":[]})"));
    std::string out =
        em::batch_response_line("batch_req_1", "id \"quoted\"", 200, "req_9", body).flatten();
    BOOST_TEST(out.back() == '\n');
    auto o = json::parse(out).as_object();
    BOOST_TEST(o.at("id").as_string() == "batch_req_1");
    BOOST_TEST(o.at("custom_id").as_string() == "id \"quoted\"");
    BOOST_TEST(o.at("response").at("status_code").as_int64() == 200);
    BOOST_TEST(o.at("response").at("request_id").as_string() == "req_9");
    BOOST_TEST(o.at("response").at("body").at("created").as_int64() == 1);
    BOOST_TEST(o.at("error").is_null());

    std::string err = em::batch_error_line("batch_req_2", "x", "batch_expired", "too late");
    auto e = json::parse(err).as_object();
    BOOST_TEST(e.at("response").is_null());
    BOOST_TEST(e.at("error").at("code").as_string() == "batch_expired");
    BOOST_TEST(e.at("error").at("message").as_string() == "too late");
}

BOOST_AUTO_TEST_SUITE_END()
