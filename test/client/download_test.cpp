// client::download: URL results streamed to files through the client's pool, retried like API
// calls, expired URLs reported as such, and no credentials sent to the URL's host.
#include "client_fixture.hpp"
#include "emulator/image_probe.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
namespace em = openai::emulator;
namespace fs = std::filesystem;
using namespace openai::test;

namespace {

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("openai-download-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(path))
            out.push_back(e.path().filename().string());
        return out;
    }
};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string url_result(openai::client& client, asio::io_context& ioc, const std::string& prompt) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = openai::models::dall_e_2;
    req.size = "256x256";
    req.response_format = "url";
    auto r = run(ioc, client.images().generate(req, asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST_REQUIRE(r.data[0].url.has_value());
    return *r.data[0].url;
}

// A one-request plain HTTP server on loopback that records the request head it got.
class recording_server {
public:
    explicit recording_server(std::string body)
        : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0})
        , thread_([this, body = std::move(body)] {
            asio::ip::tcp::socket s(ioc_);
            acceptor_.accept(s);
            asio::streambuf buf;
            asio::read_until(s, buf, "\r\n\r\n");
            head_ = std::string(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
            const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                                         "Content-Length: " +
                                         std::to_string(body.size()) +
                                         "\r\nConnection: close\r\n\r\n" + body;
            asio::write(s, asio::buffer(response));
        }) {}
    ~recording_server() {
        if (thread_.joinable())
            thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    // The lower-cased head, once the request was served.
    std::string head() {
        thread_.join();
        std::string h = head_;
        for (auto& c : h)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return h;
    }

private:
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::string head_;
    std::thread thread_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(download)

BOOST_AUTO_TEST_CASE(a_url_result_streams_to_a_file) {
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto url = url_result(client, ioc, "A downloaded lighthouse");

    const auto target = dir.path / "lighthouse.png";
    auto r = run(ioc, client.download(url, target, asio::use_awaitable));
    BOOST_TEST(r.path == target);
    BOOST_TEST(r.content_type == "image/png");
    BOOST_TEST(r.meta.http_status == 200);
    const auto bytes = read(target);
    BOOST_TEST(r.size == bytes.size());
    raw_client raw(emulator());
    const auto direct = raw.request("GET", url.substr(emulator().base_url().size()));
    BOOST_TEST((bytes == direct.body)); // exactly what the server holds
    const auto info = em::probe(bytes);
    BOOST_TEST(info.width == 256u);
    BOOST_TEST(dir.names() == std::vector<std::string>{"lighthouse.png"});

    // Downloading again (with the default token, awaited) replaces the file and reuses the
    // pooled connection.
    const auto before = client.stats().connections_created;
    run(ioc, [&]() -> asio::awaitable<void> {
        openai::download_result again = co_await client.download(url, target);
        BOOST_TEST(again.size == bytes.size());
    }());
    BOOST_TEST(read(target) == bytes);
    BOOST_TEST(client.stats().connections_created == before);
}

BOOST_AUTO_TEST_CASE(a_failed_download_is_retried) {
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto url = url_result(client, ioc, "Retried download");
    const auto key = unique_key("dl-retry");
    auto r = run(ioc, client.download(url, dir.path / "r.png", tagged(key, "status=503;times=1"),
                                      asio::use_awaitable));
    BOOST_TEST(r.meta.attempts == 2u);
    BOOST_TEST(r.size > 0u);
    BOOST_TEST(logged_requests(emulator(), key).size() == 2u);

    // Cut mid-body, then retried into a fresh temporary: the file is whole.
    const auto key2 = unique_key("dl-reset");
    auto r2 = run(ioc, client.download(url, dir.path / "cut.png",
                                       tagged(key2, "reset-after-bytes=300;times=1"),
                                       asio::use_awaitable));
    BOOST_TEST(r2.meta.attempts == 2u);
    BOOST_TEST(read(dir.path / "cut.png") == read(dir.path / "r.png"));
    BOOST_TEST(dir.names().size() == 2u); // no temporaries left
}

BOOST_AUTO_TEST_CASE(an_expired_url_is_reported_clearly) {
    emulator_process emu({"--url-ttl-ms", "150"});
    scratch dir;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emu));
    const auto url = url_result(client, ioc, "Short-lived");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));

    openai::error_info info;
    auto [ec, r] = run(ioc, client.download(url, dir.path / "late.png", info,
                                            asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::not_found);
    BOOST_TEST(info.http_status == 404);
    BOOST_TEST(info.message.find("expired") != std::string::npos, info.message);
    BOOST_TEST(info.message.find("/files/") != std::string::npos, info.message);
    BOOST_TEST(info.attempts == 1u); // a 404 is not retried
    BOOST_TEST(dir.names().empty()); // nothing left behind

    // The throwing form carries the same facts.
    try {
        run(ioc, client.download(url, dir.path / "late.png", asio::use_awaitable));
        BOOST_FAIL("expected an exception");
    } catch (const openai::request_error& e) {
        BOOST_TEST(e.code() == openai::errc::not_found);
        BOOST_TEST(e.http_status() == 404);
    }
}

BOOST_AUTO_TEST_CASE(downloads_carry_no_credentials_and_hide_the_query) {
    scratch dir;
    const std::string body = "\x89PNG\r\n\x1a\n-pretend-image-bytes";
    recording_server server(body);
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.organization = "org-secret";
    config.default_headers = {{"X-Team-Token", "team-secret"}};
    openai::client client(ioc.get_executor(), config);
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) +
                            "/container/img.png?sig=SIGNATURE&se=2030";
    auto r = run(ioc, client.download(url, dir.path / "plain.png", asio::use_awaitable));
    BOOST_TEST(r.size == body.size());
    BOOST_TEST(read(dir.path / "plain.png") == body);
    const auto head = server.head();
    BOOST_TEST(head.starts_with("get /container/img.png?sig=signature&se=2030 http/1.1\r\n"), head);
    BOOST_TEST(head.find("authorization") == std::string::npos, head);
    BOOST_TEST(head.find("api-key") == std::string::npos, head);
    BOOST_TEST(head.find("openai-organization") == std::string::npos, head);
    BOOST_TEST(head.find("team-secret") == std::string::npos, head);
    BOOST_TEST(head.find(test_api_key) == std::string::npos, head);
}

BOOST_AUTO_TEST_CASE(failures_never_show_the_query) {
    scratch dir;
    asio::io_context ioc;
    auto config = config_for(emulator());
    std::vector<std::string> paths;
    config.on_attempt = [&](const openai::attempt_record& rec) { paths.push_back(rec.path); };
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] =
        run(ioc, client.download(emulator().base_url() + "/files/none.png?sig=SECRET",
                                 dir.path / "x.png", info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::not_found);
    BOOST_TEST(info.message.find("SECRET") == std::string::npos, info.message);
    BOOST_TEST(info.message.find("/files/none.png") != std::string::npos, info.message);
    BOOST_TEST_REQUIRE(paths.size() == 1u);
    BOOST_TEST(paths[0] == "/files/none.png");

    const char* bad[] = {"ftp://example.com/x.png", "not a url", "https:///nohost",
                         "http://user:pw@example.com/x.png"};
    for (const char* url : bad) {
        auto [bec, br] = run(ioc, client.download(url, dir.path / "x.png", info,
                                                  asio::as_tuple(asio::use_awaitable)));
        BOOST_TEST(bec == openai::errc::invalid_request, url);
        BOOST_TEST(info.message.find("pw") == std::string::npos, info.message);
    }
    BOOST_TEST(dir.names().empty());
}

BOOST_AUTO_TEST_SUITE_END()
