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

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;
using SSL_SESSION = struct ssl_session_st;

namespace openai::transport {

struct tls_socket_link; // the BIO's view of the socket (tls_session.cpp)

// How many handshakes were full and how many resumed a session (for client_stats and tests).
struct tls_handshake_counters {
    std::atomic<std::uint64_t> full{0};
    std::atomic<std::uint64_t> resumed{0};
};

// Client TLS sessions kept per peer, so that a later connection to the same peer resumes
// (TLS 1.3 tickets, TLS 1.2 session ids or tickets) instead of a full handshake: no certificate
// chain to send and verify, no signature, one round trip less.
//
// OpenSSL hands every new session to a callback on the SSL_CTX (SSL_CTX_sess_set_new_cb); the
// tls_session that owns the SSL receives it and stores it here only once its handshake succeeded
// with the peer verified (a session from a handshake that failed, or that was not verified, is
// never offered). A session offered and refused by the server (a full handshake instead), or
// offered on a handshake that failed, is evicted. TLS 1.3 tickets are used once each while others
// remain (RFC 8446 C.4; every connection brings new ones), the last one again until the server
// refuses it or newer ones arrive (as Go's and OpenSSL's own client caches reuse them: a burst of
// connections must not outrun the tickets); TLS 1.2 sessions are reused until refused or expired.
//
// Keys name the peer as the pool does (scheme, host, port, and the proxy for tunnels) plus the
// SNI name and the verification mode. One cache serves one SSL_CTX only (a pool's): sessions are
// never offered across contexts (other trust stores, other client certificates). Bounded: at
// most `per_peer` sessions per key and `peers` keys (least recently used dropped first).
//
// Thread safety: all members may be called from any thread (a mutex held for bookkeeping only).
class tls_session_cache {
public:
    static constexpr std::size_t default_peers = 64;
    static constexpr std::size_t default_per_peer = 16;

    // Installs the session callback on `ctx` and returns a cache for it; nullptr when the context
    // already has a new-session callback of its caller's (theirs is left alone: no resumption).
    static std::shared_ptr<tls_session_cache> for_context(SSL_CTX* ctx,
                                                          std::size_t peers = default_peers,
                                                          std::size_t per_peer = default_per_peer);
    ~tls_session_cache();

    tls_session_cache(const tls_session_cache&) = delete;
    tls_session_cache& operator=(const tls_session_cache&) = delete;

    SSL_CTX* context() const noexcept { return ctx_; }

    // A session to offer to `key` (one reference for the caller), or nullptr: the newest. A
    // TLS 1.3 session leaves the cache unless it is the last; expired ones are dropped on the way.
    SSL_SESSION* take(const std::string& key);
    // Keeps `session` for `key`, taking over the caller's reference.
    void store(const std::string& key, SSL_SESSION* session);
    // Forgets `session` (refused or failed); the caller keeps its reference.
    void evict(const std::string& key, SSL_SESSION* session);
    // Sessions held in all (for tests).
    std::size_t size() const;

private:
    tls_session_cache(SSL_CTX* ctx, std::size_t peers, std::size_t per_peer);
    struct peer {
        std::vector<SSL_SESSION*> sessions;   // newest at the back
        std::list<std::string>::iterator lru; // position in lru_
    };
    void drop(peer& p) noexcept;

    SSL_CTX* ctx_;
    std::size_t max_peers_;
    std::size_t max_per_peer_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, peer> peers_;
    std::list<std::string> lru_; // most recently used at the front
};

class tls_session {
public:
    // Prepares a client session for `server_name` (SNI for DNS names; with peer verification on
    // in `ctx`, the certificate must match the name or IP literal). Throws std::bad_alloc when
    // OpenSSL cannot allocate.
    //
    // With a `cache` (made for `ctx`), a session kept for `peer_key` is offered, and sessions the
    // server issues are kept under that key once the handshake succeeded verified.
    tls_session(SSL_CTX* ctx, const std::string& server_name,
                std::shared_ptr<tls_session_cache> cache = nullptr,
                const std::string& peer_key = {});
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

    // After a successful handshake: whether it resumed an earlier session (OpenSSL's
    // SSL_session_reused).
    bool resumed() const noexcept { return resumed_; }

private:
    friend struct tls_session_access;
    // Classifies the result `ret` of an SSL_* call and fills `ec` on failure.
    step classify(int ret, boost::system::error_code& ec) noexcept;
    // The handshake's outcome: keeps or evicts sessions accordingly.
    void handshake_finished(bool ok) noexcept;
    // From OpenSSL's new-session callback; true when the session's reference was taken.
    bool on_new_session(SSL_SESSION* session) noexcept;

    SSL* ssl_ = nullptr;
    std::unique_ptr<tls_socket_link> link_;
    std::shared_ptr<tls_session_cache> cache_; // null: no resumption
    std::string peer_key_;
    SSL_SESSION* offered_ = nullptr;    // the session offered in this handshake (our reference)
    std::vector<SSL_SESSION*> pending_; // issued before the handshake finished (TLS 1.2)
    enum class phase { handshaking, verified, unverified, failed };
    phase phase_ = phase::handshaking;
    bool resumed_ = false;
};

} // namespace openai::transport
