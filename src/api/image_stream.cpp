// image_stream::next(): pull bytes only when asked, feed them to the SSE parser, decode one image
// event per call, and decide what the end of the body (or of the connection) means.
#include "api/completion.hpp"
#include "api/stream_state.hpp"

#include <openai/error.hpp>
#include <openai/image_stream.hpp>
#include <openai/json.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

namespace openai::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// One read from the connection. Small and fixed: thousands of streams may be waiting at once.
constexpr std::uint32_t read_chunk = 16 * 1024;

// For messages: the start of a payload that was not what we expected.
std::string excerpt(std::string_view text) {
    constexpr std::size_t max = 120;
    if (text.size() <= max)
        return std::string(text);
    return std::string(text.substr(0, max)) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string events_so_far(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " image event" : " image events");
}

} // namespace

stream_state::stream_state(std::shared_ptr<client_impl> client, strand_type strand)
    : client_(std::move(client))
    , strand_(std::move(strand)) {}

stream_state::~stream_state() {
    release(false);
}

void stream_state::adopt(transport::lease lease, std::chrono::milliseconds idle_timeout) {
    lease_ = std::move(lease);
    idle_timeout_ = idle_timeout;
}

asio::awaitable<next_outcome> stream_state::next() {
    next_outcome out;
    try {
        co_await pull(out);
    } catch (const boost::system::system_error& e) {
        // A cancelled coroutine that awaits again gets operation_aborted thrown at it.
        out = {};
        const bool aborted = e.code() == asio::error::operation_aborted;
        fail(out, e.code(),
             aborted ? "next() was cancelled; the stream is closed"
                     : std::string("stream failure: ") + e.what(),
             aborted ? phase::closed : phase::failed);
    } catch (const std::exception& e) {
        out = {};
        fail(out, errc::invalid_response,
             std::string("internal failure in the stream: ") + e.what());
    }
    busy_.store(false, std::memory_order_release);
    co_return out;
}

asio::awaitable<void> stream_state::pull(next_outcome& out) {
    if (close_requested_.load(std::memory_order_acquire)) {
        report_closed(out);
        co_return;
    }
    switch (phase_) {
    case phase::open:
        break;
    case phase::ended:
        co_return; // nullopt, again
    case phase::failed:
    case phase::closed:
        out.first.code = errc::stream_closed;
        out.first.message = "the stream has already ended: " + end_message_;
        out.first.http_status = meta_.http_status;
        out.first.request_id = meta_.request_id;
        co_return;
    }
    if (!parser_) {
        // Nothing is allocated for reading before the first next().
        parser_.emplace(sse::parser_options{client_->config().max_event_size});
        parser_->set_data_sink(&decoder_);
        buffer_.reset(new char[read_chunk]);
    }
    for (;;) {
        while (begin_ < end_) {
            error_code ec;
            begin_ += static_cast<std::uint32_t>(
                parser_->feed(std::string_view(buffer_.get() + begin_, end_ - begin_), ec));
            if (parser_->has_event()) {
                parser_->take_event(event_);
                ++sse_events_;
                const bool answered = on_event(out);
                decoder_.clear();
                if (answered)
                    co_return;
            }
            if (ec) {
                fail(out, ec,
                     "a server-sent event exceeds the maximum event size of " +
                         std::to_string(client_->config().max_event_size) +
                         " bytes (client_config::max_event_size)");
                co_return;
            }
        }
        if (lease_->body_done()) {
            on_end_of_body(out);
            co_return;
        }
        transport::deadline limit;
        if (idle_timeout_.count() > 0)
            limit = {transport::clock::now() + idle_timeout_, errc::stream_idle_timeout};
        error_code ec;
        std::string what;
        const auto n = co_await lease_->read_body(buffer_.get(), read_chunk, limit, ec, what);
        if (close_requested_.load(std::memory_order_acquire)) {
            report_closed(out);
            co_return;
        }
        if (ec) {
            on_read_error(out, ec, std::move(what));
            co_return;
        }
        begin_ = 0;
        end_ = static_cast<std::uint32_t>(n);
        bytes_received_.fetch_add(n, std::memory_order_relaxed);
    }
}

