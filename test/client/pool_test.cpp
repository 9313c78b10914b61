// The connection pool under load, TLS verification, cancellation at each phase, and a
// multi-threaded io_context.
#include "client_fixture.hpp"
#include "emulator/certificates.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace asio = boost::asio;
namespace em = openai::emulator;
using namespace openai::test;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

openai::generate_request small_request(const std::string& prompt = "pool") {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = "gpt-image-1-mini";
    req.quality = "low";
    return req;
}

std::uint64_t stat(const boost::json::object& s, const char* name) {
    return s.at(name).to_number<std::uint64_t>();
}

// A loopback listener that accepts TCP connections and never says a word: a TLS handshake with
// it hangs until cancelled or timed out.
struct silent_server {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
    std::vector<asio::ip::tcp::socket> accepted;
    std::thread thread;

    silent_server() {
        accept();
        thread = std::thread([this] { ioc.run(); });
    }
    ~silent_server() {
        asio::post(ioc, [this] {
            acceptor.close();
            accepted.clear();
        });
        thread.join();
    }
    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
            if (ec)
                return;
            accepted.push_back(std::move(s));
            accept();
        });
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
};

// A TLS server presenting a certificate for another host name, signed by a CA we write to disk.
struct wrong_host_server {
    asio::io_context ioc;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
    std::filesystem::path ca_file;
    std::thread thread;

