/// openai::images: the Images API (generations, edits, variations) of one client.
///
///   openai::images_response r = co_await images.generate(req);            // throws on failure
///   images.generate(req, [](std::exception_ptr e, openai::images_response r) { ... });
///   auto f = images.generate(req, asio::use_future);                      // from plain threads
///   openai::error_info info;                                              // no exceptions:
///   auto [ec, r] = co_await images.generate(req, info, asio::as_tuple(asio::deferred));
///
/// Every member is an Asio asynchronous operation (initiating function): pass a completion token,
/// or none for `asio::deferred`, which `co_await` accepts inside `asio::awaitable`. Each call has
/// four overloads: with or without `request_options`, and with or without an `error_info&`.
#pragma once

#include <openai/client_config.hpp>
#include <openai/detail/awaitable_fix.hpp>
#include <openai/detail/initiate.hpp>
#include <openai/image_stream.hpp>
#include <openai/request_error.hpp>
#include <openai/requests.hpp>
#include <openai/responses.hpp>

#include <boost/asio/deferred.hpp>

#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

/// `co_await images.generate(req)` with the default `asio::deferred` token (see the header).
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::images_response)
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::image_stream)

namespace openai {

namespace detail {

class client_impl;

using images_call = std::variant<generate_request, edit_request, variation_request>;

/// Compiled entry points (src/api): validate, send with retries, decode, complete the handler.
void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, operation_handler<images_response> handler);
/// Sets `stream=true`, sends with retries up to the response head, hands the connection to a new
/// stream.
void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, operation_handler<image_stream> handler);

template <class T>
concept not_call_argument = !std::is_same_v<std::decay_t<T>, request_options> &&
                            !std::is_same_v<std::decay_t<T>, error_info>;

} // namespace detail

