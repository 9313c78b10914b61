#include "transport/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <new>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

namespace openai::transport {

namespace asio = boost::asio;
using boost::system::error_code;

// What the BIO needs to reach the socket, and what it saw last (errno is not reliable by the time
// SSL_get_error() is asked).
struct tls_socket_link {
    int fd = -1;
    int last_errno = 0;
    bool eof = false;
};

namespace {

// With read-ahead on, OpenSSL fills its read buffer with whatever the socket has: several TLS
// records per recv() on a busy connection. The buffer is released while the connection idles.
constexpr std::size_t read_ahead_buffer = 64 * 1024;

int link_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    auto* link = static_cast<tls_socket_link*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    for (;;) {
        const auto n = ::send(link->fd, data, size, MSG_NOSIGNAL);
        if (n >= 0) {
            *written = static_cast<std::size_t>(n);
            return 1;
        }
        if (errno == EINTR)
            continue;
        link->last_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(bio);
        return 0;
    }
}

int link_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    auto* link = static_cast<tls_socket_link*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    for (;;) {
        const auto n = ::recv(link->fd, data, size, 0);
        if (n > 0) {
            *read = static_cast<std::size_t>(n);
            return 1;
        }
        if (n == 0) {
            link->eof = true; // OpenSSL asks BIO_eof() to tell a close from an error
            return 0;
        }
        if (errno == EINTR)
            continue;
        link->last_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_read(bio);
        return 0;
    }
}

long link_ctrl(BIO* bio, int cmd, long, void*) {
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; // nothing is buffered here
    case BIO_CTRL_EOF:
        return static_cast<tls_socket_link*>(BIO_get_data(bio))->eof ? 1 : 0;
    default:
        return 0;
    }
}

int link_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* link_method() {
    static const BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "openai-socket");
        if (m == nullptr)
            return static_cast<BIO_METHOD*>(nullptr);
        BIO_meth_set_write_ex(m, link_write);
        BIO_meth_set_read_ex(m, link_read);
        BIO_meth_set_ctrl(m, link_ctrl);
        BIO_meth_set_create(m, link_create);
        return m;
    }();
    return method;
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// Where each SSL finds the tls_session that owns it (for the new-session callback).
int session_owner_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

bool usable(SSL_SESSION* session) noexcept {
    if (SSL_SESSION_is_resumable(session) != 1)
        return false;
    const auto now = static_cast<long>(std::time(nullptr));
    return SSL_SESSION_get_time(session) + SSL_SESSION_get_timeout(session) > now;
}

bool single_use(SSL_SESSION* session) noexcept {
    return SSL_SESSION_get_protocol_version(session) >= TLS1_3_VERSION;
}

} // namespace

// Reaches the private parts of tls_session from OpenSSL's C callback.
struct tls_session_access {
    static int on_new_session(SSL* ssl, SSL_SESSION* session) {
        auto* owner = static_cast<tls_session*>(SSL_get_ex_data(ssl, session_owner_index()));
        return owner != nullptr && owner->on_new_session(session) ? 1 : 0;
    }
};

std::shared_ptr<tls_session_cache> tls_session_cache::for_context(SSL_CTX* ctx, std::size_t peers,
                                                                  std::size_t per_peer) {
    if (ctx == nullptr || session_owner_index() < 0)
        return nullptr;
    auto* const ours = &tls_session_access::on_new_session;
    const auto current = SSL_CTX_sess_get_new_cb(ctx);
    if (current != nullptr && current != ours)
        return nullptr;
    if (current == nullptr) {
        // Client-side caching makes OpenSSL call the callback; its own store stays unused (we
        // keep sessions per peer, it would keep them per context).
        const long mode = SSL_CTX_get_session_cache_mode(ctx);
        SSL_CTX_set_session_cache_mode(ctx, (mode & ~SSL_SESS_CACHE_SERVER) |
                                                SSL_SESS_CACHE_CLIENT |
                                                SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, ours);
    }
    return std::shared_ptr<tls_session_cache>(new tls_session_cache(
        ctx, std::max<std::size_t>(peers, 1), std::max<std::size_t>(per_peer, 1)));
}

tls_session_cache::tls_session_cache(SSL_CTX* ctx, std::size_t peers, std::size_t per_peer)
    : ctx_(ctx)
    , max_peers_(peers)
    , max_per_peer_(per_peer) {
    SSL_CTX_up_ref(ctx_); // sessions belong to it: it must outlive them
}