    wrong_host_server() {
        auto ca = em::make_certificate_authority();
        auto cert = em::make_wrong_host_certificate(ca, "wrong.example");
        tls.use_certificate_chain(asio::buffer(cert.cert_pem));
        tls.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
        ca_file = std::filesystem::temp_directory_path() /
                  ("wrong-host-ca-" + std::to_string(::getpid()) + ".pem");
        std::ofstream(ca_file) << ca.cert_pem;
        acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
            if (ec)
                return;
            auto stream =
                std::make_shared<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(s), tls);
            stream->async_handshake(asio::ssl::stream_base::server,
                                    [stream](boost::system::error_code) {});
        });
        thread = std::thread([this] { ioc.run(); });
    }
    ~wrong_host_server() {
        asio::post(ioc, [this] { acceptor.close(); });
        thread.join();
        std::filesystem::remove(ca_file);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(pool)

BOOST_AUTO_TEST_CASE(two_hundred_requests_share_four_connections) {
    emulator_process emu; // its own, so that its connection counters are ours alone
    asio::io_context ioc;
    auto config = config_for(emu);
    config.pool.max_connections_per_origin = 4;
    openai::client client(ioc.get_executor(), config);
    std::atomic<int> ok = 0;
    std::atomic<int> failed = 0;
    auto worker = [&](int count) -> asio::awaitable<void> {
        for (int i = 0; i < count; ++i) {
            openai::error_info info;
            auto [ec, r] = co_await client.images().generate(small_request(), info,
                                                             asio::as_tuple(asio::use_awaitable));
            (ec ? failed : ok) += 1;
        }
    };
    for (int w = 0; w < 16; ++w)
        asio::co_spawn(ioc, worker(200 / 16 + (w < 200 % 16 ? 1 : 0)), asio::detached);
    ioc.run();
    BOOST_TEST(ok.load() == 200);
    BOOST_TEST(failed.load() == 0);
    const auto s = emulator_stats(emu);
    BOOST_TEST(stat(s, "connections_accepted") <= 4u + 1u); // + our stats probe
    BOOST_TEST(client.stats().connections_created <= 4u);
    BOOST_TEST(client.stats().connections_idle <= 4u);
    BOOST_TEST(client.stats().requests_waiting == 0u);
}

BOOST_AUTO_TEST_CASE(an_unknown_certificate_authority_is_refused) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.ca_file.clear(); // the system store does not know the emulator's CA
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(
        ioc, client.images().generate(small_request(), info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::certificate_verification_failed);
    BOOST_TEST(info.attempts == 1u); // not retried
    BOOST_TEST(info.message.find("certificate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
    wrong_host_server server;
    asio::io_context ioc;
    openai::client_config config;
    config.api_key = test_api_key;
    config.base_url =
        "https://127.0.0.1:" + std::to_string(server.acceptor.local_endpoint().port()) + "/v1";
    config.tls.ca_file = server.ca_file.string();
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(
        ioc, client.images().generate(small_request(), info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::certificate_verification_failed);
    BOOST_TEST(info.message.find("127.0.0.1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unreadable_ca_file_is_refused_at_construction) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.tls.ca_file = "/nonexistent/ca.pem";
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(), config), std::invalid_argument);
    config.tls.ca_file.clear();
    config.base_url = "ftp://example.com";
    BOOST_CHECK_THROW(openai::client(ioc.get_executor(), config), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(cancelling_a_request_waiting_for_a_connection) {
    asio::io_context ioc;
    auto config = config_for(emulator());
    config.pool.max_connections_per_origin = 1;
    openai::client client(ioc.get_executor(), config);
    bool slow_ok = false;
    bool cancelled = false;
    auto slow = [&]() -> asio::awaitable<void> {
        auto r = co_await client.images().generate(
            small_request(), tagged(unique_key("hold"), "delay-headers-ms=6000"),
            asio::use_awaitable);
        slow_ok = r.data.size() == 1;
    };
    auto waiting = [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
        co_await timer.async_wait(asio::use_awaitable); // the slow one holds the only connection
        BOOST_TEST(client.stats().connections_in_use == 1u);
        asio::steady_timer deadline(co_await asio::this_coro::executor, 100ms);
        const auto start = std::chrono::steady_clock::now();
        auto result = co_await (client.images().generate(small_request(), asio::use_awaitable) ||
                                deadline.async_wait(asio::use_awaitable));
        cancelled = result.index() == 1;
        BOOST_TEST(
            (std::chrono::steady_clock::now() - start < 4000ms)); // not after the slow one (6 s)
        BOOST_TEST(client.stats().requests_waiting == 0u);
    };
    asio::co_spawn(ioc, slow(), asio::detached);
    asio::co_spawn(ioc, waiting(), asio::detached);
    ioc.run();
    BOOST_TEST(slow_ok);
    BOOST_TEST(cancelled);
    // The pool still works after both.
    auto r = run(ioc, client.images().generate(small_request(), asio::use_awaitable));
    BOOST_TEST(r.data.size() == 1u);
}

BOOST_AUTO_TEST_CASE(cancelling_during_the_tls_handshake) {
    silent_server server;
    asio::io_context ioc;
    openai::client_config config;
    config.api_key = test_api_key;
    config.base_url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v1";
    config.tls.ca_file = emulator().ca_file().string();
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    boost::system::error_code ec;
    // Cancel explicitly through a cancellation signal once the deadline passed.
    asio::cancellation_signal signal;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto [e, r] = co_await client.images().generate(small_request(), info,
                                                            asio::as_tuple(asio::use_awaitable));
            ec = e;
        },
        asio::bind_cancellation_slot(signal.slot(), asio::detached));
    asio::steady_timer timer(ioc, 200ms);
    timer.async_wait(
        [&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    BOOST_TEST(ec == asio::error::operation_aborted);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s)); // the server never answers
}

BOOST_AUTO_TEST_CASE(a_silent_server_hits_the_handshake_timeout) {
    silent_server server;
    asio::io_context ioc;
    openai::client_config config;
    config.api_key = test_api_key;
    config.base_url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v1";
    config.tls.ca_file = emulator().ca_file().string();
    config.timeouts.tls_handshake = 200ms;
    config.retry.max_retries = 0;
    openai::client client(ioc.get_executor(), config);
    openai::error_info info;
    auto [ec, r] = run(
        ioc, client.images().generate(small_request(), info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::tls_handshake_timeout);
}

BOOST_AUTO_TEST_CASE(cancelling_after_the_request_was_sent_closes_the_connection) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    // Warm one connection up.
    run(ioc, client.images().generate(small_request(), asio::use_awaitable));
    BOOST_TEST(client.stats().connections_created == 1u);
    BOOST_TEST(client.stats().connections_idle == 1u);
    auto racer = [&]() -> asio::awaitable<std::size_t> {
        asio::steady_timer deadline(co_await asio::this_coro::executor, 150ms);
        auto result =
            co_await (client.images().generate(
                          small_request(), tagged(unique_key("cancel"), "delay-headers-ms=30000"),
                          asio::use_awaitable) ||
                      deadline.async_wait(asio::use_awaitable));
        co_return result.index();
    };
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(run(ioc, racer()) == 1u);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s)); // the server would take 30 s
    // The cancelled exchange's connection is gone, not back in the pool.
    BOOST_TEST(client.stats().connections_idle == 0u);
    BOOST_TEST(client.stats().connections_in_use == 0u);
    run(ioc, client.images().generate(small_request(), asio::use_awaitable));
    BOOST_TEST(client.stats().connections_created == 2u);
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_is_replaced_without_a_retry) {
    // Plain HTTP, so that a restarted server on the same port is trusted as before.
    auto first = std::make_unique<emulator_process>(std::vector<std::string>{}, false);
    const auto port = first->port();
    asio::io_context ioc;
    openai::client_config config;
    config.api_key = test_api_key;
    config.base_url = first->base_url() + "/v1";
    config.retry.max_retries = 0; // replacing a dead idle connection must not need a retry
    openai::client client(ioc.get_executor(), config);
    run(ioc, client.images().generate(small_request(), asio::use_awaitable));
    BOOST_TEST(client.stats().connections_idle == 1u);

    first.reset(); // the server goes away, closing the idle connection
    emulator_process second({"--port", std::to_string(port)}, false);
    auto r = run(ioc, client.images().generate(small_request(), asio::use_awaitable));
    BOOST_TEST(r.meta.attempts == 1u);
    BOOST_TEST(client.stats().connections_created == 2u);
}

BOOST_AUTO_TEST_CASE(a_multi_threaded_io_context_serves_a_thousand_requests,
                     *boost::unit_test::label("threads")) {
    asio::thread_pool threads(4);
    auto config = config_for(emulator());
    config.pool.max_connections_per_origin = 8;
    openai::client client(threads.get_executor(), config);
    std::atomic<int> ok = 0;
    std::atomic<int> failed = 0;
    auto worker = [&](int count) -> asio::awaitable<void> {
        for (int i = 0; i < count; ++i) {
            openai::error_info info;
            auto [ec, r] = co_await client.images().generate(small_request("mt"), info,
                                                             asio::as_tuple(asio::use_awaitable));
            if (ec)
                BOOST_TEST_MESSAGE("failed: " << info.message);
            (ec || r.data.size() != 1 ? failed : ok) += 1;
        }
    };
    for (int w = 0; w < 32; ++w)
        asio::co_spawn(threads, worker(1000 / 32 + (w < 1000 % 32 ? 1 : 0)), asio::detached);
    threads.join();
    BOOST_TEST(ok.load() == 1000);
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(client.stats().connections_created <= 8u);
}

BOOST_AUTO_TEST_SUITE_END()
