// openai-images generate, the program, tells whether a failed request may have been billed: each
// outcome (not_sent, refused, unknown) in its words on stderr and in the --json error line; an
// answer lost after the request was sent is not retried unless --retry-unknown asks for it.
#include "cli_process.hpp"
#include "integration/raw_client.hpp"
#include "support/emulator_process.hpp"
#include "workspace.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;
using openai::test::cli_process;
using openai::test::emulator_process;

namespace {

// The e2e tests' temporary directory, named after this file's tests.
struct workspace : openai::test::workspace {
    workspace()
        : openai::test::workspace("outcome-e2e") {}
};

struct run_result {
    int status = -1;
    std::string out;
    std::string err;
};

run_result generate(const std::string& base_url, const fs::path& ca_file, const workspace& ws,
                    const std::string& tag, std::vector<std::string> args) {
    args.insert(args.begin(), "generate");
    args.insert(args.end(), {"--base-url", base_url, "--ca-file", ca_file.string(), "--out",
                             (ws.path / tag).string(), "--model", "dall-e-2", "--size", "256x256",
                             "--response-format", "b64_json"});
    cli_process p(args, ws.path, tag, {"OPENAI_API_KEY=sk-outcome"});
    run_result r;
    r.status = p.wait();
    r.out = p.out();
    r.err = p.err();
    BOOST_TEST_MESSAGE(tag << " exited " << r.status << "; stderr: " << r.err);
    return r;
}

std::size_t sent(const emulator_process& emu, const std::string& prompt) {
    openai::test::raw_client raw(emu);
    auto r = raw.request("GET", "/v1/_emulator/requests");
    BOOST_TEST_REQUIRE(r.status == 200u);
    const json::value log = r.json(); // kept: the loop below reads into it
    std::size_t n = 0;
    for (const auto& rec : log.at("requests").as_array()) {
        const auto* body = rec.as_object().if_contains("body");
        if (body && body->is_object())
            if (const auto* p = body->as_object().if_contains("prompt");
                p && p->is_string() && p->as_string() == prompt)
                ++n;
    }
    return n;
}

std::string outcome_of_json_error(const std::string& out) {
    boost::system::error_code ec;
    auto v = json::parse(out.substr(0, out.find('\n')), ec);
    BOOST_TEST_REQUIRE(!ec, "not a JSON line: " << out);
    const auto& o = v.as_object();
    BOOST_TEST(o.at("type").as_string() == "error");
    return std::string(o.at("outcome").as_string());
}

// A loopback port with nothing listening: bound, then closed.
unsigned short closed_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

} // namespace

BOOST_AUTO_TEST_SUITE(outcome_e2e, *boost::unit_test::label("e2e"))

BOOST_AUTO_TEST_CASE(generate_says_whether_a_failure_may_have_been_billed) {
    emulator_process emu({"--log-capacity", "1000", "--fault",
                          "prompt-contains=[lost];reset-after-bytes=300;times=1;per-prompt",
                          "--fault", "prompt-contains=[refused];status=400"});
    workspace ws;
    const auto base = emu.base_url() + "/v1";

    // Sent whole, the answer lost: unknown, one attempt, not sent again.
    auto r = generate(base, emu.ca_file(), ws, "lost", {"--prompt", "[lost] a"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("outcome: unknown") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("may have been processed and billed") != std::string::npos, r.err);
    BOOST_TEST(sent(emu, "[lost] a") == 1u);
    r = generate(base, emu.ca_file(), ws, "lost-json", {"--prompt", "[lost] b", "--json"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(outcome_of_json_error(r.out) == "unknown");
    BOOST_TEST(sent(emu, "[lost] b") == 1u);

    // --retry-unknown: the library sends it again and the second answer arrives.
    r = generate(base, emu.ca_file(), ws, "opted-in", {"--prompt", "[lost] c", "--retry-unknown"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(sent(emu, "[lost] c") == 2u);
    BOOST_TEST(!fs::is_empty(ws.path / "opted-in"));

    // An error status: refused, nothing made.
    r = generate(base, emu.ca_file(), ws, "refused", {"--prompt", "[refused] d", "--json"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(outcome_of_json_error(r.out) == "refused");
    r = generate(base, emu.ca_file(), ws, "refused-text", {"--prompt", "[refused] e"});
    BOOST_TEST(r.err.find("outcome: refused") != std::string::npos, r.err);

    // Nothing listening: not sent, nothing billed.
    const auto nowhere = "https://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
    r = generate(nowhere, emu.ca_file(), ws, "not-sent", {"--prompt", "f", "--max-retries", "0"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("outcome: not sent") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("sk-outcome") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
