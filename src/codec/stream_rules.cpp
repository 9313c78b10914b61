#include "codec/stream_rules.hpp"

#include <openai/error.hpp>

#include <boost/system/errc.hpp>

namespace openai::codec {
namespace {

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

std::optional<stream_verdict> stream_rules::on_next(bool close_requested) {
    if (close_requested)
        return on_close_requested();
    switch (phase_) {
    case phase::open:
        return std::nullopt;
    case phase::ended:
        return stream_verdict{stream_action::already_ended, {}, {}, request_outcome::unknown, {}};
    case phase::failed:
    case phase::closed:
        break;
    }
    stream_verdict verdict;
    verdict.action = stream_action::fail;
    verdict.code = errc::stream_closed;
    verdict.message = "the stream has already ended: " + end_message_;
    verdict.outcome = end_outcome_;
    return verdict;
}

stream_verdict stream_rules::on_error_event(openai::api_error error) {
    std::string message = "the server sent an error event after " + events_so_far(events_) + ": " +
                          error.message.value_or("(no message)");
    if (error.type)
        message += " [type " + *error.type + "]";
    if (error.code)
        message += " [code " + *error.code + "]";
    if (error.param && !error.param->empty())
        message += " [param " + *error.param + "]";
    auto verdict = fail(errc::stream_error_event, std::move(message), request_outcome::refused);
    verdict.api = std::move(error);
    return verdict;
}

stream_verdict stream_rules::on_unreadable_error_event(std::string_view data_excerpt) {
    openai::api_error error;
    error.message = "unreadable error event: " + std::string(data_excerpt);
    return on_error_event(std::move(error));
}

stream_verdict stream_rules::on_blank_event() {
    return {};
}

stream_verdict stream_rules::on_done_marker() {
    if (completed_seen_)
        return end(stream_action::end_discard); // the body may go on: no reuse
    return fail(errc::stream_truncated,
                "the stream sent [DONE] after " + events_so_far(events_) +
                    " without a completed event",
                request_outcome::unknown);
}

stream_verdict stream_rules::on_unknown_event() {
    // A newer event type: the caller sees it (as an unknown_event) and decides; it is not an
    // image event, so it neither counts nor ends the stream.
    stream_verdict verdict;
    verdict.action = stream_action::yield;
    return verdict;
}

stream_verdict stream_rules::on_undecodable(boost::system::error_code code, std::string_view type,
                                            std::string_view reason) {
    return fail(code,
                "event " + std::to_string(sse_events_) + " ('" + excerpt(type) +
                    "') of the stream cannot be decoded: " + std::string(reason),
                request_outcome::unknown);
}

stream_verdict stream_rules::on_image(bool completed, bool body_exhausted) {
    if (completed)
        completed_seen_ = true;
    ++events_;
    stream_verdict verdict;
    verdict.action = stream_action::yield;
    // When the body already ended with the completed event, the connection goes back now.
    if (completed_seen_ && body_exhausted) {
        phase_ = phase::ended;
        verdict.action = stream_action::yield_and_end;
    }
    return verdict;
}

stream_verdict stream_rules::on_oversized_event(boost::system::error_code code,
                                                std::size_t max_event_size) {
    return fail(code,
                "a server-sent event exceeds the maximum event size of " +
                    std::to_string(max_event_size) + " bytes (client_config::max_event_size)",
                request_outcome::unknown);
}

stream_verdict stream_rules::on_end_of_body() {
    if (completed_seen_)
        return end(stream_action::end_clean);
    return fail(errc::stream_truncated,
                "the event stream ended after " + events_so_far(events_) +
                    " without a completed event",
                request_outcome::unknown);
}

stream_verdict stream_rules::on_read_error(boost::system::error_code code, std::string_view what) {
    if (code == boost::system::errc::operation_canceled)
        return on_cancelled(code);
    if (completed_seen_)
        return end(stream_action::end_discard); // the result is whole; only the connection is lost
    return fail(code,
                std::string(what) + " (after " + events_so_far(events_) + ", no completed event)",
                request_outcome::unknown);
}

stream_verdict stream_rules::on_cancelled(boost::system::error_code code) {
    return fail(code, "next() was cancelled mid-stream; the stream is closed",
                request_outcome::unknown, phase::closed);
}

stream_verdict stream_rules::on_close_requested() {
    return fail(errc::stream_closed, "the stream was closed while next() was pending",
                request_outcome::unknown, phase::closed);
}

stream_verdict stream_rules::on_internal_failure(boost::system::error_code code,
                                                 std::string_view what) {
    return fail(code, std::string(what), request_outcome::unknown);
}

void stream_rules::close_idle() {
    if (phase_ == phase::open) {
        phase_ = phase::closed;
        end_message_ = "the stream was closed";
    }
}

stream_verdict stream_rules::fail(boost::system::error_code code, std::string message,
                                  request_outcome outcome, phase then) {
    stream_verdict verdict;
    verdict.action = stream_action::fail;
    verdict.code = code;
    verdict.message = std::move(message);
    verdict.outcome = outcome;
    end_message_ = verdict.message;
    end_outcome_ = verdict.outcome;
    phase_ = then;
    return verdict;
}

stream_verdict stream_rules::end(stream_action action) {
    phase_ = phase::ended;
    stream_verdict verdict;
    verdict.action = action;
    return verdict;
}

} // namespace openai::codec
