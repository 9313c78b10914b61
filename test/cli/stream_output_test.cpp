// The CLI's stream consumer (generate/edit --stream): an event of a type newer than the library
// is printed by --json as an "unknown_event" line with its data, and writes no file.
#include "codec/base64.hpp"
#include "stream_output.hpp"
#include "stream_vectors/stream_test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace openai::test;

namespace {

std::string sse(const std::string& type, const std::string& data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
}

// Captures std::cout while alive.
struct capture_stdout {
    std::ostringstream text;
    std::streambuf* old = std::cout.rdbuf(text.rdbuf());
    ~capture_stdout() { std::cout.rdbuf(old); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(stream_output)

BOOST_AUTO_TEST_CASE(json_prints_unknown_events) {
    raw_stream_server server;
    const std::string png("\x89PNG\r\n\x1a\nfinal", 13);
    canned_response c;
    c.add(sse("image_generation.heartbeat",
              R"({"type":"image_generation.heartbeat","sequence_number":4})"));
    c.add(sse("image_generation.completed", R"({"type":"image_generation.completed","b64_json":")" +
                                                openai::codec::base64_encode(png) +
                                                R"(","output_format":"png"})"));
    server.add("cli-unknown", std::move(c));

    const fs::path dir = fs::temp_directory_path() /
                         ("openai_cli_stream_output_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    openai::cli::stream_output_options options;
    options.out_dir = dir;
    options.stem = "fox";
    options.json = true;
    capture_stdout out;
    auto result = run(ioc, [&]() -> asio::awaitable<openai::cli::stream_result> {
        auto stream = co_await client.images().generate_stream(gpt_request(), serve("cli-unknown"),
                                                               asio::use_awaitable);
        co_return co_await openai::cli::consume_stream(stream, options);
    }());
    const std::string printed = out.text.str();
    std::cout.rdbuf(out.old);

    BOOST_TEST(!result.error, result.error.message);
    BOOST_TEST(result.completed);
    BOOST_TEST(result.files.size() == 1u); // the unknown event wrote no file
    std::istringstream lines(printed);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    const auto unknown = boost::json::parse(first).as_object();
    BOOST_TEST(unknown.at("type").as_string() == "unknown_event");
    BOOST_TEST(unknown.at("event").as_string() == "image_generation.heartbeat");
    BOOST_TEST(unknown.at("data").at("sequence_number").to_number<int>() == 4);
    const auto completed = boost::json::parse(second).as_object();
    BOOST_TEST(completed.at("type").as_string() == "event");
    BOOST_TEST(completed.at("event").as_string() == "image_generation.completed");
    std::error_code ec;
    fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_SUITE_END()
