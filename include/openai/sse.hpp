/// An incremental parser for server-sent events (text/event-stream), sans-I/O.
///
/// It implements WHATWG HTML "9.2.6 Interpreting an event stream" exactly: LF, CRLF and CR line
/// ends (also when a CRLF pair is split between two reads), one leading UTF-8 BOM skipped, UTF-8
/// decoded with U+FFFD replacement, comments, `data`/`event`/`id`/`retry` fields, and an unfinished
/// block discarded at the end of input. It owns no socket: bytes go in through feed(), events come
/// out one at a time, so a stream can hand out one event per read and keep the rest of a buffer.
///
/// The parser is linear in its input and never rescans a line: a `data` value is decoded straight
/// into the event being built as its bytes arrive, however many reads a multi-megabyte line spans.
#pragma once

#include <openai/error.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai::sse {

/// One dispatched event.
struct event {
    /// The `event` field, or "message" when the block had none (or an empty one).
    std::string type;
    /// The `data` lines of the block joined with '\n' (UTF-8, invalid bytes replaced by U+FFFD).
    std::string data;
    /// The last event ID at dispatch time ("" if none was ever set, or it was reset).
    std::string id;

    friend bool operator==(const event&, const event&) = default;
};

/// Limits of one parser.
struct parser_options {
    /// Most bytes of `data` plus `type` one event may hold once decoded, and also the most bytes
    /// one `id` value may hold. 0 means unlimited. Exceeding it fails with
    /// errc::event_too_large as soon as the excess arrives, without waiting for the line to end.
    std::size_t max_event_size = 64 * 1024 * 1024;
};

/// Takes an event's data as it is decoded, instead of the event holding it whole: a consumer that
/// parses the data incrementally (the client decodes image events' JSON and base64 this way) then
/// never holds a multi-megabyte event's text.
class data_sink {
public:
    /// The next piece of the current block's data: the block's `data` lines joined with '\n',
    /// exactly as event::data would hold them, in order. The first piece after a dispatch (or
    /// after finish()) starts a new block.
    virtual void on_data(std::string_view piece) = 0;

protected:
    ~data_sink() = default;
};

namespace detail {
/// Where the incremental UTF-8 decoder stands inside one field value (WHATWG Encoding's decoder:
/// the bytes of an unfinished sequence are held until it completes or proves invalid).
struct utf8_state {
    std::uint8_t needed = 0; ///< continuation bytes the current sequence still needs in total
    std::uint8_t seen = 0;   ///< continuation bytes already seen
    std::uint8_t lower = 0x80;
    std::uint8_t upper = 0xBF;
    char bytes[4] = {};
};
} // namespace detail

/// The event-stream state machine.
///
/// Pull-shaped: feed() stops right after the byte that completes an event, so the caller takes
/// that event and feeds the unconsumed rest later. Not thread-safe; one parser per stream.
class parser {
public:
    explicit parser(parser_options options = {});

    /// Consumes `input` until exactly one event has been dispatched or the input is exhausted,
    /// and returns the number of bytes consumed.
    ///
    /// When an event was dispatched, has_event() is true and take_event() moves it out; take it
    /// before feeding again (feeding while an event is pending consumes nothing). Otherwise all
    /// of `input` was consumed. Any non-empty input makes progress when no event is pending.
    ///
    /// On a violation (an event or id bigger than max_event_size) sets `ec` to
    /// errc::event_too_large; the parser then stays failed (every later feed() consumes nothing
    /// and reports the same error) until reset(). Otherwise `ec` is cleared.
    std::size_t feed(std::string_view input, boost::system::error_code& ec);

    /// Sends the data of every later block to `sink` (null: back to events that hold it). The
    /// parser hands over what it has decoded at the end of each feed() and before each dispatch;
    /// dispatched events then carry an empty `data`. max_event_size still counts all of it. The
    /// sink must outlive its use by the parser.
    void set_data_sink(data_sink* sink) noexcept { sink_ = sink; }

    /// True when feed() dispatched an event that take_event() has not taken yet.
    bool has_event() const noexcept { return has_event_; }

    /// Hands the dispatched event out. Precondition: has_event(); otherwise returns an empty
    /// event (all fields ""). The data comes in an exactly sized string; the parser keeps its
    /// own buffer for the next event (until finish() or reset()), so a stream of large events
    /// does not reallocate its way up to each one.
    event take_event();

    /// Like take_event(), but swaps the event into `out` and keeps the old strings of `out`
    /// (cleared) to build the next event in: a loop that reuses one `event` allocates nothing in
    /// the steady state, which matters for multi-megabyte image events. Precondition:
    /// has_event(); otherwise `out` is left as it was.
    void take_event(event& out) noexcept;