bool stream_state::on_event(next_outcome& out) {
    // Client rule: the SSE event name "error" makes an error, whatever the data says.
    if (event_.type == "error") {
        auto decoded = decoder_.decode_error();
        api_error error;
        if (decoded.ok())
            error = std::move(decoded.value);
        else
            error.message = "unreadable error event: " + decoder_.excerpt();
        fail_api(out, std::move(error));
        return true;
    }
    if (decoder_.blank())
        return false; // a keep-alive with an empty data line carries nothing
    if (decoder_.is_done_marker()) {
        // The SDKs' end marker of other streams: stop here like they do.
        parser_->finish();
        if (completed_seen_) {
            phase_ = phase::ended;
            release(false); // the body may go on: the connection cannot be reused
            return true;
        }
        fail(out, errc::stream_truncated,
             "the stream sent [DONE] after " + events_so_far(events_.load()) +
                 " without a completed event");
        return true;
    }
    auto decoded = decoder_.decode_image();
    if (!decoded.ok()) {
        fail(out, decoded.code,
             "event " + std::to_string(sse_events_) + " ('" + excerpt(event_.type) +
                 "') of the stream cannot be decoded: " + decoded.message);
        return true;
    }
    switch (decoded.value.kind) {
    case event_kind::unknown: // a newer event type: delivered as an unknown_event
        out.second = std::move(decoded.value.event);
        return true;
    case event_kind::error:
        fail_api(out, std::move(decoded.value.error));
        return true;
    case event_kind::image:
        break;
    }
    if (is_completed(decoded.value.event))
        completed_seen_ = true;
    out.second = std::move(decoded.value.event);
    events_.fetch_add(1, std::memory_order_relaxed);
    // When the body already ended with this event, give the connection back now: the caller
    // may stop at the completed event without asking for the end.
    if (completed_seen_ && begin_ == end_ && lease_->body_done()) {
        parser_->finish();
        lease_->finish_exchange();
        phase_ = phase::ended;
        release(true);
    }
    return true;
}

void stream_state::on_end_of_body(next_outcome& out) {
    parser_->finish(); // an unfinished block is discarded, as WHATWG says
    if (completed_seen_) {
        lease_->finish_exchange();
        phase_ = phase::ended;
        release(true);
        return;
    }
    fail(out, errc::stream_truncated,
         "the event stream ended after " + events_so_far(events_.load()) +
             " without a completed event");
}

void stream_state::on_read_error(next_outcome& out, error_code ec, std::string what) {
    if (ec == asio::error::operation_aborted) {
        fail(out, ec, "next() was cancelled mid-stream; the stream is closed", phase::closed);
        return;
    }
    if (completed_seen_) {
        // The result is whole; only the connection is lost.
        phase_ = phase::ended;
        release(false);
        return;
    }
    fail(out, ec, what + " (after " + events_so_far(events_.load()) + ", no completed event)");
}

void stream_state::fail(next_outcome& out, error_code code, std::string message, phase then) {
    out.second.reset();
    out.first.code = code;
    out.first.message = std::move(message);
    out.first.http_status = meta_.http_status;
    out.first.request_id = meta_.request_id;
    out.first.attempts = meta_.attempts;
    end_message_ = out.first.message;
    phase_ = then;
    release(false);
}

void stream_state::fail_api(next_outcome& out, api_error error) {
    std::string message = "the server sent an error event after " + events_so_far(events_.load()) +
                          ": " + error.message.value_or("(no message)");
    if (error.type)
        message += " [type " + *error.type + "]";
    if (error.code)
        message += " [code " + *error.code + "]";
    if (error.param && !error.param->empty())
        message += " [param " + *error.param + "]";
    fail(out, errc::stream_error_event, std::move(message));
    out.first.api = std::move(error);
}

void stream_state::report_closed(next_outcome& out) {
    fail(out, errc::stream_closed, "the stream was closed while next() was pending", phase::closed);
}

void stream_state::release(bool clean) noexcept {
    if (lease_) {
        if (!clean)
            lease_->close();
        lease_.reset();
    }
    parser_.reset();
    decoder_.clear();
    buffer_.reset();
    begin_ = end_ = 0;
    event_ = sse::event{};
}

void stream_state::request_close(const std::shared_ptr<stream_state>& self) noexcept {
    self->close_requested_.store(true, std::memory_order_release);
    if (!self->busy_.load(std::memory_order_acquire)) {
        self->close_idle();
        return;
    }
    asio::dispatch(self->strand_, [self] { self->close_on_strand(); });
}

