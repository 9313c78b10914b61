// A server that goes away while the client is still sending a large upload: the write fails
// with a closed connection that names what was being sent, over TLS and plain TCP, and the
// process lives on (a send to a vanished peer must never raise SIGPIPE in the user's program,
// which this test process does not ignore).
#include "client_fixture.hpp"
#include "emulator/certificates.hpp"
#include "emulator/image_synth.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace asio = boost::asio;
namespace em = openai::emulator;
using namespace openai::test;

namespace {

// Accepts connections, (for TLS) completes the handshake, reads about 64 KiB of the request and
// resets the connection.
struct vanishing_server {
    asio::io_context ioc;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
    std::filesystem::path ca_file;
    bool use_tls;
    std::thread thread;

    explicit vanishing_server(bool with_tls)
        : use_tls(with_tls) {
        const auto material = em::make_tls_material();
        tls.use_certificate_chain(asio::buffer(material.server_cert_pem));
        tls.use_private_key(asio::buffer(material.server_key_pem), asio::ssl::context::pem);
        ca_file = std::filesystem::temp_directory_path() /
                  ("vanishing-ca-" + std::to_string(::getpid()) + ".pem");
        std::ofstream(ca_file) << material.ca_cert_pem;
        accept();
        thread = std::thread([this] { ioc.run(); });
    }
    ~vanishing_server() {
        asio::post(ioc, [this] { acceptor.close(); });
        thread.join();
        std::filesystem::remove(ca_file);
    }

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
            if (ec)
                return;
            auto sock = std::make_shared<asio::ip::tcp::socket>(std::move(s));
            if (use_tls) {
                auto stream =
                    std::make_shared<asio::ssl::stream<asio::ip::tcp::socket&>>(*sock, tls);
                stream->async_handshake(asio::ssl::stream_base::server,
                                        [stream, sock](boost::system::error_code hec) {
                                            if (!hec)
                                                read_then_reset(stream, sock);
                                        });
            } else {
                read_then_reset(sock, sock);
            }
            accept();
        });
    }

    template <class Stream>
    static void read_then_reset(std::shared_ptr<Stream> stream,
                                std::shared_ptr<asio::ip::tcp::socket> sock) {
        auto buffer = std::make_shared<std::vector<char>>(64 * 1024);
        asio::async_read(*stream, asio::buffer(*buffer),
                         [stream, sock, buffer](boost::system::error_code, std::size_t) {
                             boost::system::error_code ignored;
                             sock->set_option(asio::socket_base::linger(true, 0), ignored);
                             sock->close(ignored); // RST: the client's next writes fail
                         });
    }

    std::string base_url() const {
        return std::string(use_tls ? "https" : "http") +
               "://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1";
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(peer_gone)

BOOST_AUTO_TEST_CASE(a_server_that_resets_during_an_upload_fails_the_write_cleanly) {
    // The default action of SIGPIPE kills the process: the test relies on it staying default.
    struct sigaction current {};
    ::sigaction(SIGPIPE, nullptr, &current);
    BOOST_TEST_REQUIRE((current.sa_handler == SIG_DFL));

    em::image_spec spec;
    spec.prompt = "upload";
    spec.width = spec.height = 1024;
    spec.format = em::image_format::png;
    spec.payload_bytes = 16 * 1024 * 1024;
    const auto image = em::synthesize(spec).bytes;

    for (const bool tls : {true, false}) {
        BOOST_TEST_CONTEXT("tls " << tls) {
            vanishing_server server(tls);
            asio::io_context ioc;
            openai::client_config config;
            config.api_key = test_api_key;
            config.base_url = server.base_url();
            config.tls.ca_file = server.ca_file.string();
            config.retry.max_retries = 1;
            config.retry.initial_backoff = std::chrono::milliseconds(5);
            openai::client client(ioc.get_executor(), config);

            openai::edit_request req;
            req.prompt = "vanish";
            req.model = openai::models::gpt_image_1;
            req.images.emplace_back(openai::image_file::from_bytes(image, "big.png"));
            openai::error_info info;
            auto [ec, r] = run(ioc, client.images().edit(std::move(req), info,
                                                         asio::as_tuple(asio::use_awaitable)));
            BOOST_TEST(ec == openai::errc::connection_closed, ec.message() << ": " << info.message);
            BOOST_TEST(info.message.find("sending the request") != std::string::npos, info.message);
            // Cut before its last byte left: the server cannot have processed it, so it is
            // retried even for a call that creates images, under the default policy.
            BOOST_TEST(info.outcome == openai::request_outcome::not_sent);
            BOOST_TEST(info.attempts == 2u);
            check_no_secret(info);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