    /// End of the byte stream: an unfinished block (and line) is discarded, as WHATWG requires;
    /// there is never anything more to dispatch. A pending event stays available. The last event
    /// ID and retry survive, as they would across an EventSource reconnection, and later input
    /// is read as a new stream (its leading BOM is skipped again).
    void finish() noexcept;

    /// The value of the last valid `retry` field (ASCII digits only, at least one; a value too
    /// big for 64 bits saturates), or nullopt if there was none.
    std::optional<std::uint64_t> retry() const noexcept { return retry_; }

    /// The last event ID (what a reconnection sends as Last-Event-ID): the value of the last
    /// `id` field without NUL (an empty one resets it to ""), taken over at each blank line as
    /// WHATWG's dispatch does, also for blocks without data. It persists across events; an `id`
    /// in a block that never ends does not count.
    const std::string& last_event_id() const noexcept { return last_event_id_; }

    /// True after feed() reported an error, until reset().
    bool failed() const noexcept { return failed_; }

    const parser_options& options() const noexcept { return options_; }

    /// Back to the freshly constructed state (options kept): no block, no pending event, no last
    /// event ID, no retry, not failed.
    void reset() noexcept;

private:
    enum class state : std::uint8_t {
        line_start,  ///< at the first byte of a line
        name,        ///< inside a field name
        value_start, ///< just after the colon: one U+0020 may follow and is dropped
        value,       ///< inside the value of a known field
        skip,        ///< inside a comment or an ignored field: wait for the line end
    };
    enum class field : std::uint8_t { data, event, id, retry, ignored };

    const char* on_line_start(const char* p);
    const char* on_name(const char* p, const char* end);
    const char* on_value(const char* p, const char* end);
    const char* on_skip(const char* p, const char* end);
    bool skip_bom(const char*& p, const char* end) noexcept;
    void begin_field();
    void append_value(const char* first, const char* last, bool ascii);
    void append_text(std::string& out, std::size_t others, const char* first, const char* last,
                     bool ascii);
    void append_retry(const char* first, const char* last) noexcept;
    void end_field();
    void next_line(char terminator) noexcept;
    void blank_line();
    /// Hands what data_ holds to the sink, if there is one.
    void drain_data();
    /// The block's data so far, handed over or not.
    std::size_t data_size() const noexcept { return data_drained_ + data_.size(); }
    bool within_limit(std::size_t used, std::size_t extra) const noexcept {
        return extra <= limit_ && used <= limit_ - extra;
    }

    parser_options options_;
    std::size_t limit_;

    std::string data_; ///< the block's data lines joined with '\n' (no trailing '\n')
    data_sink* sink_ = nullptr;
    std::size_t data_drained_ = 0; ///< bytes of the block's data already given to sink_
    std::string type_;
    /// WHATWG's "last event ID buffer" is block_id_ when block_has_id_, else last_event_id_ (its
    /// "last event ID string", which takes the buffer over at each blank line).
    std::string id_value_; ///< the value of the `id` line being read
    std::string block_id_; ///< the last valid `id` of the current block
    std::string last_event_id_;
    event event_; ///< the dispatched event, until taken
    std::optional<std::uint64_t> retry_;
    std::uint64_t retry_value_ = 0; ///< the value of the `retry` line being read
    detail::utf8_state utf8_;

    state state_ = state::line_start;
    field field_ = field::ignored;
    std::uint8_t name_size_ = 0;
    char name_[5] = {}; ///< the longest field name we act on is 5 bytes ("event", "retry")
    std::uint8_t bom_matched_ = 0;
    bool bom_pending_ = true; ///< at the very start of a stream: a BOM may still be skipped
    bool has_data_ = false;   ///< the block saw a data field (WHATWG: data buffer non-empty)
    bool after_cr_ = false;   ///< the last line ended with CR: an LF right after it is no line
    bool has_event_ = false;
    bool failed_ = false;
    bool id_has_nul_ = false;
    bool block_has_id_ = false;
    bool retry_digits_ = false;  ///< the `retry` value being read has a digit
    bool retry_invalid_ = false; ///< ... and something else
};

/// Feeds all of `input` to `p` (then finish() if `end_of_input`), calling `on_event(event&&)` for
/// each dispatched event, including one that was already pending in `p`. Returns the parser's
/// error, if any (parsing stops there).
template <class F>
boost::system::error_code parse(parser& p, std::string_view input, bool end_of_input,
                                F&& on_event) {
    boost::system::error_code ec;
    if (p.has_event())
        on_event(p.take_event());
    while (!input.empty()) {
        input.remove_prefix(p.feed(input, ec));
        if (p.has_event())
            on_event(p.take_event());
        if (ec)
            return ec;
    }
    if (end_of_input)
        p.finish();
    return ec;
}

} // namespace openai::sse
