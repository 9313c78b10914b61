#include "transport/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <cerrno>
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

} // namespace

tls_session::tls_session(SSL_CTX* ctx, const std::string& server_name)
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
}

tls_session::~tls_session() {
    SSL_free(ssl_);
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
    return classify(SSL_do_handshake(ssl_), ec);
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
