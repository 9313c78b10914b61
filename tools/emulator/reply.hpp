// What the handlers decide to answer (a `reply`) and how it goes on the wire (a `wire_plan`):
// status line, headers, a Content-Length body or a chunked event stream, timing, and the
// byte-level faults. Sans-I/O: the server only waits the delays and writes the bytes.
#pragma once

#include "emulator/api_errors.hpp"
#include "emulator/byte_list.hpp"
#include "emulator/fault.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace openai::emulator {

/// One server-sent event: `event: NAME` and one `data:` line (the JSON has no line breaks).
struct sse_event {
    std::string name;
    byte_list data;
    /// A partial image event: sse-error-after / sse-cut-after count these.
    bool partial = false;
};

struct reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    /// Extra headers (x-request-id, rate limits, retry-after ...), in order.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The body of a non-streamed reply.
    byte_list body;

    /// A `text/event-stream` reply: `events` sent as chunks, `event_interval` apart.
    bool stream = false;
    std::vector<sse_event> events;
    std::chrono::milliseconds event_interval{0};
    /// The body (after the `sse-error-after` fault) of the `event: error` it sends.
    std::string stream_error_json;

    /// Time before the head (the emulated generation time).
    std::chrono::milliseconds latency{0};
    /// Close the connection after this reply.
    bool close = false;
    /// Announce the whole body but send only its first this many bytes, then close (a download
    /// cut short: `--truncate-file-content`).
    std::optional<std::size_t> cut_body_after;
};

/// A run of bytes to write after waiting `delay`.
struct wire_segment {
    std::chrono::milliseconds delay{0};
    byte_list bytes;
    /// False for the response head: `max_write` applies to the body only.
    bool body = true;
};

struct wire_plan {
    std::vector<wire_segment> segments;
    /// Each write carries at most this many body bytes (0: no limit). From `sse-split`.
    std::size_t max_write = 0;
    /// Write about this many bytes per second (0: as fast as possible). From `drip-bytes-per-s`.
    std::uint64_t drip_bytes_per_s = 0;
    /// Reset the connection once this many bytes were written. From `reset-after-bytes`.
    std::optional<std::uint64_t> reset_after_bytes;
    /// Close (gracefully) after the last segment.
    bool close_after = false;
    /// Send nothing at all and close. From `close-without-response`.
    bool no_response = false;

    /// Every byte of the plan, in order (tests; the server writes segment by segment).
    std::string flatten() const;
};

/// Lays `r` out on the wire for a request that allows keep-alive (`keep_alive`) and, when a
/// fault fires, applies its byte-level parts (delays, drip, reset, truncation, malformed JSON,
/// SSE line endings, comments, error/cut, split). Status-replacing faults (`status`, `html-502`,
/// `close-without-response`) are decided before the reply is built; see `fault_reply`.
wire_plan make_wire_plan(const reply& r, const fault_spec* fault, bool keep_alive);

/// The reply a status-replacing fault gives instead of the real one, if `fault` has one:
/// `close-without-response`, `html-502`, or `status=N` with the API's error body and the
/// retry headers. Returns nullopt when the request should be served normally.
std::optional<reply> fault_reply(const fault_spec& fault);

/// An error answer: its status and the API's error envelope as the body.
reply to_reply(const error_reply& e);

/// The retry headers (`retry-after`, `retry-after-ms`, `x-should-retry`) a fault asks for.
void add_retry_headers(reply& r, const fault_spec& fault);

/// The reason phrase for a status ("OK", "Bad Request" ...).
std::string_view reason_phrase(unsigned status) noexcept;

/// The HTTP date for `t` (`Sun, 06 Nov 1994 08:49:37 GMT`).
std::string http_date(std::chrono::system_clock::time_point t);

/// The `event:`/`data:` framing of one event with the given line ending.
byte_list frame_event(const sse_event& ev, line_ending eol);

} // namespace openai::emulator