void stream_state::close_on_strand() noexcept {
    if (busy_.load(std::memory_order_acquire)) {
        // A next() is waiting for bytes (or about to start): closing the socket wakes it, and it
        // lets the connection go itself.
        if (lease_)
            lease_->close();
        return;
    }
    close_idle();
}

void stream_state::close_idle() noexcept {
    if (phase_ == phase::open) {
        phase_ = phase::closed;
        end_message_ = "the stream was closed";
    }
    release(false);
}

// ---- the entry points

namespace {

asio::awaitable<next_outcome> run_next(std::shared_ptr<stream_state> state) {
    co_return co_await state->next();
}

error_info closed_info() {
    error_info info;
    info.code = errc::stream_closed;
    info.message = "next() on a stream that is closed (default-constructed, moved from or closed)";
    return info;
}

error_info concurrent_info(const stream_state* state) {
    error_info info;
    info.code = errc::concurrent_next;
    info.message = "next() was called while another next() on the same stream is pending; "
                   "await each next() before asking for the following event";
    if (state != nullptr)
        info.request_id = state->metadata().request_id;
    return info;
}

// Completes `handler` with a failure: posted through `io` (so never inside the initiating call),
// then run on the handler's associated executor.
template <class Handler, class Complete>
void post_failure(Handler handler, const asio::any_io_executor& io, Complete complete) {
    auto target = asio::get_associated_executor(handler, io);
    asio::post(
        io, asio::bind_executor(std::move(target),
                                [handler = std::move(handler),
                                 complete = std::move(complete)]() mutable { complete(handler); }));
}

// Where a failure without a stream is posted: the stream's client, or the system executor.
asio::any_io_executor io_of(const std::shared_ptr<stream_state>& state) {
    if (state)
        return state->client_executor();
    return asio::system_executor();
}

} // namespace

void start_next(std::shared_ptr<stream_state> state, next_throwing_handler handler) {
    auto refuse = [](next_throwing_handler handler, std::shared_ptr<stream_state> state,
                     error_info info) {
        post_failure(std::move(handler), io_of(state), [info = std::move(info)](auto& h) mutable {
            std::move(h)(std::make_exception_ptr(request_error(std::move(info))), std::nullopt);
        });
    };
    if (!state)
        return refuse(std::move(handler), nullptr, closed_info());
    if (!state->try_begin()) {
        auto info = concurrent_info(state.get());
        return refuse(std::move(handler), std::move(state), std::move(info));
    }
    const auto binding = binding_of(handler, state->client_executor());
    const auto strand = state->strand();
    spawn_bound(strand, run_next(std::move(state)), binding,
                [handler = std::move(handler)](std::exception_ptr ep, next_outcome out) mutable {
                    if (!ep && out.first.code)
                        ep = std::make_exception_ptr(request_error(std::move(out.first)));
                    std::move(handler)(ep, ep ? std::nullopt : std::move(out.second));
                });
}

void start_next(std::shared_ptr<stream_state> state, error_info* info, next_code_handler handler) {
    auto refuse = [info](next_code_handler handler, std::shared_ptr<stream_state> state,
                         error_info failure) {
        post_failure(std::move(handler), io_of(state),
                     [info, failure = std::move(failure)](auto& h) mutable {
                         const auto ec = failure.code;
                         *info = std::move(failure);
                         std::move(h)(ec, std::nullopt);
                     });
    };
    if (!state)
        return refuse(std::move(handler), nullptr, closed_info());
    if (!state->try_begin()) {
        auto failure = concurrent_info(state.get());
        return refuse(std::move(handler), std::move(state), std::move(failure));
    }
    const auto binding = binding_of(handler, state->client_executor());
    const auto strand = state->strand();
    spawn_bound(
        strand, run_next(std::move(state)), binding,
        [handler = std::move(handler), info](std::exception_ptr ep, next_outcome out) mutable {
            if (ep)
                out.first = from_exception(ep);
            const auto ec = out.first.code;
            *info = std::move(out.first);
            std::move(handler)(ec, ec ? std::nullopt : std::move(out.second));
        });
}

void close_stream(const std::shared_ptr<stream_state>& state) noexcept {
    if (state)
        stream_state::request_close(state);
}

const response_metadata& stream_metadata(const stream_state& state) noexcept {
    return state.metadata();
}

} // namespace openai::detail

namespace openai {

stream_progress image_stream::progress() const noexcept {
    return state_ ? state_->progress() : stream_progress{};
}

} // namespace openai
