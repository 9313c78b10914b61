// TLS on a raw descriptor: how a peer that is gone, that closes, or that does not speak TLS is
// reported, on a socket pair (no network, no server).
#include "transport/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

using openai::transport::tls_session;
using openai::transport::tls_session_cache;
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

namespace {

// A resumable session as OpenSSL keeps it (an id, a protocol version, a lifetime), without a
// handshake: what the cache decides depends on nothing else.
SSL_SESSION* fake_session(int version, unsigned char id, long age_s = 0, long lifetime_s = 300) {
    SSL_SESSION* s = SSL_SESSION_new();
    BOOST_TEST_REQUIRE(s != nullptr);
    SSL_SESSION_set_protocol_version(s, version);
    const unsigned char session_id[4] = {id, 1, 2, 3};
    SSL_SESSION_set1_id(s, session_id, sizeof session_id);
    SSL_SESSION_set_time(s, static_cast<long>(std::time(nullptr)) - age_s);
    SSL_SESSION_set_timeout(s, lifetime_s);
    return s;
}

struct session_ref {
    SSL_SESSION* s;
    explicit session_ref(SSL_SESSION* session)
        : s(session) {}
    ~session_ref() {
        if (s != nullptr)
            SSL_SESSION_free(s);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(tls_session_cache_rules)

BOOST_AUTO_TEST_CASE(tls_1_3_tickets_are_used_once_newest_first_but_the_last) {
    client_context c;
    auto cache = tls_session_cache::for_context(c.ctx.get());
    BOOST_TEST_REQUIRE(cache != nullptr);
    SSL_SESSION* older = fake_session(TLS1_3_VERSION, 1);
    SSL_SESSION* newer = fake_session(TLS1_3_VERSION, 2);
    cache->store("a", older);
    cache->store("a", newer);
    BOOST_TEST(cache->size() == 2u);
    session_ref first(cache->take("a"));
    BOOST_TEST(first.s == newer);
    BOOST_TEST(cache->size() == 1u); // used once: gone
    session_ref second(cache->take("a"));
    BOOST_TEST(second.s == older);
    session_ref again(cache->take("a")); // the last one is offered again...
    BOOST_TEST(again.s == older);
    cache->evict("a", older); // ...until the server refuses it
    BOOST_TEST(cache->take("a") == nullptr);
    BOOST_TEST(cache->take("b") == nullptr); // another peer's key finds nothing
}

BOOST_AUTO_TEST_CASE(tls_1_2_sessions_are_reused_until_evicted) {
    client_context c;
    auto cache = tls_session_cache::for_context(c.ctx.get());
    SSL_SESSION* s = fake_session(TLS1_2_VERSION, 1);
    cache->store("a", s);
    {
        session_ref first(cache->take("a"));
        session_ref second(cache->take("a"));
        BOOST_TEST(first.s == s);
        BOOST_TEST(second.s == s);
    }
    cache->evict("a", s); // the server refused it
    BOOST_TEST(cache->take("a") == nullptr);
    BOOST_TEST(cache->size() == 0u);
}

BOOST_AUTO_TEST_CASE(expired_sessions_are_not_offered) {
    client_context c;
    auto cache = tls_session_cache::for_context(c.ctx.get());
    cache->store("a", fake_session(TLS1_3_VERSION, 1, 600, 300));
    BOOST_TEST(cache->take("a") == nullptr);
    BOOST_TEST(cache->size() == 0u);
}

BOOST_AUTO_TEST_CASE(the_cache_is_bounded_per_peer_and_in_peers) {
    client_context c;
    auto cache = tls_session_cache::for_context(c.ctx.get(), 2, 3);
    for (unsigned char i = 0; i < 10; ++i)
        cache->store("a", fake_session(TLS1_3_VERSION, i));
    BOOST_TEST(cache->size() == 3u); // the newest three
    cache->store("b", fake_session(TLS1_3_VERSION, 20));
    session_ref used(cache->take("a"));                  // "a" becomes the most recently used peer
    cache->store("c", fake_session(TLS1_3_VERSION, 30)); // "b" goes
    BOOST_TEST(cache->take("b") == nullptr);
    session_ref from_c(cache->take("c"));
    BOOST_TEST(from_c.s != nullptr);
    BOOST_TEST(cache->size() == 3u); // two left of "a", and "c"'s last one
}

BOOST_AUTO_TEST_CASE(a_context_with_its_own_callback_gets_no_cache) {
    client_context c;
    SSL_CTX_sess_set_new_cb(c.ctx.get(), [](SSL*, SSL_SESSION*) { return 0; });
    BOOST_TEST(tls_session_cache::for_context(c.ctx.get()) == nullptr);
    client_context ours;
    BOOST_TEST(tls_session_cache::for_context(ours.ctx.get()) != nullptr);
    // A second cache for the same context (another client sharing it) is allowed: each keeps
    // its own sessions.
    BOOST_TEST(tls_session_cache::for_context(ours.ctx.get()) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
