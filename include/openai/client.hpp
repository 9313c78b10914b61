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
#include <openai/download.hpp>
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

// Counters of the client's connection pool, for monitoring and tests.
struct client_stats {
    std::size_t connections_created = 0;
    std::size_t connections_idle = 0;
    std::size_t connections_in_use = 0;
    std::size_t requests_waiting = 0; // queued for a connection (per-origin limit reached)
};

class client {
public:
    // Throws std::invalid_argument when the configuration is unusable (bad base URL or proxy
    // URL, incomplete Azure settings, unreadable CA file with an https base URL); nothing is
    // connected yet.
    client(boost::asio::any_io_executor executor, client_config config);

    boost::asio::any_io_executor get_executor() const noexcept;
    const client_config& config() const noexcept;

    // The Images API through this client.
    openai::images images() const noexcept;

    // Downloads `url` (an http or https URL, such as `image::url` of a DALL-E result) to `path`
    // (asynchronous). The body streams to a temporary file beside `path`, which is renamed over
    // `path` once complete (an existing file is replaced; the directory must exist): the image is
    // never held in memory, and a failed download leaves nothing behind.
    //
    // It goes through this client's pool (connections per origin), TLS verification, proxies,
    // timeouts and retries, but carries none of its credentials or default headers: the URL's
    // host is not the API's (per-call `request_options::extra_headers` are sent). A URL that has
    // expired (result URLs live 60 minutes) fails with errc::not_found and says so.
    //
    // Completion signatures: void(std::exception_ptr, download_result), the exception being an
    // openai::request_error; with an `error_info&` argument, void(boost::system::error_code,
    // download_result) and the facts in `info` (which must outlive the operation). Executor,
    // cancellation and thread safety as for <openai/images.hpp>. The messages never contain the
    // URL's query, which may hold a signature.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto download(std::string url, std::filesystem::path path, CompletionToken&& token = {}) const {
        return download_impl(std::move(url), std::move(path), {},
                             std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto download(std::string url, std::filesystem::path path, request_options options,
                  CompletionToken&& token = {}) const {
        return download_impl(std::move(url), std::move(path), std::move(options),
                             std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download(std::string url, std::filesystem::path path, error_info& info,
                  CompletionToken&& token = {}) const {
        return download_impl(std::move(url), std::move(path), {}, info,
                             std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download(std::string url, std::filesystem::path path, request_options options,
                  error_info& info, CompletionToken&& token = {}) const {
        return download_impl(std::move(url), std::move(path), std::move(options), info,
                             std::forward<CompletionToken>(token));
    }

    client_stats stats() const;

private:
    template <class CompletionToken>
    auto download_impl(std::string url, std::filesystem::path path, request_options options,
                       CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken,
                                           void(std::exception_ptr, download_result)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, std::string url,
               std::filesystem::path path, request_options options) {
                detail::start_download(std::move(impl), std::move(url), std::move(path),
                                       std::move(options),
                                       detail::download_throwing_handler(std::move(handler)));
            },
            token, impl_, std::move(url), std::move(path), std::move(options));
    }
    template <class CompletionToken>
    auto download_impl(std::string url, std::filesystem::path path, request_options options,
                       error_info& info, CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken,
                                           void(boost::system::error_code, download_result)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, std::string url,
               std::filesystem::path path, request_options options, error_info* info) {
                detail::start_download(std::move(impl), std::move(url), std::move(path),
                                       std::move(options), info,
                                       detail::download_code_handler(std::move(handler)));
            },
            token, impl_, std::move(url), std::move(path), std::move(options), &info);
    }

    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai
