// The chunked transfer coding of HTTP/1.1 (RFC 9112 section 7.1), decoded in place.
//
// Response bodies are read straight into the caller's buffer; this removes the framing from what
// arrived by moving the chunk data down over it, so a body never passes through a second buffer.
// Pieces may split the framing anywhere. Chunk extensions and trailer fields are skipped (the API
// sends neither), within bounds so a hostile server cannot make us scan forever.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace openai::codec {

class chunked_decoder {
public:
    struct result {
        std::size_t body = 0;     // chunk data now at the front of the piece
        std::size_t leftover = 0; // bytes after the end of the message (only once done())
    };

    // Decodes [data, data + size) in place. On malformed framing returns with failed() set and
    // error() naming the problem; what was decoded before it stays valid.
    result decode(char* data, std::size_t size);

    // The last chunk and the trailer section have been read.
    bool done() const noexcept { return state_ == state::done; }
    bool failed() const noexcept { return state_ == state::failed; }
    const std::string& error() const noexcept { return error_; }

private:
    enum class state {
        size,
        size_after_digits,
        extension,
        size_lf,
        data,
        data_cr,
        data_lf,
        trailer_line_start,
        trailer_line,
        final_lf,
        done,
        failed
    };

    void fail(std::string why);

    state state_ = state::size;
    std::uint64_t chunk_left_ = 0; // data bytes left in the current chunk (or its size so far)
    unsigned digits_ = 0;
    std::size_t line_bytes_ = 0;    // bytes of the current size line (extensions included)
    std::size_t trailer_bytes_ = 0; // bytes of the trailer section so far
    std::string error_;
};

} // namespace openai::codec
