// TLS on a connected TCP socket, driven by OpenSSL directly on the socket's descriptor.
//
// Why not asio::ssl::stream: its engine moves every byte through two fixed 17 KiB buffers and an
// OpenSSL BIO pair (three copies before the plaintext reaches the caller, about 70 KiB per
// connection even when idle) and completes each read through the scheduler one TLS record at a
// time. Here OpenSSL reads the socket itself (read-ahead, so one recv() can bring several
// records), decrypts straight into the caller's buffer, and a read that finds data ready returns
// without suspending. Idle connections hold no record buffers (SSL_MODE_RELEASE_BUFFERS).
//
// The socket stays owned by the caller (the connection); this class only borrows its descriptor,
// through a BIO that sends with MSG_NOSIGNAL (a peer that has gone must not raise SIGPIPE in the
// user's process). The session never waits: each call makes what progress the socket allows and
// says what it needs next, and the connection waits (under its deadline) and calls again. The
// connection must not call it once its socket is closed (the descriptor number may be reused).
//
// Errors use Asio's codes, as asio::ssl::stream reports them: eof after close_notify,
// asio::ssl::error::stream_truncated when the peer closed without it, system errors (e.g.
// connection_reset) from the socket, and the SSL category for protocol failures.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace openai::transport {

struct tls_socket_link; // the BIO's view of the socket (tls_session.cpp)

class tls_session {
public:
    // Prepares a client session for `server_name` (SNI for DNS names; with peer verification on
    // in `ctx`, the certificate must match the name or IP literal). Throws std::bad_alloc when
    // OpenSSL cannot allocate.
    tls_session(SSL_CTX* ctx, const std::string& server_name);
    ~tls_session();

    tls_session(const tls_session&) = delete;
    tls_session& operator=(const tls_session&) = delete;

    SSL* native_handle() const noexcept { return ssl_; }

    // What an operation needs next: it finished, it waits for the socket to become readable or
    // writable (then the caller calls it again), or it failed with `ec` set.
    enum class step { done, want_read, want_write, failed };

    // Binds the session to a connected socket's descriptor (the socket must be non-blocking).
    void attach(int fd) noexcept;

    // One attempt at each operation; none of them blocks.
    step handshake(boost::system::error_code& ec);
    // Decrypts into `buffer` (at least one byte when done): every record already received, up to
    // the buffer's size, so one call takes what one recv() brought.
    step read(boost::asio::mutable_buffer buffer, std::size_t& read, boost::system::error_code& ec);
    // Encrypts and sends part or all of `buffer`; `written` says how much.
    step write(boost::asio::const_buffer buffer, std::size_t& written,
               boost::system::error_code& ec);

    // True when decrypted application data is waiting inside OpenSSL (bytes the caller has not
    // read yet).
    bool has_unread_plaintext() const noexcept;

private:
    // Classifies the result `ret` of an SSL_* call and fills `ec` on failure.
    step classify(int ret, boost::system::error_code& ec) noexcept;

    SSL* ssl_ = nullptr;
    std::unique_ptr<tls_socket_link> link_;
};

} // namespace openai::transport