tls_session_cache::~tls_session_cache() {
    for (auto& [key, p] : peers_)
        drop(p);
    SSL_CTX_free(ctx_);
}

void tls_session_cache::drop(peer& p) noexcept {
    for (auto* s : p.sessions)
        SSL_SESSION_free(s);
    p.sessions.clear();
}

SSL_SESSION* tls_session_cache::take(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = peers_.find(key);
    if (it == peers_.end())
        return nullptr;
    auto& sessions = it->second.sessions;
    while (!sessions.empty()) {
        SSL_SESSION* newest = sessions.back();
        if (!usable(newest)) {
            sessions.pop_back();
            SSL_SESSION_free(newest);
            continue;
        }
        // A TLS 1.3 ticket is used once while others remain; the last one is offered again
        // rather than fall back to a full handshake (a burst of connections opened at once
        // would otherwise outrun the tickets), until the server refuses it or newer ones come.
        if (single_use(newest) && sessions.size() > 1)
            sessions.pop_back(); // the cache's reference passes to the caller
        else
            SSL_SESSION_up_ref(newest);
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return newest;
    }
    return nullptr;
}

void tls_session_cache::store(const std::string& key, SSL_SESSION* session) {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(key);
    if (it == peers_.end()) {
        if (peers_.size() >= max_peers_) {
            auto oldest = peers_.find(lru_.back());
            drop(oldest->second);
            peers_.erase(oldest);
            lru_.pop_back();
        }
        lru_.push_front(key);
        it = peers_.emplace(key, peer{{}, lru_.begin()}).first;
    } else {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    auto& sessions = it->second.sessions;
    if (!single_use(session)) {
        // A TLS 1.2 session replaces the earlier ones: one is enough to resume, again and again.
        drop(it->second);
    } else if (sessions.size() >= max_per_peer_) {
        SSL_SESSION_free(sessions.front());
        sessions.erase(sessions.begin());
    }
    sessions.push_back(session);
}

void tls_session_cache::evict(const std::string& key, SSL_SESSION* session) {
    std::lock_guard lock(mutex_);
    const auto it = peers_.find(key);
    if (it == peers_.end())
        return;
    auto& sessions = it->second.sessions;
    const auto found = std::find(sessions.begin(), sessions.end(), session);
    if (found != sessions.end()) {
        SSL_SESSION_free(*found);
        sessions.erase(found);
    }
}

std::size_t tls_session_cache::size() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, p] : peers_)
        n += p.sessions.size();
    return n;
}

tls_session::tls_session(SSL_CTX* ctx, const std::string& server_name,
                         std::shared_ptr<tls_session_cache> cache, const std::string& peer_key)
    : ssl_(SSL_new(ctx))
    , link_(std::make_unique<tls_socket_link>()) {
    const BIO_METHOD* method = link_method();
    BIO* bio = method ? BIO_new(method) : nullptr;
    if (ssl_ == nullptr || bio == nullptr) {
        BIO_free(bio);
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    BIO_set_data(bio, link_.get());
    SSL_set_bio(ssl_, bio, bio); // the session owns the BIO from here
    SSL_set_connect_state(ssl_);
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
    SSL_set_read_ahead(ssl_, 1);
    SSL_set_default_read_buffer_len(ssl_, read_ahead_buffer);

    const bool ip = is_ip_literal(server_name);
    // SNI carries DNS names only (RFC 6066); IP literals are checked against IP SANs.
    if (!ip)
        SSL_set_tlsext_host_name(ssl_, server_name.c_str());
    if (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (ip)
            X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), server_name.size());
    }

    // Resumption only for the context the cache was made for, and only with the peer verified
    // (a session is as trustworthy as the handshake that made it).
    if (cache && cache->context() == ctx && (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) &&
        SSL_set_ex_data(ssl_, session_owner_index(), this) == 1) {
        cache_ = std::move(cache);
        peer_key_ = peer_key + "|sni=" + server_name +
                    "|verify=" + std::to_string(SSL_get_verify_mode(ssl_));
        offered_ = cache_->take(peer_key_);
        if (offered_ != nullptr && SSL_set_session(ssl_, offered_) != 1) {
            ERR_clear_error();
            SSL_SESSION_free(offered_);
            offered_ = nullptr;
        }
    }
}

tls_session::~tls_session() {
    if (phase_ == phase::handshaking)
        handshake_finished(false); // abandoned mid-way (timeout, cancellation)
    if (cache_)
        SSL_set_ex_data(ssl_, session_owner_index(), nullptr);
    SSL_free(ssl_);
    for (auto* s : pending_)
        SSL_SESSION_free(s);
    if (offered_ != nullptr)
        SSL_SESSION_free(offered_);
}

