// server.cpp: an HTTP server that renders images for its callers through ONE shared
// openai::client, relaying each partial image to its caller as a server-sent event while the
// generation runs. Many callers at once on one io_context and one thread; SIGINT/SIGTERM stop it
// cleanly: no new callers, every session cancelled, exit 0 once all have ended.
//
//   ./example_server [PORT=0]                       # prints: listening on http://127.0.0.1:PORT
//   curl -N http://127.0.0.1:PORT/render -d '{"prompt": "a fox in the snow", "partial_images": 2}'
//
// POST /render with a JSON body: "prompt" (a non-empty string) and "partial_images" (0..3,
// default 2). The answer is `text/event-stream`, one event per image as it arrives, then the end
// of the body (one request per connection):
//
//   event: partial     data: {"index":0,"bytes":51234,"b64":"iVBORw0KGgo..."}
//   event: completed   data: {"total_tokens":1372,"bytes":812345,"b64":"iVBORw0KGgo..."}
//
// A failure once the events have started (the API's error event, a broken connection, the server
// shutting down) ends them with `event: error`, data {"message": "...", "type": "server_error"}
// (a type when the API gave one). A failure before that is an HTTP error with a JSON body
// {"error": {"message": "...", "status": 429, "type": "..."}}: 400 for a bad body, 404, 405, 502
// when the API refused or failed (its HTTP status, if any, inside), 503 when shutting down.
// Configuration as in generate.cpp (OPENAI_API_KEY, OPENAI_BASE_URL, SSL_CERT_FILE).
#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <exception>
#include <iostream>
#include <list>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// The caller's body as a generation request; nullopt with the reason in `why`.
std::optional<openai::generate_request> parse_render(const std::string& body, std::string& why) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* prompt = o ? o->if_contains("prompt") : nullptr;
    if (!prompt || !prompt->is_string() || prompt->get_string().empty()) {
        why = "the body must be a JSON object with a non-empty \"prompt\"";
        return std::nullopt;
    }
    openai::generate_request req;
    req.model = openai::models::gpt_image_1;
    req.prompt = prompt->get_string();
    req.partial_images = 2;
    if (const json::value* n = o->if_contains("partial_images")) {
        if (!n->is_int64() || n->get_int64() < 0 || n->get_int64() > 3) {
            why = "\"partial_images\" must be an integer from 0 to 3";
            return std::nullopt;
        }
        req.partial_images = static_cast<int>(n->get_int64());
    }
    return req;
}

json::object error_object(std::string_view message) {
    return {{"message", message}};
}

// A JSON answer that ends the exchange, before any event was sent.
asio::awaitable<void> reply(beast::tcp_stream& stream, http::status status, json::object error) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = json::serialize(json::object{{"error", std::move(error)}}) + "\n";
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::use_awaitable);
}

// One server-sent event, as one chunk of the chunked body.
asio::awaitable<void> send_event(beast::tcp_stream& stream, std::string_view name,
                                 const json::object& data) {
    std::string text = "event: ";
    text.append(name).append("\ndata: ").append(json::serialize(data)).append("\n\n");
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(text)), asio::use_awaitable);
}

std::string base64(std::string bytes) {
    openai::image img; // its b64_json() is the library's encoder
    img.bytes = std::move(bytes);
    return img.b64_json();
}

// Opens the stream, then relays its events to the caller as they arrive. A caller that hangs up
// is noticed at the next write, which throws: `events` is then destroyed, closing the upstream
// connection, so an abandoned generation is not read to its end.
asio::awaitable<void> render(beast::tcp_stream& stream, openai::images images,
                             openai::generate_request req) {
    const std::string prompt = req.prompt;
    openai::error_info info;
    auto [ec, events] =
        co_await images.generate_stream(std::move(req), info, asio::as_tuple(asio::use_awaitable));
    bool started = false;
    int partials = 0;
    if (!ec) {
        http::response<http::empty_body> head{http::status::ok, 11};
        head.set(http::field::content_type, "text/event-stream");
        head.set(http::field::cache_control, "no-cache");
        head.set("x-upstream-request-id", events.metadata().request_id);
        head.keep_alive(false);
        head.chunked(true);
        http::response_serializer<http::empty_body> sr{head};
        co_await http::async_write_header(stream, sr, asio::use_awaitable);
        started = true;
        for (;;) {
            auto [next_ec, ev] = co_await events.next(info, asio::as_tuple(asio::use_awaitable));
            if (next_ec || !ev) {
                ec = next_ec;
                break;
            }
            if (openai::is_unknown(*ev))
                continue; // an event type newer than this program: nothing to show
            json::object data;
            if (auto index = openai::partial_image_index(*ev))
                data["index"] = *index;
            else if (const openai::image_usage* usage = openai::event_usage(*ev))
                data["total_tokens"] = usage->total_tokens.value_or(0);
            const bool partial = openai::is_partial(*ev);
            data["bytes"] = openai::image_bytes(*ev).size();
            data["b64"] = base64(openai::image_bytes(std::move(*ev)));
            co_await send_event(stream, partial ? "partial" : "completed", data);
            partials += partial;
        }
    }
    if (ec) {
        // operation_aborted: stop() cancelled the call, which closed the upstream stream. The
        // cancellation also makes every later co_await throw; reset it to tell the caller why.
        const bool stopping = ec == asio::error::operation_aborted;
        if (stopping) {
            co_await asio::this_coro::reset_cancellation_state();
            stream.expires_after(2s); // a caller that does not read must not hold up the exit
            info.message = "the server is shutting down";
        }
        std::clog << "render \"" << prompt << "\": " << info.message << '\n';
        json::object error = error_object(info.message);
        if (info.http_status != 0 && !started) // once started, it was a 200
            error["status"] = info.http_status;
        if (info.api && info.api->type)
            error["type"] = *info.api->type; // e.g. "server_error", "invalid_request_error"
        if (!started) {
            co_await reply(stream,
                           stopping ? http::status::service_unavailable : http::status::bad_gateway,
                           std::move(error));
            co_return;
        }
        co_await send_event(stream, "error", error);
    } else {
        std::clog << "render \"" << prompt << "\": " << partials << " partial images, completed\n";
    }
    co_await asio::async_write(stream, http::make_chunk_last(), asio::use_awaitable);
}

