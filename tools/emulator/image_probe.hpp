// Reading just enough of an encoded image to tell its format and dimensions, without decoding it.
//
// The emulator checks uploaded images (edits, variations, masks) as they stream in and the tests
// check produced images with it, so the reader is incremental: it keeps at most a few dozen bytes
// and skips the rest (JPEG headers may sit behind tens of kilobytes of EXIF data).
#pragma once

#include "emulator/image_format.hpp"

#include <cstdint>
#include <string_view>

namespace openai::emulator {

struct image_info {
    /// From the magic bytes; unknown when they match none of PNG, JPEG, WebP.
    image_format format = image_format::unknown;
    /// Zero until the header carrying them was read (or when it is malformed).
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    /// PNG: a colour type with alpha or a tRNS chunk before IDAT. WebP: the VP8X alpha flag or the
    /// VP8L alpha hint. JPEG: never.
    bool has_alpha = false;

    /// True when format and both dimensions are known.
    bool complete() const noexcept {
        return format != image_format::unknown && width != 0 && height != 0;
    }
};

/// Incremental header reader: feed the file's bytes in pieces of any size, in order.
class image_prober {
public:
    /// Consumes `bytes`; returns true once the answer is final (further bytes are ignored).
    bool feed(std::string_view bytes);

    /// True once more bytes cannot change info().
    bool done() const noexcept { return state_ == state::done; }

    /// What is known so far. After the whole file was fed, this is the final answer.
    const image_info& info() const noexcept { return info_; }

private:
    enum class state {
        magic,
        png_chunk_header,
        png_ihdr,
        jpeg_marker,
        jpeg_marker_code,
        jpeg_length,
        jpeg_sof,
        webp_chunk_header,
        webp_vp8x,
        webp_vp8l,
        webp_vp8,
        skip,
        done,
    };

    // Collects bytes into buf_ until it holds `want_`; returns false when input ran out first.
    bool collect(std::string_view& in);
    void run(std::string_view in);
    void on_magic();
    void on_collected();
    void expect(state s, std::size_t n) {
        state_ = s;
        want_ = n;
        size_ = 0;
    }
    // Discards the next n bytes, then collects `want` bytes in state `after`.
    void skip(std::uint64_t n, state after, std::size_t want) {
        expect(after, want);
        if (n != 0) {
            after_skip_ = after;
            skip_ = n;
            state_ = state::skip;
        }
    }

    image_info info_;
    state state_ = state::magic;
    unsigned char buf_[16] = {};
    std::size_t size_ = 0;
    std::size_t want_ = 12;
    std::uint64_t skip_ = 0;
    state after_skip_ = state::done;
    bool first_png_chunk_ = true;
};

/// Probes a whole (or leading part of an) encoded image.
image_info probe(std::string_view bytes);

/// The format named by the magic bytes at the start of `bytes` (12 bytes suffice).
image_format sniff_format(std::string_view bytes) noexcept;

} // namespace openai::emulator