bool tls_session::on_new_session(SSL_SESSION* session) noexcept {
    if (!cache_)
        return false;
    switch (phase_) {
    case phase::handshaking: // TLS 1.2: issued before the handshake is over
        try {
            pending_.push_back(session);
        } catch (...) {
            return false;
        }
        return true;
    case phase::verified: // TLS 1.3 tickets arrive after it
        try {
            cache_->store(peer_key_, session);
        } catch (...) {
            return false;
        }
        return true;
    case phase::unverified:
    case phase::failed:
        return false;
    }
    return false;
}

void tls_session::handshake_finished(bool ok) noexcept {
    resumed_ = ok && SSL_session_reused(ssl_) == 1;
    const bool verified = ok && SSL_get_verify_result(ssl_) == X509_V_OK;
    phase_ = !ok ? phase::failed : verified ? phase::verified : phase::unverified;
    if (!cache_)
        return;
    if (offered_ != nullptr) {
        // Refused (a full handshake instead) or part of a failed handshake: never offered again.
        // A TLS 1.2 session that resumed stays in the cache; a TLS 1.3 ticket left it when taken.
        if (!resumed_)
            cache_->evict(peer_key_, offered_);
        SSL_SESSION_free(offered_);
        offered_ = nullptr;
    }
    for (auto* s : pending_) {
        if (phase_ == phase::verified) {
            try {
                cache_->store(peer_key_, s);
                continue;
            } catch (...) {
            }
        }
        SSL_SESSION_free(s);
    }
    pending_.clear();
}

bool tls_session::has_unread_plaintext() const noexcept {
    return SSL_pending(ssl_) > 0;
}

tls_session::step tls_session::classify(int ret, error_code& ec) noexcept {
    if (ret > 0)
        return step::done;
    const int reason = SSL_get_error(ssl_, ret);
    switch (reason) {
    case SSL_ERROR_WANT_READ:
        return step::want_read;
    case SSL_ERROR_WANT_WRITE:
        return step::want_write;
    case SSL_ERROR_ZERO_RETURN:
        ec = asio::error::eof; // close_notify: a clean end
        break;
    case SSL_ERROR_SYSCALL:
        if (link_->eof || link_->last_errno == 0)
            ec = asio::ssl::error::stream_truncated;
        else
            ec = error_code(link_->last_errno, boost::system::system_category());
        break;
    default: {
        const unsigned long err = ERR_get_error();
        if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            ec = asio::ssl::error::stream_truncated;
        else if (err != 0)
            ec = error_code(static_cast<int>(err), asio::error::get_ssl_category());
        else
            ec = asio::ssl::error::unspecified_system_error;
        break;
    }
    }
    ERR_clear_error();
    return step::failed;
}

void tls_session::attach(int fd) noexcept {
    link_->fd = fd;
}

tls_session::step tls_session::handshake(error_code& ec) {
    ERR_clear_error();
    link_->last_errno = 0;
    const auto next = classify(SSL_do_handshake(ssl_), ec);
    if (phase_ == phase::handshaking && (next == step::done || next == step::failed))
        handshake_finished(next == step::done);
    return next;
}

tls_session::step tls_session::read(asio::mutable_buffer buffer, std::size_t& read,
                                    error_code& ec) {
    read = 0;
    ERR_clear_error();
    link_->last_errno = 0;
    auto* data = static_cast<char*>(buffer.data());
    const auto next = classify(SSL_read_ex(ssl_, data, buffer.size(), &read), ec);
    if (next != step::done)
        return next;
    // One SSL_read returns one record (16 KiB at most); records already received are decrypted
    // into the same buffer now rather than in further calls.
    while (read < buffer.size() && SSL_has_pending(ssl_)) {
        std::size_t more = 0;
        if (SSL_read_ex(ssl_, data + read, buffer.size() - read, &more) != 1) {
            ERR_clear_error(); // the next call meets the same condition and reports it
            break;
        }
        read += more;
    }
    return step::done;
}

tls_session::step tls_session::write(asio::const_buffer buffer, std::size_t& written,
                                     error_code& ec) {
    written = 0;
    ERR_clear_error();
    link_->last_errno = 0;
    return classify(SSL_write_ex(ssl_, buffer.data(), buffer.size(), &written), ec);
}

} // namespace openai::transport