// One caller: read its request, answer it, close.
asio::awaitable<void> session(tcp::socket socket, openai::images images) {
    beast::tcp_stream stream(std::move(socket));
    try {
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        stream.expires_after(30s); // a caller that never finishes its request
        co_await http::async_read(stream, buffer, req, asio::use_awaitable);
        stream.expires_never(); // generations take minutes; the client has its own timeouts
        std::string why;
        if (req.target() != "/render")
            co_await reply(stream, http::status::not_found,
                           error_object("no such path; try POST /render"));
        else if (req.method() != http::verb::post)
            co_await reply(stream, http::status::method_not_allowed,
                           error_object("POST /render only"));
        else if (auto job = parse_render(req.body(), why))
            co_await render(stream, images, std::move(*job));
        else
            co_await reply(stream, http::status::bad_request, error_object(why));
    } catch (const std::exception&) {
        // The caller went away, or the shutdown came while reading the request or writing an
        // event: nothing more can be said, the connection just closes.
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// The listening socket and the live sessions, each with the signal that cancels it. Everything
// runs on the io_context's one thread, so nothing here needs a lock.
class server {
public:
    server(asio::io_context& ioc, unsigned short port, openai::images images)
        : acceptor_(ioc, {asio::ip::make_address("127.0.0.1"), port})
        , images_(std::move(images)) {}

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    asio::awaitable<void> listen() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (stopping_)
                co_return;
            if (ec) { // e.g. out of file descriptors: wait a little rather than spin
                std::clog << "accept: " << ec.message() << '\n';
                asio::steady_timer pause(acceptor_.get_executor(), 100ms);
                co_await pause.async_wait(asio::use_awaitable);
                continue;
            }
            auto cancel = sessions_.emplace(sessions_.end());
            asio::co_spawn(
                acceptor_.get_executor(), session(std::move(socket), images_),
                asio::bind_cancellation_slot(cancel->slot(), [this, cancel](std::exception_ptr) {
                    // Erased later: the finished coroutine still holds the slot now.
                    asio::post(acceptor_.get_executor(),
                               [this, cancel] { sessions_.erase(cancel); });
                }));
        }
    }

    // No new callers; every session's pending operation is cancelled, and each ends soon after.
    void stop() {
        stopping_ = true;
        acceptor_.close();
        for (asio::cancellation_signal& cancel : sessions_)
            cancel.emit(asio::cancellation_type::terminal);
    }

private:
    tcp::acceptor acceptor_;
    openai::images images_; // one client (its pool, its TLS context) for every session
    std::list<asio::cancellation_signal> sessions_;
    bool stopping_ = false;
};

int main(int argc, char** argv) {
    int port = 0;
    try {
        if (argc == 2)
            port = std::stoi(argv[1]);
    } catch (const std::exception&) {
        port = -1;
    }
    if (argc > 2 || port < 0 || port > 65535) {
        std::cerr << "usage: example_server [PORT=0]\n";
        return 2;
    }
    try {
        asio::io_context ioc(1);
        openai::client client{ioc.get_executor(), openai::client_config::from_env()};
        server srv(ioc, static_cast<unsigned short>(port), client.images());
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec)
                srv.stop();
        });
        asio::co_spawn(ioc, srv.listen(), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        std::cout << "listening on http://127.0.0.1:" << srv.port() << std::endl;
        ioc.run(); // returns once the listener and every session have ended
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
