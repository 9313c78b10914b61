// What each thing that happens to an image stream means, as a socket-free state machine: the
// stream's coroutine (src/api/image_stream.cpp) reads bytes, feeds the SSE parser and the event
// decoder, and asks these rules what to do with the result: hand an event to the caller, skip it,
// end cleanly (the connection goes back to the pool), end but discard the connection, or fail
// with an error code, a message and an outcome. Tested without a socket
// (test/unit/stream_rules_test.cpp).
//
// Not thread-safe: used by the one next() that owns the stream at the time.
#pragma once

#include <openai/api_error.hpp>
#include <openai/request_error.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai::codec {

enum class stream_action : std::uint8_t {
    yield,         // hand the event to the caller; more may follow
    yield_and_end, // hand the completed event over; the body ended with it: connection back
                   // to the pool now (the caller may stop without asking for the end)
    skip,          // nothing for the caller (a keep-alive, an event type to ignore): read on
    end_clean,     // next() yields nullopt; the connection goes back to the pool
    end_discard,   // next() yields nullopt; the connection is closed (it cannot be reused)
    already_ended, // next() yields nullopt again; nothing to release
    fail,          // next() fails with `code` and `message`; the connection is closed
};

struct stream_verdict {
    stream_action action = stream_action::skip;
    boost::system::error_code code; // for fail
    std::string message;            // for fail
    request_outcome outcome = request_outcome::unknown;
    std::optional<openai::api_error> api; // an error event's facts
};

class stream_rules {
public:
    enum class phase : std::uint8_t {
        open,   // events may follow
        ended,  // the clean end was reported (or is due): next() yields nullopt
        failed, // an error was reported
        closed, // closed by close() or a cancellation
    };

    // At the start of a next(): nullopt to go and read, or the answer without reading (a stream
    // that already ended, failed or was closed).
    std::optional<stream_verdict> on_next(bool close_requested);

    // ---- what one dispatched server-sent event turned out to be
    // The SSE event name "error", or a data object that is an error: the server refused.
    stream_verdict on_error_event(openai::api_error error);
    // An error event whose data could not be read; `excerpt` is the start of it.
    stream_verdict on_unreadable_error_event(std::string_view excerpt);
    stream_verdict on_blank_event();   // a keep-alive with an empty data line
    stream_verdict on_done_marker();   // "[DONE]", the end marker of the SDKs' other streams
    stream_verdict on_unknown_event(); // a type this client does not know: yielded as is
    // An event that cannot be decoded; `type` is its SSE event name.
    stream_verdict on_undecodable(boost::system::error_code code, std::string_view type,
                                  std::string_view reason);
    // A partial or completed image event. `body_exhausted`: nothing of the body is left to read.
    stream_verdict on_image(bool completed, bool body_exhausted);
    stream_verdict on_oversized_event(boost::system::error_code code, std::size_t max_event_size);

    // ---- what happened to the connection
    stream_verdict on_end_of_body();
    stream_verdict on_read_error(boost::system::error_code code, std::string_view what);
    stream_verdict on_cancelled(boost::system::error_code code); // next() cancelled mid-stream
    stream_verdict on_close_requested();                         // close() while next() was pending
    stream_verdict on_internal_failure(boost::system::error_code code, std::string_view what);
    // close() while no next() was pending.
    void close_idle();

    phase current() const noexcept { return phase_; }
    bool completed_seen() const noexcept { return completed_seen_; }
    std::uint64_t events() const noexcept { return events_; } // image events yielded
    std::uint64_t sse_events() const noexcept { return sse_events_; }
    // Count one dispatched server-sent event (skipped ones included), for messages.
    void count_sse_event() noexcept { ++sse_events_; }

private:
    stream_verdict fail(boost::system::error_code code, std::string message,
                        request_outcome outcome, phase then = phase::failed);
    stream_verdict end(stream_action action);

    phase phase_ = phase::open;
    bool completed_seen_ = false;
    std::uint64_t events_ = 0;
    std::uint64_t sse_events_ = 0;
    std::string end_message_; // why the stream failed or closed, for later calls
    request_outcome end_outcome_ = request_outcome::unknown;
};

} // namespace openai::codec
