#include "codec/sse_scan.hpp"

#include <openai/sse.hpp>

#include <cstring>
#include <limits>
#include <utility>

namespace openai::sse {

parser::parser(parser_options options)
    : options_(options)
    , limit_(options.max_event_size == 0 ? std::numeric_limits<std::size_t>::max()
                                         : options.max_event_size) {}

std::size_t parser::feed(std::string_view input, boost::system::error_code& ec) {
    ec.clear();
    if (failed_) {
        ec = errc::event_too_large;
        return 0;
    }
    if (has_event_ || input.empty())
        return 0;
    const char* const first = input.data();
    const char* const end = first + input.size();
    const char* p = first;
    if (bom_pending_ && !skip_bom(p, end))
        return input.size();
    while (p != end && !has_event_ && !failed_) {
        switch (state_) {
        case state::line_start:
            p = on_line_start(p);
            break;
        case state::name:
            p = on_name(p, end);
            break;
        case state::value_start:
            if (*p == ' ')
                ++p;
            state_ = state::value;
            break;
        case state::value:
            p = on_value(p, end);
            break;
        case state::skip:
            p = on_skip(p, end);
            break;
        }
    }
    if (failed_)
        ec = errc::event_too_large;
    drain_data();
    return static_cast<std::size_t>(p - first);
}

void parser::drain_data() {
    if (sink_ == nullptr || data_.empty())
        return;
    sink_->on_data(data_);
    data_drained_ += data_.size();
    data_.clear(); // keeps its capacity: about one read's worth
}

event parser::take_event() {
    if (!has_event_)
        return {};
    has_event_ = false;
    // The data is copied into an exactly sized string and the buffer kept for the next event:
    // handing the buffer over would make every event regrow one from nothing by doubling, which
    // touches twice its size in fresh pages and measured several times slower for 16 MB events.
    event out{std::move(event_.type), event_.data, std::move(event_.id)};
    event_.data.clear();
    data_.swap(event_.data); // data_ is empty: feed() stops right after a dispatch
    return out;
}

void parser::take_event(event& out) noexcept {
    if (!has_event_)
        return;
    has_event_ = false;
    // event_ gets the caller's old buffers: blank_line() swaps them in for the next block.
    out.type.swap(event_.type);
    out.data.swap(event_.data);
    out.id.swap(event_.id);
    event_.type.clear();
    event_.data.clear();
    event_.id.clear();
}

void parser::finish() noexcept {
    // Swapping with empty strings (rather than clear()) gives back what a huge block held.
    std::string().swap(data_);
    std::string().swap(type_);
    std::string().swap(id_value_);
    block_has_id_ = false; // the discarded block's id does not count
    has_data_ = false;
    data_drained_ = 0;
    utf8_ = {};
    state_ = state::line_start;
    field_ = field::ignored;
    name_size_ = 0;
    after_cr_ = false;
    bom_pending_ = true;
    bom_matched_ = 0;
}

void parser::reset() noexcept {
    finish();
    std::string().swap(last_event_id_);
    std::string().swap(block_id_);
    event_ = event{};
    has_event_ = false;
    retry_.reset();
    failed_ = false;
}

// WHATWG decodes the byte stream as UTF-8 first, which drops one leading BOM. The BOM may arrive
// split across reads, so the bytes matched so far are remembered. Returns false while undecided.
bool parser::skip_bom(const char*& p, const char* end) noexcept {
    static constexpr unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    for (; p != end; ++p) {
        if (static_cast<unsigned char>(*p) != bom[bom_matched_]) {
            // EF or EF BB then something else decodes to U+FFFD starting the first line's name:
            // no field we act on starts so, so the line is ignored like any unknown field.
            if (bom_matched_ != 0)
                state_ = state::skip;
            bom_pending_ = false;
            bom_matched_ = 0;
            return true;
        }
        if (++bom_matched_ == sizeof bom) {
            ++p;
            bom_pending_ = false;
            bom_matched_ = 0;
            return true;
        }
    }
    return false;
}

const char* parser::on_line_start(const char* p) {
    if (after_cr_) {
        after_cr_ = false;
        if (*p == '\n')
            return p + 1; // the second half of a CRLF whose CR ended the previous line
    }
    const char c = *p;
    if (c == '\n' || c == '\r') {
        next_line(c);
        blank_line();
        return p + 1;
    }
    if (c == ':') {
        state_ = state::skip; // a comment
        return p + 1;
    }
    name_size_ = 0;
    state_ = state::name;
    return p;
}

const char* parser::on_name(const char* p, const char* end) {
    for (; p != end; ++p) {
        const char c = *p;
        if (c == ':') {
            begin_field();
            state_ = field_ == field::ignored ? state::skip : state::value_start;
            return p + 1;
        }
        if (c == '\n' || c == '\r') {
            // A field name without colon: the whole line is the name, the value is empty.
            begin_field();
            end_field();
            next_line(c);
            return p + 1;
        }
        if (name_size_ == sizeof name_) {
            state_ = state::skip; // longer than any field we act on
            return p;
        }
        name_[name_size_++] = c;
    }
    return p;
}

const char* parser::on_value(const char* p, const char* end) {
    const detail::line_scan scan = detail::find_line_end(p, end);
    append_value(p, scan.end_of_line, scan.ascii);
    if (failed_ || scan.end_of_line == end)
        return scan.end_of_line;
    end_field();
    next_line(*scan.end_of_line);
    return scan.end_of_line + 1;
}

const char* parser::on_skip(const char* p, const char* end) {
    const char* eol = detail::find_line_end(p, end).end_of_line;
    if (eol == end)
        return end;
    next_line(*eol);
    return eol + 1;
}

void parser::begin_field() {
    const std::string_view name(name_, name_size_);
    utf8_ = {};
    if (name == "data") {
        field_ = field::data;
        // Lines are joined with '\n' as they come rather than each followed by one that is
        // stripped at dispatch, so data_ always holds exactly what the event would carry.
        if (has_data_) {
            if (!within_limit(data_size() + type_.size(), 1)) {
                failed_ = true;
                return;
            }
            data_.push_back('\n');
        }
        has_data_ = true;
    } else if (name == "event") {
        field_ = field::event;
        type_.clear();
    } else if (name == "id") {
        field_ = field::id;
        id_value_.clear();
        id_has_nul_ = false;
    } else if (name == "retry") {
        field_ = field::retry;
        retry_value_ = 0;
        retry_digits_ = false;
        retry_invalid_ = false;
    } else {
        field_ = field::ignored;
    }
}

void parser::append_value(const char* first, const char* last, bool ascii) {
    if (first == last)
        return;
    switch (field_) {
    case field::data:
        append_text(data_, type_.size() + data_drained_, first, last, ascii);
        break;
    case field::event:
        append_text(type_, data_size(), first, last, ascii);
        break;
    case field::id:
        if (id_has_nul_)
            break;
        if (const void* nul = std::memchr(first, '\0', static_cast<std::size_t>(last - first))) {
            // The bytes before the NUL still count toward the limit, as they do when they come
            // in an earlier read: the verdict must not depend on where reads split the line.
            append_text(id_value_, 0, first, static_cast<const char*>(nul), ascii);
            id_has_nul_ = true; // the whole field is ignored: keep nothing of it
            id_value_.clear();
            break;
        }
        append_text(id_value_, 0, first, last, ascii);
        break;
    case field::retry:
        append_retry(first, last);
        break;
    case field::ignored:
        break;
    }
}

void parser::append_text(std::string& out, std::size_t others, const char* first, const char* last,
                         bool ascii) {
    const auto size = static_cast<std::size_t>(last - first);
    // Decoding never shrinks its input, so this check never refuses what would fit, and it
    // refuses before allocating.
    if (!within_limit(out.size() + others, size)) {
        failed_ = true;
        return;
    }
    if (ascii && utf8_.needed == 0) {
        out.append(first, size);
        return;
    }
    detail::append_utf8(out, first, last, utf8_);
    // The bytes of an unfinished sequence count too: each becomes at least one byte of output,
    // so output plus held bytes only grows as bytes arrive, and checking it after every piece
    // gives the same verdict however reads split the value.
    const std::size_t held = utf8_.needed != 0 ? 1u + utf8_.seen : 0u;
    if (!within_limit(out.size() + held, others))
        failed_ = true;
}

void parser::append_retry(const char* first, const char* last) noexcept {
    if (retry_invalid_)
        return;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    for (const char* p = first; p != last; ++p) {
        if (*p < '0' || *p > '9') {
            retry_invalid_ = true;
            return;
        }
        const auto digit = static_cast<std::uint64_t>(*p - '0');
        retry_value_ = retry_value_ > (max - digit) / 10 ? max : retry_value_ * 10 + digit;
        retry_digits_ = true;
    }
}

void parser::end_field() {
    switch (field_) {
    case field::data:
        detail::flush_utf8(data_, utf8_);
        if (!within_limit(data_size(), type_.size()))
            failed_ = true;
        break;
    case field::event:
        detail::flush_utf8(type_, utf8_);
        if (!within_limit(type_.size(), data_size()))
            failed_ = true;
        break;
    case field::id:
        detail::flush_utf8(id_value_, utf8_);
        if (!within_limit(id_value_.size(), 0)) {
            failed_ = true;
            break;
        }
        if (!id_has_nul_) {
            block_id_.swap(id_value_);
            block_has_id_ = true;
        }
        id_value_.clear();
        break;
    case field::retry:
        if (retry_digits_ && !retry_invalid_)
            retry_ = retry_value_;
        break;
    case field::ignored:
        break;
    }
    field_ = field::ignored;
}

void parser::next_line(char terminator) noexcept {
    after_cr_ = terminator == '\r';
    state_ = state::line_start;
}

void parser::blank_line() {
    if (block_has_id_) {
        last_event_id_.swap(block_id_);
        block_has_id_ = false;
    }
    if (!has_data_) {
        type_.clear(); // WHATWG: a block without data resets the type and dispatches nothing
        return;
    }
    drain_data(); // with a sink, the event carries no data
    data_drained_ = 0;
    // Swapping, not moving, hands the recycled buffers of take_event(event&) to the next block.
    if (type_.empty())
        event_.type.assign("message");
    else
        event_.type.swap(type_);
    event_.data.swap(data_);
    event_.id.assign(last_event_id_);
    type_.clear();
    data_.clear();
    has_data_ = false;
    has_event_ = true;
}

} // namespace openai::sse
