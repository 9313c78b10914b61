/// openai::image_stream: the events of one streamed generation or edit, pulled one at a time.
///
///   auto stream = co_await images.generate_stream(req);          // once the head arrived
///   while (auto ev = co_await stream.next()) {                   // nullopt at the clean end
///       if (openai::is_partial(*ev)) show(openai::image_bytes(*ev));
///       else save(openai::image_bytes(*ev));
///   }
///
/// A stream is pull-based: nothing is read from the connection before next() asks, so a slow
/// consumer slows the server down through TCP flow control instead of buffering. The stream owns
/// its connection; the connection goes back to the client's pool only after a clean end (a
/// completed event, then the end of the body). Any error, timeout, cancellation, close() or the
/// destruction of the stream closes it instead.
#pragma once

#include <openai/detail/awaitable_fix.hpp>
#include <openai/detail/initiate.hpp>
#include <openai/events.hpp>
#include <openai/request_error.hpp>
#include <openai/response_metadata.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

/// `co_await stream.next()` with the default `asio::deferred` token (see the header).
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(std::optional<openai::image_event>)

namespace openai {

class image_stream;

namespace detail {

class stream_state;

/// Compiled entry points (src/api/image_stream.cpp). A null state is a closed stream.
void start_next(std::shared_ptr<stream_state> state,
                operation_handler<std::optional<image_event>> handler);
void close_stream(const std::shared_ptr<stream_state>& state) noexcept;
const response_metadata& stream_metadata(const stream_state& state) noexcept;
const boost::asio::any_io_executor& stream_executor(const stream_state& state) noexcept;

struct stream_access {
    static image_stream make(std::shared_ptr<stream_state> state) noexcept;
};

} // namespace detail

/// How much of a stream has arrived so far (for progress displays).
struct stream_progress {
    std::uint64_t bytes_received = 0; ///< body bytes read from the connection
    std::uint64_t events = 0;         ///< image events handed out by next()
};

/// One open event stream of an image generation or edit. Move-only; a default-constructed or
/// moved-from stream is closed.
///
/// Thread safety: one object must not be used from two threads at once (like an Asio socket);
/// its pending next() runs on a strand of its own, so the io_context may have several threads.
class image_stream {
public:
    image_stream() noexcept = default;
    image_stream(image_stream&&) noexcept = default;
    image_stream& operator=(image_stream&& other) noexcept {
        if (this != &other) {
            close();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    image_stream(const image_stream&) = delete;
    image_stream& operator=(const image_stream&) = delete;

    /// Closes the connection unless the stream already ended cleanly.
    ~image_stream() { close(); }

    /// The executor of the client that opened the stream: where handlers without an associated
    /// executor run. Precondition: valid().
    using executor_type = boost::asio::any_io_executor;
    executor_type get_executor() const noexcept { return detail::stream_executor(*state_); }

    /// Reads until the next image event and yields it: a partial image or the completed image
    /// (generation or edit). Yields `std::nullopt` once the stream ended cleanly (a completed
    /// event and the end of the body), and again on every later call.
    ///
    /// - **Handler signature**: `void(std::exception_ptr, std::optional<image_event>)`, the
    ///   exception being an openai::request_error; with an `error_info&` argument,
    ///   `void(boost::system::error_code, std::optional<image_event>)` and the facts in `info`.
    /// - **Executor**: the handler runs on its associated executor (get_executor() when it has
    ///   none), never inside next(). The read runs on the stream's strand.
    /// - **Object lifetimes**: the stream object may be destroyed while next() is pending (the
    ///   pending call then completes with errc::stream_closed); an `error_info&` must live until
    ///   the handler runs.
    /// - **Per-operation cancellation**: terminal cancellation through the token's cancellation
    ///   slot (also `||` with a timer): completes with `asio::error::operation_aborted` and closes
    ///   the stream, since its connection is then mid-event; later calls get
    ///   errc::stream_closed. A coroutine that was cancelled must call `co_await
    ///   asio::this_coro::reset_cancellation_state()` before it awaits anything else (Asio throws
    ///   operation_aborted at every later co_await of a cancelled coroutine).
    /// - **Errors**: errc::stream_error_event (the server sent an error event: `error_info::api`
    ///   holds its message/type/code/param, `request_id` the stream's x-request-id; outcome
    ///   `refused`), errc::stream_truncated (the body ended without a completed event; outcome
    ///   `unknown`: the image may have been generated), errc::stream_idle_timeout (no byte for
    ///   client_config::timeouts.stream_idle), errc::event_too_large
    ///   (client_config::max_event_size), errc::invalid_json and the other decoding codes for an
    ///   event that is not what the API sends, transport codes (errc::connection_closed,
    ///   errc::truncated_body) when the connection breaks, errc::concurrent_next when another
    ///   next() is pending (that one is not disturbed), and errc::stream_closed once the stream
    ///   was closed or failed. Event types this library does not know are yielded as
    ///   `unknown_event` (type and raw JSON; see is_unknown()). After the completed event was
    ///   yielded, a broken end of the connection is not an error (the result is whole); the
    ///   connection is then closed instead of pooled. A stream is never retried.
    /// - **Thread safety**: one next() at a time: a next() is pending from its initiation until
    ///   its handler has been invoked, and a second one meanwhile fails with
    ///   errc::concurrent_next. The object must not be used from two threads at once.
    /// - **Exception safety**: the initiating call throws only std::bad_alloc.
    template <class CompletionToken = boost::asio::deferred_t>
    requires(!std::is_same_v<std::decay_t<CompletionToken>, error_info>) auto next(
        CompletionToken&& token = {}) {
        return detail::initiate<std::optional<image_event>>(std::forward<CompletionToken>(token),
                                                            &detail::start_next, state_);
    }

    /// As above, without exceptions: failures complete with their code and fill `info`.
    template <class CompletionToken = boost::asio::deferred_t>
    auto next(error_info& info, CompletionToken&& token = {}) {
        return detail::initiate<std::optional<image_event>>(
            info, std::forward<CompletionToken>(token), &detail::start_next, state_);
    }

    /// Ends the stream early and closes its connection (unless it already ended cleanly, in
    /// which case the connection is back in the pool). A pending next() completes with
    /// errc::stream_closed. Idempotent; never blocks.
    void close() noexcept {
        if (state_) {
            detail::close_stream(state_);
            state_.reset();
        }
    }

    /// False for a default-constructed, moved-from or close()d stream.
    bool valid() const noexcept { return state_ != nullptr; }

    /// The response head's facts: HTTP status, x-request-id, rate limits, attempts.
    /// Precondition: valid().
    const response_metadata& metadata() const noexcept { return detail::stream_metadata(*state_); }

    /// Bytes and events received so far; zeros for a stream that is not valid(). May be read
    /// while next() is pending.
    stream_progress progress() const noexcept;

private:
    friend struct detail::stream_access;
    explicit image_stream(std::shared_ptr<detail::stream_state> state) noexcept
        : state_(std::move(state)) {}

    std::shared_ptr<detail::stream_state> state_;
};

inline image_stream detail::stream_access::make(std::shared_ptr<stream_state> state) noexcept {
    return image_stream(std::move(state));
}

} // namespace openai
