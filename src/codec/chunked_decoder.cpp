#include "codec/chunked_decoder.hpp"

#include "codec/ascii.hpp"

#include <algorithm>
#include <cstring>

namespace openai::codec {

namespace {

// A size line (hex digits and extensions) longer than this is not from a real server.
constexpr std::size_t max_size_line = 4096;
constexpr std::size_t max_trailer_section = 64 * 1024;
// 15 hex digits: chunks up to 2^60 bytes, far beyond any body we accept, and no overflow.
constexpr unsigned max_size_digits = 15;

} // namespace

void chunked_decoder::fail(std::string why) {
    state_ = state::failed;
    error_ = "bad chunked encoding: " + std::move(why);
}

chunked_decoder::result chunked_decoder::decode(char* data, std::size_t size) {
    result out;
    std::size_t in = 0;
    while (in < size && state_ != state::done && state_ != state::failed) {
        const char c = data[in];
        switch (state_) {
        case state::data: {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, size - in));
            if (out.body != in)
                std::memmove(data + out.body, data + in, n);
            out.body += n;
            in += n;
            chunk_left_ -= n;
            if (chunk_left_ == 0)
                state_ = state::data_cr;
            continue;
        }
        case state::size: {
            const int v = hex_value(c);
            if (v >= 0) {
                if (++digits_ > max_size_digits) {
                    fail("chunk size too large");
                    break;
                }
                chunk_left_ = chunk_left_ * 16 + static_cast<unsigned>(v);
            } else if (digits_ == 0) {
                fail("expected a chunk size");
                break;
            } else {
                state_ = state::size_after_digits;
                continue; // look at this character again
            }
            break;
        }
        case state::size_after_digits:
            if (c == ';' || c == ' ' || c == '\t')
                state_ = state::extension;
            else if (c == '\r')
                state_ = state::size_lf;
            else
                fail("unexpected character after a chunk size");
            break;
        case state::extension:
            if (c == '\r')
                state_ = state::size_lf;
            break;
        case state::size_lf:
            if (c != '\n') {
                fail("chunk size line not ended by CRLF");
                break;
            }
            digits_ = 0;
            line_bytes_ = 0;
            state_ = chunk_left_ == 0 ? state::trailer_line_start : state::data;
            ++in;
            continue;
        case state::data_cr:
            if (c == '\r')
                state_ = state::data_lf;
            else
                fail("chunk data not followed by CRLF");
            break;
        case state::data_lf:
            if (c == '\n')
                state_ = state::size;
            else
                fail("chunk data not followed by CRLF");
            break;
        case state::trailer_line_start:
            state_ = c == '\r' ? state::final_lf : state::trailer_line;
            break;
        case state::trailer_line:
            if (c == '\n')
                state_ = state::trailer_line_start;
            break;
        case state::final_lf:
            if (c == '\n')
                state_ = state::done;
            else
                fail("trailer section not ended by CRLF");
            break;
        case state::done:
        case state::failed:
            break;
        }
        if (state_ == state::failed)
            break;
        ++in;
        if (state_ == state::size || state_ == state::size_after_digits ||
            state_ == state::extension || state_ == state::size_lf) {
            if (++line_bytes_ > max_size_line)
                fail("chunk size line too long");
        } else if (state_ == state::trailer_line || state_ == state::trailer_line_start ||
                   state_ == state::final_lf) {
            if (++trailer_bytes_ > max_trailer_section)
                fail("trailer section too long");
        }
    }
    if (state_ == state::done)
        out.leftover = size - in;
    return out;
}

} // namespace openai::codec
