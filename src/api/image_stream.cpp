// image_stream::next(): pull bytes only when asked, feed them to the SSE parser and the event
// decoder, and carry out what the stream rules (codec::stream_rules) make of each event, of the
// end of the body and of read errors.
#include "api/completion.hpp"
#include "api/stream_state.hpp"

#include <openai/error.hpp>
#include <openai/image_stream.hpp>
#include <openai/json.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>

namespace openai::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using codec::stream_action;

namespace {

// One read from the connection. Small and fixed: thousands of streams may be waiting at once.
constexpr std::uint32_t read_chunk = 16 * 1024;

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
        apply(out, e.code() == asio::error::operation_aborted
                       ? rules_.on_cancelled(e.code())
                       : rules_.on_internal_failure(e.code(),
                                                    std::string("stream failure: ") + e.what()));
    } catch (const std::exception& e) {
        out = {};
        apply(out, rules_.on_internal_failure(errc::invalid_response,
                                              std::string("internal failure in the stream: ") +
                                                  e.what()));
    }
    co_return out;
}

asio::awaitable<void> stream_state::pull(next_outcome& out) {
    if (auto early = rules_.on_next(close_requested_.load(std::memory_order_acquire))) {
        apply(out, std::move(*early));
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
                rules_.count_sse_event();
                auto verdict = judge_event(out);
                decoder_.clear();
                if (apply(out, std::move(verdict)))
                    co_return;
            }
            if (ec) {
                apply(out, rules_.on_oversized_event(ec, client_->config().max_event_size));
                co_return;
            }
        }
        if (lease_->body_done()) {
            apply(out, rules_.on_end_of_body());
            co_return;
        }
        transport::deadline limit;
        if (idle_timeout_.count() > 0)
            limit = {transport::clock::now() + idle_timeout_, errc::stream_idle_timeout};
        error_code ec;
        std::string what;
        const auto n = co_await lease_->read_body(buffer_.get(), read_chunk, limit, ec, what);
        if (close_requested_.load(std::memory_order_acquire)) {
            apply(out, rules_.on_close_requested());
            co_return;
        }
        if (ec) {
            apply(out, rules_.on_read_error(ec, what));
            co_return;
        }
        if (n > 0 && !phase_times::has(meta_.times.first_body_byte))
            meta_.times.first_body_byte = std::chrono::steady_clock::now();
        begin_ = 0;
        end_ = static_cast<std::uint32_t>(n);
        bytes_received_.fetch_add(n, std::memory_order_relaxed);
    }
}

codec::stream_verdict stream_state::judge_event(next_outcome& out) {
    // Client rule: the SSE event name "error" makes an error, whatever the data says.
    if (event_.type == "error") {
        auto decoded = decoder_.decode_error();
        return decoded.ok() ? rules_.on_error_event(std::move(decoded.value))
                            : rules_.on_unreadable_error_event(decoder_.excerpt());
    }
    if (decoder_.blank())
        return rules_.on_blank_event();
    if (decoder_.is_done_marker())
        return rules_.on_done_marker();
    auto decoded = decoder_.decode_image();
    if (!decoded.ok())
        return rules_.on_undecodable(decoded.code, event_.type, decoded.message);
    switch (decoded.value.kind) {
    case event_kind::unknown: // a newer event type: delivered as an unknown_event
        out.second = std::move(decoded.value.event);
        return rules_.on_unknown_event();
    case event_kind::error:
        return rules_.on_error_event(std::move(decoded.value.error));
    case event_kind::image:
        break;
    }
    const bool completed = is_completed(decoded.value.event);
    out.second = std::move(decoded.value.event);
    return rules_.on_image(completed, begin_ == end_ && lease_->body_done());
}

bool stream_state::apply(next_outcome& out, codec::stream_verdict verdict) {
    const auto now = std::chrono::steady_clock::now;
    switch (verdict.action) {
    case stream_action::skip:
        return false;
    case stream_action::yield:
    case stream_action::yield_and_end:
        if (out.second && !is_unknown(*out.second))
            events_.fetch_add(1, std::memory_order_relaxed);
        if (out.second && is_partial(*out.second)) {
            if (!phase_times::has(meta_.times.first_partial_image))
                meta_.times.first_partial_image = now();
        } else if (out.second && is_completed(*out.second)) {
            meta_.times.completed = now();
        }
        if (verdict.action == stream_action::yield_and_end) {
            lease_->finish_exchange();
            release(true);
        }
        return true;
    case stream_action::end_clean:
        lease_->finish_exchange();
        release(true);
        return true;
    case stream_action::end_discard:
        release(false);
        return true;
    case stream_action::already_ended:
        return true;
    case stream_action::fail:
        break;
    }
    out.second.reset();
    out.first.code = verdict.code;
    out.first.message = std::move(verdict.message);
    out.first.http_status = meta_.http_status;
    out.first.request_id = meta_.request_id;
    out.first.attempts = meta_.attempts;
    out.first.outcome = verdict.outcome;
    out.first.api = std::move(verdict.api);
    release(false);
    return true;
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
        // A next() is waiting for bytes (or about to start, or to be delivered): closing the
        // socket wakes it, and it lets the connection go itself.
        if (lease_)
            lease_->close();
        return;
    }
    close_idle();
}

void stream_state::close_idle() noexcept {
    rules_.close_idle();
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

error_info concurrent_info(const stream_state& state) {
    error_info info;
    info.code = errc::concurrent_next;
    info.message = "next() was called while another next() on the same stream is pending; "
                   "await each next() before asking for the following event";
    info.request_id = state.metadata().request_id;
    return info;
}

} // namespace

void start_next(std::shared_ptr<stream_state> state,
                operation_handler<std::optional<image_event>> handler) {
    if (!state)
        return complete_with_failure(asio::system_executor(), std::move(handler), closed_info());
    if (!state->try_begin())
        return complete_with_failure(state->client_executor(), std::move(handler),
                                     concurrent_info(*state));
    const auto strand = state->strand();
    const auto io = state->client_executor();
    start_operation(strand, io, run_next(state), std::move(handler),
                    [state] { state->end_next(); });
}

void close_stream(const std::shared_ptr<stream_state>& state) noexcept {
    if (state)
        stream_state::request_close(state);
}

const response_metadata& stream_metadata(const stream_state& state) noexcept {
    return state.metadata();
}

const asio::any_io_executor& stream_executor(const stream_state& state) noexcept {
    return state.client_executor();
}

} // namespace openai::detail

namespace openai {

stream_progress image_stream::progress() const noexcept {
    return state_ ? state_->progress() : stream_progress{};
}

} // namespace openai