/// The Images API of one client: a cheap handle (copies share the client's state).
///
/// ### The contract of every unary call (generate, edit, create_variation)
/// - **Handler signature**: `void(std::exception_ptr, images_response)`, the exception being an
///   openai::request_error; with an `error_info&` argument,
///   `void(boost::system::error_code, images_response)` and the failure's facts in `info`. The
///   response is empty on failure.
/// - **Executor**: the handler runs on its associated executor (the client's when it has none),
///   never inside the initiating call. The operation itself runs on a strand of its own.
/// - **Object lifetimes**: the request is taken by value (copies of image_file share their
///   bytes); an `error_info&` must live until the handler runs; the client and this handle may be
///   destroyed while the call is in flight.
/// - **Per-operation cancellation**: terminal cancellation through the token's cancellation slot
///   (also `||` with a timer in awaitable operators): completes with
///   `asio::error::operation_aborted`, closes the connection it used; the client stays usable.
/// - **Errors**: errc codes, comparable as error_code: errc::invalid_request and the other
///   request codes before anything is sent (validation names the parameter); an HTTP status
///   (errc::bad_request ... errc::server_error, with the API's type/code/param/message in
///   `error_info::api`); transport and timeout codes; decoding codes. Every failure carries its
///   `error_info::outcome`: `not_sent`, `refused` (an error status), or `unknown` (the request
///   left whole, then its answer was lost: the image may have been generated and billed).
/// - **Retries**: `not_sent` transport failures and the statuses the API marks retryable (408,
///   409, 429, 5xx, `x-should-retry: true`) are retried (client_config::retry), waiting what the
///   server asks within a cap, otherwise backing off exponentially with jitter. `unknown` outcomes
///   are not retried unless client_config::retry.unknown_outcome or
///   request_options::retry_unknown_outcome allows it: a second attempt could be billed twice.
/// - **Thread safety**: calls may be made from any thread, concurrently.
/// - **Exception safety**: the initiating call throws only std::bad_alloc; every failure of the
///   operation reaches the handler.
///
/// ### The contract of the streaming calls (generate_stream, edit_stream)
/// As above, with `image_stream` for `images_response`: they send `stream=true` and complete once
/// the response head has arrived, with a stream to pull the events from (see
/// <openai/image_stream.hpp>), or with the usual typed error (its body read first). The retry
/// rules apply until the head; a stream handed out is never retried.
class images {
public:
    /// POST /images/generations. See the class comment for the contract.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate(generate_request request, CompletionToken&& token = {}) const {
        return call(std::move(request), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate(generate_request request, request_options options,
                  CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate(generate_request request, error_info& info, CompletionToken&& token = {}) const {
        return call(std::move(request), {}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate(generate_request request, request_options options, error_info& info,
                  CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    /// POST /images/edits: multipart when the inputs are files, JSON when they are references.
    /// See the class comment for the contract.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit(edit_request request, CompletionToken&& token = {}) const {
        return call(std::move(request), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit(edit_request request, request_options options, CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit(edit_request request, error_info& info, CompletionToken&& token = {}) const {
        return call(std::move(request), {}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit(edit_request request, request_options options, error_info& info,
              CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    /// POST /images/variations. Legacy: only DALL·E 2 served it, and DALL·E 2 was retired on
    /// 2026-05-12; an edit with a GPT image model replaces it. See the class comment for the
    /// contract.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto create_variation(variation_request request, CompletionToken&& token = {}) const {
        return call(std::move(request), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto create_variation(variation_request request, request_options options,
                          CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_variation(variation_request request, error_info& info,
                          CompletionToken&& token = {}) const {
        return call(std::move(request), {}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create_variation(variation_request request, request_options options, error_info& info,
                          CompletionToken&& token = {}) const {
        return call(std::move(request), std::move(options), info,
                    std::forward<CompletionToken>(token));
    }

    /// POST /images/generations with `stream=true` (set here): partial images as they are drawn
    /// (request.partial_images, 0..3), then the completed image. GPT image models only. See the
    /// class comment for the contract.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate_stream(generate_request request, CompletionToken&& token = {}) const {
        return open_stream(std::move(request), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto generate_stream(generate_request request, request_options options,
                         CompletionToken&& token = {}) const {
        return open_stream(std::move(request), std::move(options),
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate_stream(generate_request request, error_info& info,
                         CompletionToken&& token = {}) const {
        return open_stream(std::move(request), {}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto generate_stream(generate_request request, request_options options, error_info& info,
                         CompletionToken&& token = {}) const {
        return open_stream(std::move(request), std::move(options), info,
                           std::forward<CompletionToken>(token));
    }

    /// POST /images/edits with `stream=true` (set here); multipart or JSON like edit(). See the
    /// class comment for the contract.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit_stream(edit_request request, CompletionToken&& token = {}) const {
        return open_stream(std::move(request), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_call_argument<CompletionToken>
    auto edit_stream(edit_request request, request_options options,
                     CompletionToken&& token = {}) const {
        return open_stream(std::move(request), std::move(options),
                           std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit_stream(edit_request request, error_info& info, CompletionToken&& token = {}) const {
        return open_stream(std::move(request), {}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto edit_stream(edit_request request, request_options options, error_info& info,
                     CompletionToken&& token = {}) const {
        return open_stream(std::move(request), std::move(options), info,
                           std::forward<CompletionToken>(token));
    }

private:
    friend class client;
    explicit images(std::shared_ptr<detail::client_impl> impl) noexcept
        : impl_(std::move(impl)) {}

    /// The two ways each family is initiated; every public overload above is one line over these.
    template <class CompletionToken>
    auto call(detail::images_call c, request_options options, CompletionToken&& token) const {
        return detail::initiate<images_response>(std::forward<CompletionToken>(token),
                                                 &detail::start_images_call, impl_, std::move(c),
                                                 std::move(options));
    }
    template <class CompletionToken>
    auto call(detail::images_call c, request_options options, error_info& info,
              CompletionToken&& token) const {
        return detail::initiate<images_response>(info, std::forward<CompletionToken>(token),
                                                 &detail::start_images_call, impl_, std::move(c),
                                                 std::move(options));
    }
    template <class CompletionToken>
    auto open_stream(detail::images_call c, request_options options,
                     CompletionToken&& token) const {
        return detail::initiate<image_stream>(std::forward<CompletionToken>(token),
                                              &detail::start_stream_call, impl_, std::move(c),
                                              std::move(options));
    }
    template <class CompletionToken>
    auto open_stream(detail::images_call c, request_options options, error_info& info,
                     CompletionToken&& token) const {
        return detail::initiate<image_stream>(info, std::forward<CompletionToken>(token),
                                              &detail::start_stream_call, impl_, std::move(c),
                                              std::move(options));
    }

    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai
