// TLS on a raw descriptor: how a peer that is gone, that closes, or that does not speak TLS is
// reported, on a socket pair (no network, no server).
#include "transport/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>
#include <memory>
#include <string>

#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

using openai::transport::tls_session;
namespace asio = boost::asio;

namespace {

struct socket_pair {
    int client = -1;
    int peer = -1;
    socket_pair() {
        int fds[2];
        BOOST_TEST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        client = fds[0];
        peer = fds[1];
        ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
    }
    ~socket_pair() {
        close_peer();
        ::close(client);
    }
    void close_peer() {
        if (peer >= 0)
            ::close(peer);
        peer = -1;
    }
};

struct client_context {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free};
};

} // namespace

BOOST_AUTO_TEST_SUITE(tls_session_on_a_descriptor)

BOOST_AUTO_TEST_CASE(a_peer_that_is_gone_is_a_broken_pipe_not_a_signal) {
    // Sending to a closed AF_UNIX peer raises SIGPIPE unless the send says MSG_NOSIGNAL; the
    // default action would end this process.
    struct sigaction current {};
    ::sigaction(SIGPIPE, nullptr, &current);
    BOOST_TEST_REQUIRE((current.sa_handler == SIG_DFL));

    client_context c;
    socket_pair fds;
    fds.close_peer();
    tls_session session(c.ctx.get(), "localhost");
    session.attach(fds.client);
    boost::system::error_code ec;
    BOOST_TEST((session.handshake(ec) == tls_session::step::failed));
    BOOST_TEST(ec == asio::error::broken_pipe, ec.message());
}

BOOST_AUTO_TEST_CASE(the_handshake_waits_for_the_peer_then_reports_its_close) {
    client_context c;
    socket_pair fds;
    tls_session session(c.ctx.get(), "localhost");
    session.attach(fds.client);
    boost::system::error_code ec;
    // The ClientHello goes out; the answer is not there yet.
    BOOST_TEST((session.handshake(ec) == tls_session::step::want_read));
    BOOST_TEST(!ec);
    char hello[512];
    BOOST_TEST(::read(fds.peer, hello, sizeof hello) > 0);
    BOOST_TEST(hello[0] == 0x16); // a TLS handshake record
    // The peer closes without a word: a truncated stream, as asio::ssl::stream reports it.
    fds.close_peer();
    BOOST_TEST((session.handshake(ec) == tls_session::step::failed));
    BOOST_TEST(ec == asio::ssl::error::stream_truncated, ec.message());
}

BOOST_AUTO_TEST_CASE(a_peer_that_does_not_speak_tls_is_a_protocol_error) {
    client_context c;
    socket_pair fds;
    tls_session session(c.ctx.get(), "localhost");
    session.attach(fds.client);
    boost::system::error_code ec;
    BOOST_TEST((session.handshake(ec) == tls_session::step::want_read));
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    BOOST_TEST(::write(fds.peer, answer.data(), answer.size()) ==
               static_cast<ssize_t>(answer.size()));
    BOOST_TEST((session.handshake(ec) == tls_session::step::failed));
    BOOST_TEST((ec.category() == asio::error::get_ssl_category()), ec.message());
    BOOST_TEST(!ec.message().empty());
}

BOOST_AUTO_TEST_SUITE_END()
