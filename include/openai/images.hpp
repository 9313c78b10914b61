// openai::images: the Images API (generations, edits, variations) of one client.
//
// Every call is an Asio asynchronous operation: pass a completion token, or none for
// `asio::deferred`, which `co_await` accepts inside `asio::awaitable`:
//
//   openai::images_response r = co_await images.generate(req);            // throws on failure
//   images.generate(req, [](std::exception_ptr e, openai::images_response r) { ... });
//   auto f = images.generate(req, asio::use_future);                      // from plain threads
//   openai::error_info info;                                              // no exceptions:
//   auto [ec, r] = co_await images.generate(req, info, asio::as_tuple(asio::deferred));
//
// Completion signatures:
//   void(std::exception_ptr, images_response)          the exception is an openai::request_error
//   void(boost::system::error_code, images_response)   overloads taking `error_info&`, which
//                                                      receives the facts of a failure
// Executor: the handler runs on its associated executor (the client's when it has none), never
// inside the initiating call.
// Lifetimes: the request is taken by value (copies of image_file share their bytes); an
// `error_info&` passed in must live until the handler runs; the client may be destroyed while a
// call is in flight.
// Cancellation: per-operation terminal cancellation through the token's cancellation slot (also
// `||` with a timer in awaitable operators): the call completes with
// `asio::error::operation_aborted`, the connection it used is closed, the client stays usable.
// Retries: connection errors, 408, 409, 429 and 5xx are retried (client_config::retry), waiting
// what the server asks within a cap, otherwise backing off exponentially with jitter.
// Thread safety: calls may be made from any thread.
//
// Streams: generate_stream() and edit_stream() send `stream=true` and complete once the response
// head has arrived, with an `openai::image_stream` to pull the events from (see
// <openai/image_stream.hpp>), or with the usual typed error (its body read first). The retry
// rules above apply until then; a stream handed out is never retried.
//   void(std::exception_ptr, image_stream)          void(boost::system::error_code, image_stream)
#pragma once

#include <openai/client_config.hpp>
#include <openai/detail/awaitable_fix.hpp>
#include <openai/image_stream.hpp>
#include <openai/request_error.hpp>
#include <openai/requests.hpp>
#include <openai/responses.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

// `co_await images.generate(req)` with the default `asio::deferred` token (see the header).
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::images_response)
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::image_stream)

namespace openai {

namespace detail {

class client_impl;

using images_call = std::variant<generate_request, edit_request, variation_request>;
using throwing_handler =
    boost::asio::any_completion_handler<void(std::exception_ptr, images_response)>;
using code_handler =
    boost::asio::any_completion_handler<void(boost::system::error_code, images_response)>;

// Compiled entry points (src/api): validate, send with retries, decode, complete the handler.
void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, throwing_handler handler);
void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, error_info* info, code_handler handler);

using stream_throwing_handler =
    boost::asio::any_completion_handler<void(std::exception_ptr, image_stream)>;
using stream_code_handler =
    boost::asio::any_completion_handler<void(boost::system::error_code, image_stream)>;

// Compiled entry points (src/api/stream_call.cpp): validate, send with retries up to the
// response head, hand the connection to a new stream.
void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, stream_throwing_handler handler);
void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, error_info* info, stream_code_handler handler);

template <class T>
concept not_call_argument = !std::is_same_v<std::decay_t<T>, request_options> &&
                            !std::is_same_v<std::decay_t<T>, error_info>;

} // namespace detail

class images {
public:
    // POST /images/generations.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate(generate_request request, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {},
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate(generate_request request, request_options options,
                  CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options),
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate(generate_request request, error_info& info, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {}, info,
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate(generate_request request, request_options options, error_info& info,
                  CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    // POST /images/edits: multipart when the inputs are files, JSON when they are references.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit(edit_request request, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {},
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit(edit_request request, request_options options, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options),
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit(edit_request request, error_info& info, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {}, info,
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit(edit_request request, request_options options, error_info& info,
              CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    // POST /images/variations (dall-e-2). Legacy: DALL-E 2 was retired on 2026-05-12; an edit
    // replaces it (see variation_request).
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto create_variation(variation_request request, CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {},
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto create_variation(variation_request request, request_options options,
                          CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options),
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_variation(variation_request request, error_info& info,
                          CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, {}, info,
                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_variation(variation_request request, request_options options, error_info& info,
                          CompletionToken&& token = {}) const {
        return call(detail::images_call{std::move(request)}, std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    // POST /images/generations with stream=true (set here): partial images as they are drawn
    // (request.partial_images, 0..3), then the completed image. GPT image models only.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate_stream(generate_request request, CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, {},
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate_stream(generate_request request, request_options options,
                         CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, std::move(options),
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate_stream(generate_request request, error_info& info,
                         CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, {}, info,
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate_stream(generate_request request, request_options options, error_info& info,
                         CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, std::move(options), info,
                           std::forward<CompletionToken>(token));
    }

    // POST /images/edits with stream=true (set here); multipart or JSON like edit().
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit_stream(edit_request request, CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, {},
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit_stream(edit_request request, request_options options,
                     CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, std::move(options),
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit_stream(edit_request request, error_info& info, CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, {}, info,
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit_stream(edit_request request, request_options options, error_info& info,
                     CompletionToken&& token = {}) const {
        request.stream = true;
        return open_stream(detail::images_call{std::move(request)}, std::move(options), info,
                           std::forward<CompletionToken>(token));
    }

private:
    friend class client;
    explicit images(std::shared_ptr<detail::client_impl> impl) noexcept
        : impl_(std::move(impl)) {}

    template <class CompletionToken>
    auto call(detail::images_call c, request_options options, CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken,
                                           void(std::exception_ptr, images_response)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, detail::images_call c,
               request_options options) {
                detail::start_images_call(std::move(impl), std::move(c), std::move(options),
                                          detail::throwing_handler(std::move(handler)));
            },
            token, impl_, std::move(c), std::move(options));
    }

    template <class CompletionToken>
    auto call(detail::images_call c, request_options options, error_info& info,
              CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken,
                                           void(boost::system::error_code, images_response)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, detail::images_call c,
               request_options options, error_info* info) {
                detail::start_images_call(std::move(impl), std::move(c), std::move(options), info,
                                          detail::code_handler(std::move(handler)));
            },
            token, impl_, std::move(c), std::move(options), &info);
    }

    template <class CompletionToken>
    auto open_stream(detail::images_call c, request_options options,
                     CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr, image_stream)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, detail::images_call c,
               request_options options) {
                detail::start_stream_call(std::move(impl), std::move(c), std::move(options),
                                          detail::stream_throwing_handler(std::move(handler)));
            },
            token, impl_, std::move(c), std::move(options));
    }

    template <class CompletionToken>
    auto open_stream(detail::images_call c, request_options options, error_info& info,
                     CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken,
                                           void(boost::system::error_code, image_stream)>(
            [](auto handler, std::shared_ptr<detail::client_impl> impl, detail::images_call c,
               request_options options, error_info* info) {
                detail::start_stream_call(std::move(impl), std::move(c), std::move(options), info,
                                          detail::stream_code_handler(std::move(handler)));
            },
            token, impl_, std::move(c), std::move(options), &info);
    }

    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai
