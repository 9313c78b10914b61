// openai::client: the entry point. Owns the connection pool, TLS context and configuration that
// every call made through it shares.
//
//   openai::client client{ioc.get_executor(), openai::client_config::from_env()};
//   auto images = client.images();
//   openai::images_response r = co_await images.generate(req);
//
// A client is a cheap handle to shared state: copies share the pool, and operations in flight
// keep that state alive, so destroying the last handle while calls are running is safe (they
// finish normally). Thread safety: a client may be used from any thread, also when its
// io_context runs on several threads.
#pragma once

#include <openai/client_config.hpp>
#include <openai/images.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace openai {

namespace detail {
class client_impl;
} // namespace detail

// Counters of the client's connection pool, for monitoring and tests.
struct client_stats {
    std::size_t connections_created = 0;
    std::size_t connections_idle = 0;
    std::size_t connections_in_use = 0;
    std::size_t requests_waiting = 0; // queued for a connection (per-origin limit reached)
};

class client {
public:
    // Throws std::invalid_argument when the configuration is unusable (bad base URL, unreadable
    // CA file); nothing is connected yet.
    client(boost::asio::any_io_executor executor, client_config config);

    boost::asio::any_io_executor get_executor() const noexcept;
    const client_config& config() const noexcept;

    // The Images API through this client.
    openai::images images() const noexcept;

    client_stats stats() const;

private:
    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai
