// The state behind one openai::image_stream: the leased connection, the incremental SSE parser
// and event decoder, a small read buffer, and the stream rules (codec::stream_rules) that decide
// what each event, the end of the body or a read error means. Shared by the handle and a pending
// next(), so that destroying the handle while next() runs is safe.
//
// Threading: next() runs as a coroutine on `strand`. `busy` says whether one is pending: from
// its initiation until its handler is invoked (cleared just before), so a second next() is
// refused deterministically, whatever the timing of the read. close() acts in place when none is
// pending, and otherwise on the strand (it then only closes the socket, and the pending next()
// lets the connection go). Everything else is touched only by whoever owns the stream at that
// moment, ordered by `busy` (acquire/release).
#pragma once

#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "codec/event_decoder.hpp"
#include "codec/stream_rules.hpp"
#include "transport/connection_pool.hpp"

#include <openai/image_stream.hpp>
#include <openai/json.hpp>
#include <openai/request_error.hpp>
#include <openai/response_metadata.hpp>
#include <openai/sse.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace openai::detail {

using next_outcome = operation_result<std::optional<image_event>>;

class stream_state {
public:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    stream_state(std::shared_ptr<client_impl> client, strand_type strand);
    ~stream_state();

    stream_state(const stream_state&) = delete;
    stream_state& operator=(const stream_state&) = delete;

    const strand_type& strand() const noexcept { return strand_; }
    // request_options::keep_unknown_fields of the call that opens the stream.
    void keep_unknown_fields(bool on) noexcept { decoder_.keep_unknown_fields(on); }
    const boost::asio::any_io_executor& client_executor() const noexcept {
        return client_->executor();
    }

    // The opening exchange hands over the connection whose response head it has read, and the
    // silence allowed between two reads (zero: none).
    void adopt(transport::lease lease, std::chrono::milliseconds idle_timeout);
    response_metadata& metadata() noexcept { return meta_; }
    const response_metadata& metadata() const noexcept { return meta_; }

    // Claims the stream for one next(); false when another one is pending.
    bool try_begin() noexcept { return !busy_.exchange(true, std::memory_order_acq_rel); }
    // Runs one next() (on the strand).
    boost::asio::awaitable<next_outcome> next();
    // Releases the claim: called just before the next()'s handler is invoked.
    void end_next() noexcept { busy_.store(false, std::memory_order_release); }

    // close(): see the header comment.
    static void request_close(const std::shared_ptr<stream_state>& self) noexcept;

    stream_progress progress() const noexcept {
        return {bytes_received_.load(std::memory_order_relaxed),
                events_.load(std::memory_order_relaxed)};
    }

private:
    boost::asio::awaitable<void> pull(next_outcome& out);
    // What the event just taken from the parser means (its image, if any, goes to `out`).
    codec::stream_verdict judge_event(next_outcome& out);
    // Carries out a verdict; true when next() has its answer.
    bool apply(next_outcome& out, codec::stream_verdict verdict);
    // Lets the connection go: back to the pool when `clean`, else closed. Frees the buffers.
    void release(bool clean) noexcept;
    // On the strand, for request_close().
    void close_on_strand() noexcept;
    // When no next() is pending.
    void close_idle() noexcept;

    std::shared_ptr<client_impl> client_; // keeps the configuration and the pool alive
    strand_type strand_;
    transport::lease lease_;
    response_metadata meta_;
    std::chrono::milliseconds idle_timeout_{0};
    codec::stream_rules rules_;
    std::optional<sse::parser> parser_; // from the first next() until the end
    codec::event_decoder decoder_;      // takes each event's data from the parser as it arrives
    sse::event event_;                  // type and id of the dispatched event (data: decoder_)
    std::unique_ptr<char[]> buffer_;    // read chunk; [begin_, end_) not yet fed to the parser
    std::uint32_t begin_ = 0;
    std::uint32_t end_ = 0;
    std::atomic<bool> busy_{false};
    std::atomic<bool> close_requested_{false};
    std::atomic<std::uint64_t> bytes_received_{0};
    std::atomic<std::uint64_t> events_{0};
};

} // namespace openai::detail
