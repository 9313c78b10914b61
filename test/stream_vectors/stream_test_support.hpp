// Shared pieces of the raw-server stream tests: a client configured for the server, running a
// coroutine to completion, and draining a stream into what it yielded and how it ended.
#pragma once

#include "raw_stream_server.hpp"

#include <openai/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace openai::test {

inline client_config config_for(const raw_stream_server& server) {
    client_config config;
    config.api_key = "sk-raw-test";
    config.base_url = server.base_url();
    config.retry.max_retries = 0;
    return config;
}

template <class T>
T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> aw) {
    auto future = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
}

// Everything a stream yielded, and how it ended.
struct drained {
    bool opened = false;
    std::vector<image_event> events;
    error_info error;       // of the opening, or of the next() that failed
    bool clean_end = false; // next() yielded nullopt
    response_metadata meta; // of the opened stream
};

inline boost::asio::awaitable<void> drain_into(image_stream& stream, drained& out) {
    out.opened = true;
    out.meta = stream.metadata();
    for (;;) {
        auto [ec, ev] =
            co_await stream.next(out.error, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec)
            co_return;
        if (!ev) {
            out.clean_end = true;
            co_return;
        }
        out.events.push_back(std::move(*ev));
    }
}

inline boost::asio::awaitable<drained> drain_generation(images images, generate_request req,
                                                        request_options options = {}) {
    drained out;
    auto [ec, stream] =
        co_await images.generate_stream(std::move(req), std::move(options), out.error,
                                        boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec)
        co_return out;
    co_await drain_into(stream, out);
    co_return out;
}

inline boost::asio::awaitable<drained> drain_edit(images images, edit_request req,
                                                  request_options options = {}) {
    drained out;
    auto [ec, stream] =
        co_await images.edit_stream(std::move(req), std::move(options), out.error,
                                    boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec)
        co_return out;
    co_await drain_into(stream, out);
    co_return out;
}

// Per-call options naming the canned response.
inline request_options serve(const std::string& name) {
    request_options o;
    o.extra_headers.emplace_back("x-test-stream", name);
    return o;
}

inline generate_request gpt_request(int partial_images = 0) {
    generate_request req;
    req.prompt = "a stream";
    req.model = "gpt-image-1";
    req.partial_images = partial_images;
    return req;
}

} // namespace openai::test
