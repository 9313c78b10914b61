// Helpers for the SSE parser tests: feed an input cut into pieces and collect what comes out.
#pragma once

#include <openai/sse.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace openai::sse::test {

struct outcome {
    std::vector<event> events;
    std::optional<std::uint64_t> retry;
    std::string last_event_id;
    boost::system::error_code ec;
    std::string violation; // a broken feed() contract, described; empty if none
};

// Printable form of a byte string: escapes control and non-ASCII bytes, shortens long ones.
inline std::string show(std::string_view s) {
    std::ostringstream out;
    const std::size_t shown = s.size() > 120 ? 100 : s.size();
    out << '"';
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\' || c == '"')
            out << '\\' << s[i];
        else if (c >= 0x20 && c < 0x7F)
            out << s[i];
        else
            out << "\\x"
                << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    }
    out << '"';
    if (shown != s.size())
        out << "... (" << s.size() << " bytes)";
    return out.str();
}

inline std::string show(const event& e) {
    return "{type " + show(e.type) + ", data " + show(e.data) + ", id " + show(e.id) + "}";
}

// "none" or the number, for readable comparisons of retry().
inline std::string shown(std::optional<std::uint64_t> retry) {
    return retry ? std::to_string(*retry) : "none";
}

// Collects what a parser hands to its data sink since the last dispatch.
struct collecting_sink final : data_sink {
    std::string data;
    void on_data(std::string_view piece) override {
        if (piece.empty())
            pieces_empty = true;
        data.append(piece);
    }
    bool pieces_empty = false; // a contract breach: empty pieces are never handed over
};

// Feeds `input` cut at the offsets `cuts` (ascending, each in [0, size]) in pull style, taking
// each event as it is dispatched, then calls finish(). `recycle` uses take_event(event&) with one
// event reused throughout, instead of take_event(). With `sink`, the data goes to a data sink
// and each event's data is what the sink got since the previous dispatch (the event itself must
// carry none). Checks feed()'s contract on the way.
inline outcome run(std::string_view input, const std::vector<std::size_t>& cuts,
                   parser_options options = {}, bool recycle = false, bool sink = false) {
    outcome result;
    parser p(options);
    collecting_sink collected;
    if (sink)
        p.set_data_sink(&collected);
    auto with_sink_data = [&](event e) {
        if (sink) {
            if (!e.data.empty())
                result.violation = "an event carried data although a sink was set";
            if (collected.pieces_empty)
                result.violation = "the sink was handed an empty piece";
            e.data = std::move(collected.data);
            collected.data.clear();
        }
        return e;
    };
    event reused{"stale type", "stale data", "stale id"}; // must never leak into an event
    std::size_t from = 0;
    auto feed_piece = [&](std::string_view piece) {
        while (!result.ec) {
            const std::size_t n = p.feed(piece, result.ec);
            if (n > piece.size()) {
                result.violation = "feed() consumed more than it was given";
                return;
            }
            piece.remove_prefix(n);
            if (p.has_event()) {
                if (recycle) {
                    p.take_event(reused);
                    result.events.push_back(with_sink_data(reused));
                } else {
                    result.events.push_back(with_sink_data(p.take_event()));
                }
                if (p.has_event()) {
                    result.violation = "has_event() still true after take_event()";
                    return;
                }
            } else if (!result.ec && !piece.empty()) {
                result.violation = "feed() stopped early without an event or an error";
                return;
            }
            if (piece.empty())
                return;
        }
    };
    for (const std::size_t cut : cuts) {
        feed_piece(input.substr(from, cut - from));
        from = cut;
        if (result.ec || !result.violation.empty())
            break;
    }
    if (!result.ec && result.violation.empty())
        feed_piece(input.substr(from));
    if (!result.ec) {
        p.finish();
        if (p.has_event())
            result.violation = "finish() dispatched an event";
    }
    result.retry = p.retry();
    result.last_event_id = p.last_event_id();
    return result;
}

inline outcome run(std::string_view input, parser_options options = {}) {
    return run(input, {}, options);
}

// Every offset, so that each byte arrives alone.
inline std::vector<std::size_t> every_byte(std::size_t size) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < size; ++i)
        cuts.push_back(i);
    return cuts;
}

// "" when `actual` holds exactly the `expected` events, else what differs first.
inline std::string compare(const std::vector<event>& expected, const std::vector<event>& actual) {
    for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i)
        if (!(expected[i] == actual[i]))
            return "event " + std::to_string(i) + ": expected " + show(expected[i]) + ", got " +
                   show(actual[i]);
    if (expected.size() != actual.size()) {
        std::string s = "expected " + std::to_string(expected.size()) + " events, got " +
                        std::to_string(actual.size());
        if (actual.size() > expected.size())
            s += "; first extra " + show(actual[expected.size()]);
        return s;
    }
    return {};
}

// "" when `o` is a clean run that gave exactly `expected`, else the first thing wrong.
inline std::string problems(const outcome& o, const std::vector<event>& expected) {
    if (!o.violation.empty())
        return o.violation;
    if (o.ec)
        return "error: " + o.ec.message();
    return compare(expected, o.events);
}

} // namespace openai::sse::test

namespace openai::sse {
// Lets BOOST_TEST print events in failure messages (found by argument-dependent lookup).
inline std::ostream& boost_test_print_type(std::ostream& out, const event& e) {
    return out << test::show(e);
}
} // namespace openai::sse
