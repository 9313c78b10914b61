// A raw plain-HTTP server for stream tests: each request names, in its `x-test-stream` header,
// a canned response registered beforehand, which is written byte-exact, each body piece in a
// write of its own (then a short pause), framed by chunked transfer or Content-Length, and
// optionally cut short or left hanging. Runs on a thread of its own.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace openai::test {

struct canned_response {
    enum class framing {
        chunked,     // each piece one chunk, then the last chunk
        length,      // Content-Length of all pieces
        chunked_cut, // chunks, then the connection closes without the last chunk
        length_cut,  // a Content-Length larger than what is sent, then the connection closes
        hang,        // chunks, then silence with the connection open (until the server stops)
    };

    int status = 200;
    std::string content_type = "text/event-stream";
    std::string request_id = "req_test";
    std::vector<std::shared_ptr<const std::string>> pieces;
    framing frame = framing::chunked;
    std::chrono::milliseconds pause{1}; // after each piece
    bool keep_alive = true;

    canned_response& add(std::string piece) {
        pieces.push_back(std::make_shared<const std::string>(std::move(piece)));
        return *this;
    }
    // The body cut at the given byte offsets (the shared vectors' `chunks`).
    static canned_response split(const std::string& body, const std::vector<std::size_t>& offsets,
                                 framing frame = framing::chunked) {
        canned_response r;
        r.frame = frame;
        std::size_t from = 0;
        for (std::size_t at : offsets) {
            if (at > from && at <= body.size()) {
                r.add(body.substr(from, at - from));
                from = at;
            }
        }
        if (from < body.size())
            r.add(body.substr(from));
        return r;
    }
};

class raw_stream_server {
public:
    raw_stream_server() {
        accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~raw_stream_server() {
        ioc_.stop();
        thread_.join();
    }

    raw_stream_server(const raw_stream_server&) = delete;
    raw_stream_server& operator=(const raw_stream_server&) = delete;

    void add(const std::string& name, canned_response response) {
        std::lock_guard lock(mutex_);
        responses_[name] = std::move(response);
    }

    std::string base_url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v1";
    }
    std::size_t connections_accepted() const { return accepted_.load(); }
    std::uint64_t bytes_written() const { return written_.load(); }
    std::size_t responses_finished() const { return finished_.load(); }
    // The last request's target and body (e.g. to check that stream=true went out).
    std::string last_target() const {
        std::lock_guard lock(mutex_);
        return last_target_;
    }
    std::string last_body() const {
        std::lock_guard lock(mutex_);
        return last_body_;
    }

private:
    using tcp = boost::asio::ip::tcp;
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec)
                return;
            ++accepted_;
            socket.set_option(tcp::no_delay(true), ec);
            boost::asio::co_spawn(ioc_, serve(std::move(socket)), boost::asio::detached);
            accept();
        });
    }

    awaitable<bool> write(tcp::socket& s, const std::string& bytes) {
        boost::system::error_code ec;
        const auto n = co_await boost::asio::async_write(
            s, boost::asio::buffer(bytes),
            boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        written_ += n;
        co_return !ec;
    }

    awaitable<void> pause(std::chrono::milliseconds d) {
        if (d.count() <= 0)
            co_return;
        boost::asio::steady_timer timer(ioc_, d);
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }

    awaitable<void> serve(tcp::socket socket) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> request;
            boost::system::error_code ec;
            co_await http::async_read(socket, buffer, request,
                                      boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec)
                co_return;
            canned_response r;
            {
                std::lock_guard lock(mutex_);
                last_target_ = std::string(request.target());
                last_body_ = request.body();
                auto it = responses_.find(std::string(request["x-test-stream"]));
                if (it == responses_.end()) {
                    r.status = 404;
                    r.content_type = "application/json";
                    r.frame = canned_response::framing::length;
                    r.add(
                        R"({"error":{"message":"no such test stream","type":"invalid_request_error","param":null,"code":null}})");
                } else {
                    r = it->second;
                }
            }
            using framing = canned_response::framing;
            const bool chunked = r.frame == framing::chunked || r.frame == framing::chunked_cut ||
                                 r.frame == framing::hang;
            std::size_t total = 0;
            for (const auto& p : r.pieces)
                total += p->size();
            std::string head = "HTTP/1.1 " + std::to_string(r.status) + " Test\r\n";
            head += "content-type: " + r.content_type + "\r\n";
            head += "x-request-id: " + r.request_id + "\r\n";
            if (chunked)
                head += "transfer-encoding: chunked\r\n";
            else
                head += "content-length: " +
                        std::to_string(total + (r.frame == framing::length_cut ? 100 : 0)) + "\r\n";
            head += r.keep_alive ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n";
            if (!co_await write(socket, head))
                co_return;
            for (const auto& p : r.pieces) {
                if (chunked) {
                    char size[32];
                    std::snprintf(size, sizeof size, "%zx\r\n", p->size());
                    if (!co_await write(socket, size + *p + "\r\n"))
                        co_return;
                } else if (!co_await write(socket, *p)) {
                    co_return;
                }
                co_await pause(r.pause);
            }
            if (r.frame == framing::hang) {
                co_await pause(std::chrono::seconds(30));
                co_return;
            }
            if (r.frame == framing::chunked_cut || r.frame == framing::length_cut) {
                socket.close(ec);
                ++finished_;
                co_return;
            }
            if (chunked && !co_await write(socket, "0\r\n\r\n"))
                co_return;
            ++finished_;
            if (!r.keep_alive) {
                socket.shutdown(tcp::socket::shutdown_send, ec);
                co_return;
            }
        }
    }

    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_{ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, canned_response> responses_;
    std::string last_target_;
    std::string last_body_;
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::size_t> finished_{0};
};

} // namespace openai::test
