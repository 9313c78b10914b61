// A deliberately raw HTTP/1.1 client for the emulator's integration tests: it writes bytes it
// is given and reports the bytes that come back (piece by piece, with arrival times), so that the
// tests see the wire itself (framing, faults) rather than what a friendly library makes of it.
// TLS peers are verified against the emulator's ca.pem and the host name. Every operation has
// a timeout, so a misbehaving server fails a test instead of hanging it.
#pragma once

#include "support/emulator_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace openai::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// A parsed response (from raw bytes).
struct http_response {
    unsigned status = 0;
    std::multimap<std::string, std::string> headers; // names in lowercase
    std::string body;                                // de-chunked when chunked
    bool chunked = false;
    bool complete = false; // the body ended as announced (length reached / final chunk)
    std::size_t head_size = 0;

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string("<absent>") : it->second;
    }
    boost::json::value json() const { return boost::json::parse(body); }
};

/// Parses one response from the start of `raw`; returns nullopt until the head is complete.
/// `consumed` is set to the bytes the response took (head and body so far).
inline std::optional<http_response> parse_response(std::string_view raw,
                                                   std::size_t* consumed = nullptr) {
    auto end = raw.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return std::nullopt;
    http_response r;
    r.head_size = end + 4;
    std::string_view head = raw.substr(0, end);
    auto line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.1 "))
        throw std::runtime_error("bad status line: " + std::string(status_line));
    r.status = static_cast<unsigned>(std::stoul(std::string(status_line.substr(9, 3))));
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        auto next = head.find("\r\n", pos);
        std::string_view line =
            head.substr(pos, next == std::string_view::npos ? head.size() - pos : next - pos);
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            throw std::runtime_error("bad header line: " + std::string(line));
        std::string name(line.substr(0, colon));
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        r.headers.emplace(name, std::string(value));
        pos = next == std::string_view::npos ? head.size() : next + 2;
    }
    std::string_view body = raw.substr(r.head_size);
    std::size_t used = 0;
    if (r.header("transfer-encoding") == "chunked") {
        r.chunked = true;
        std::size_t p = 0;
        for (;;) {
            auto crlf = body.find("\r\n", p);
            if (crlf == std::string_view::npos)
                break;
            std::size_t n = std::stoul(std::string(body.substr(p, crlf - p)), nullptr, 16);
            if (n == 0) {
                if (body.size() >= crlf + 4) {
                    r.complete = true;
                    p = crlf + 4;
                }
                break;
            }
            if (body.size() < crlf + 2 + n + 2)
                break;
            r.body.append(body.substr(crlf + 2, n));
            p = crlf + 2 + n + 2;
        }
        used = p;
    } else if (r.header("content-length") != "<absent>") {
        std::size_t n = std::stoul(r.header("content-length"));
        r.body = std::string(body.substr(0, n));
        r.complete = body.size() >= n;
        used = r.body.size();
    } else {
        r.body = std::string(body);
        used = body.size();
    }
    if (consumed)
        *consumed = r.head_size + used;
    return r;
}

/// Server-sent events from a body (WHATWG rules, enough for the emulator's output): each event's
/// type and data; comment lines counted.
struct sse_event_seen {
    std::string event;
    std::string data;
};

inline std::vector<sse_event_seen> parse_sse(std::string_view body,
                                             std::size_t* comments = nullptr) {
    std::vector<sse_event_seen> out;
    sse_event_seen cur;
    bool has_data = false;
    std::size_t pos = 0;
    if (comments)
        *comments = 0;
    while (pos < body.size()) {
        auto eol = body.find_first_of("\r\n", pos);
        if (eol == std::string_view::npos)
            break; // an unterminated line is not dispatched
        std::string_view line = body.substr(pos, eol - pos);
        pos = eol + 1;
        if (body[eol] == '\r' && pos < body.size() && body[pos] == '\n')
            ++pos;
        if (line.empty()) {
            if (has_data) {
                if (cur.event.empty())
                    cur.event = "message";
                out.push_back(cur);
            }
            cur = {};
            has_data = false;
            continue;
        }
        if (line.front() == ':') {
            if (comments)
                ++*comments;
            continue;
        }
        auto colon = line.find(':');
        std::string_view field = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        if (field == "event")
            cur.event = std::string(value);
        else if (field == "data") {
            if (has_data)
                cur.data += '\n';
            cur.data += value;
            has_data = true;
        }
    }
    return out;
}

/// What came back on a connection until it ended (or the timeout).
struct raw_reply {
    std::string bytes;
    std::vector<std::size_t> pieces; // sizes of the reads, in order
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    boost::system::error_code end; // eof, reset, stream_truncated ... (or timed_out)
    bool timed_out = false;
};

class raw_client {
public:
    explicit raw_client(const emulator_process& emu, std::chrono::milliseconds timeout = 10s)
        : timeout_(timeout)
        , ssl_ctx_(ssl::context::tls_client) {
        tcp::resolver resolver(ioc_);
        auto endpoints = resolver.resolve(emu.host(), std::to_string(emu.port()));
        if (emu.tls()) {
            ssl_ctx_.load_verify_file(emu.ca_file().string());
            ssl_ctx_.set_verify_mode(ssl::verify_peer);
            tls_.emplace(ioc_, ssl_ctx_);
            tls_->set_verify_callback(ssl::host_name_verification(emu.host()));
            check("connect", run([&](auto done) {
                      asio::async_connect(tls_->next_layer(), endpoints, done);
                  }));
            check("TLS handshake",
                  run([&](auto done) { tls_->async_handshake(ssl::stream_base::client, done); }));
        } else {
            plain_.emplace(ioc_);
            check("connect",
                  run([&](auto done) { asio::async_connect(*plain_, endpoints, done); }));
        }
        socket().set_option(tcp::no_delay(true));
    }

    tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

    void write(std::string_view bytes) {
        auto ec = run([&](auto done) {
            if (tls_)
                asio::async_write(*tls_, asio::buffer(bytes), done);
            else
                asio::async_write(*plain_, asio::buffer(bytes), done);
        });
        if (ec)
            throw std::runtime_error("write failed: " + ec.message());
    }

    /// One read; returns the bytes (empty with `ec` set at the end or on timeout).
    std::string read_some(boost::system::error_code& ec, std::chrono::milliseconds timeout) {
        std::string buf(64 * 1024, '\0');
        std::size_t got = 0;
        ec = run(
            [&](auto done) {
                auto handler = [&, done](boost::system::error_code e, std::size_t n) mutable {
                    got = n;
                    done(e);
                };
                if (tls_)
                    tls_->async_read_some(asio::buffer(buf), handler);
                else
                    plain_->async_read_some(asio::buffer(buf), handler);
            },
            timeout);
        buf.resize(got);
        return buf;
    }

    /// Reads until the peer ends the connection (or `timeout` passes without it).
    raw_reply read_until_end(std::chrono::milliseconds timeout = 10s) {
        raw_reply r;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                r.timed_out = true;
                return r;
            }
            boost::system::error_code ec;
            std::string piece = read_some(ec, left);
            if (!piece.empty()) {
                r.bytes += piece;
                r.pieces.push_back(piece.size());
                r.arrivals.push_back(std::chrono::steady_clock::now());
            }
            if (ec) {
                r.end = ec;
                r.timed_out = ec == asio::error::timed_out;
                return r;
            }
        }
    }

    /// Reads one complete response (keeps what follows for the next call).
    http_response read_response(std::chrono::milliseconds timeout = 10s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            std::size_t used = 0;
            if (auto r = parse_response(pending_, &used); r && r->complete && r->status != 100) {
                pending_.erase(0, used);
                return *r;
            } else if (r && r->status == 100) {
                pending_.erase(0, r->head_size);
                continue;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                throw std::runtime_error("no complete response in time; got " +
                                         std::to_string(pending_.size()) + " bytes");
            boost::system::error_code ec;
            std::string piece = read_some(ec, left);
            pending_ += piece;
            if (ec && piece.empty())
                throw std::runtime_error(
                    "connection ended before a complete response: " + ec.message() + " (after " +
                    std::to_string(pending_.size()) + " bytes)");
        }
    }

    /// Sends a request and reads the response.
    http_response request(const std::string& method, const std::string& target,
                          const std::string& body = {},
                          const std::string& content_type = "application/json",
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        write(request_bytes(method, target, body, content_type, headers));
        return read_response();
    }

    static std::string
    request_bytes(const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        std::string r = method + " " + target + " HTTP/1.1\r\nhost: 127.0.0.1\r\n" +
                        "authorization: Bearer sk-test\r\n";
        for (const auto& [n, v] : headers)
            r += n + ": " + v + "\r\n";
        if (!body.empty() || method == "POST")
            r += "content-type: " + content_type +
                 "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n";
        return r + "\r\n" + body;
    }

private:
    static void check(const char* what, boost::system::error_code ec) {
        if (ec)
            throw std::runtime_error(std::string(what) + " failed: " + ec.message());
    }

    // Runs one asynchronous operation to completion or timeout (then cancels it).
    template <class Start>
    boost::system::error_code run(Start start, std::optional<std::chrono::milliseconds> t = {}) {
        std::optional<boost::system::error_code> result;
        start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run_for(t.value_or(timeout_));
        if (!result) {
            boost::system::error_code ignored;
            socket().cancel(ignored);
            ioc_.restart();
            ioc_.run_for(1s);
            return asio::error::timed_out;
        }
        return *result;
    }

    std::chrono::milliseconds timeout_;
    asio::io_context ioc_;
    ssl::context ssl_ctx_;
    std::optional<ssl::stream<tcp::socket>> tls_;
    std::optional<tcp::socket> plain_;
    std::string pending_;
};

} // namespace openai::test
