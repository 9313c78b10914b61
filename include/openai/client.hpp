/// openai::client: the entry point. Owns the connection pool, TLS context and configuration that
/// every call made through it shares.
///
///   openai::client client{ioc.get_executor(), openai::client_config::from_env()};
///   auto images = client.images();
///   openai::images_response r = co_await images.generate(req);
///
/// A client is a cheap handle to shared state: copies share the pool, and operations in flight
/// keep that state alive, so destroying the last handle while calls are running is safe (they
/// finish normally). Thread safety: a client may be used from any thread, also when its
/// io_context runs on several threads.
#pragma once

#include <openai/batches.hpp>
#include <openai/client_config.hpp>
#include <openai/download.hpp>
#include <openai/files.hpp>
#include <openai/images.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace openai {

namespace detail {
class client_impl;
} // namespace detail

/// Counters of the client's connection pool, for monitoring and tests.
struct client_stats {
    std::size_t connections_created = 0;
    std::size_t connections_idle = 0;
    std::size_t connections_in_use = 0;
    std::size_t requests_waiting = 0;    ///< queued for a connection (per-origin limit reached)
    std::size_t tls_full_handshakes = 0; ///< TLS handshakes with the full certificate exchange
    std::size_t tls_resumed = 0;         ///< TLS handshakes that resumed an earlier session
};

class client {
public:
    /// Throws std::invalid_argument when the configuration is unusable (bad base URL or proxy
    /// URL, incomplete Azure settings, unreadable CA file with an https base URL); nothing is
    /// connected yet.
    client(boost::asio::any_io_executor executor, client_config config);

    boost::asio::any_io_executor get_executor() const noexcept;
    const client_config& config() const noexcept;

    /// The Images API through this client.
    openai::images images() const noexcept;

    /// The Files API (`/v1/files`) through this client: uploads, streamed content downloads.
    openai::files files() const noexcept;

    /// The Batch API (`/v1/batches`) through this client (see <openai/batches.hpp>).
    openai::batches batches() const noexcept;

    /// Downloads `url` (an http or https URL, such as `image::url` of a DALL-E result) to `path`.
    /// The body streams to a temporary file beside `path`, which is renamed over `path` once
    /// complete (an existing file is replaced; the directory must exist): the image is never held
    /// in memory, and a failed download leaves nothing behind.
    ///
    /// It goes through this client's pool (connections per origin), TLS verification, proxies,
    /// timeouts and retries, but carries none of its credentials or default headers: the URL's
    /// host is not the API's (per-call `request_options::extra_headers` are sent).
    ///
    /// - **Handler signature**: `void(std::exception_ptr, download_result)`, the exception being
    ///   an openai::request_error; with an `error_info&` argument,
    ///   `void(boost::system::error_code, download_result)` and the facts in `info`.
    /// - **Executor**: the handler runs on its associated executor (the client's when it has
    ///   none), never inside the initiating call.
    /// - **Object lifetimes**: arguments are taken by value; an `error_info&` must live until the
    ///   handler runs; the client may be destroyed while the download is in flight.
    /// - **Per-operation cancellation**: terminal, through the token's cancellation slot:
    ///   completes with `asio::error::operation_aborted`, leaves no file behind.
    /// - **Errors**: errc::invalid_request for a URL that is not http(s); errc::not_found for a
    ///   URL that has expired (result URLs live 60 minutes) or never existed; HTTP status,
    ///   transport and timeout codes as for images; file errors (generic category) naming the
    ///   file; errc::body_too_large past client_config::max_body_size. Messages never contain the
    ///   URL's query, which may hold a signature. A download creates nothing to pay for, so an
    ///   `unknown` outcome is retried like any lost answer.
    /// - **Thread safety**: may be called from any thread, concurrently.
    /// - **Exception safety**: the initiating call throws only std::bad_alloc.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto download(std::string url, std::filesystem::path path, CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(std::forward<CompletionToken>(token),
                                                 &detail::start_download, impl_, std::move(url),
                                                 std::move(path), request_options{});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto download(std::string url, std::filesystem::path path, request_options options,
                  CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(std::forward<CompletionToken>(token),
                                                 &detail::start_download, impl_, std::move(url),
                                                 std::move(path), std::move(options));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download(std::string url, std::filesystem::path path, error_info& info,
                  CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(info, std::forward<CompletionToken>(token),
                                                 &detail::start_download, impl_, std::move(url),
                                                 std::move(path), request_options{});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download(std::string url, std::filesystem::path path, request_options options,
                  error_info& info, CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(info, std::forward<CompletionToken>(token),
                                                 &detail::start_download, impl_, std::move(url),
                                                 std::move(path), std::move(options));
    }

    client_stats stats() const;

private:
    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai
