#include "emulator/image_probe.hpp"

#include <algorithm>
#include <cstring>

namespace openai::emulator {
namespace {

constexpr unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

std::uint32_t be32(const unsigned char* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint32_t be16(const unsigned char* p) {
    return std::uint32_t{p[0]} << 8 | p[1];
}
std::uint32_t le24(const unsigned char* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16;
}
std::uint32_t le32(const unsigned char* p) {
    return le24(p) | std::uint32_t{p[3]} << 24;
}

bool is_jpeg_sof(unsigned char code) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc;
}

} // namespace

image_format sniff_format(std::string_view bytes) noexcept {
    auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() >= 8 && std::memcmp(p, png_signature, 8) == 0)
        return image_format::png;
    if (bytes.size() >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return image_format::jpeg;
    if (bytes.size() >= 12 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0)
        return image_format::webp;
    return image_format::unknown;
}

bool image_prober::feed(std::string_view bytes) {
    run(bytes);
    return done();
}

bool image_prober::collect(std::string_view& in) {
    const std::size_t n = std::min(want_ - size_, in.size());
    std::memcpy(buf_ + size_, in.data(), n);
    size_ += n;
    in.remove_prefix(n);
    return size_ == want_;
}

void image_prober::run(std::string_view in) {
    while (!in.empty() && state_ != state::done) {
        if (state_ == state::skip) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, in.size()));
            in.remove_prefix(n);
            skip_ -= n;
            if (skip_ == 0)
                state_ = after_skip_;
            continue;
        }
        if (state_ == state::jpeg_marker || state_ == state::jpeg_marker_code) {
            // Byte-wise: fill bytes (0xFF runs) may precede a marker code.
            const auto c = static_cast<unsigned char>(in.front());
            in.remove_prefix(1);
            if (state_ == state::jpeg_marker) {
                if (c != 0xff) {
                    state_ = state::done; // not a marker where one is due: malformed
                    continue;
                }
                state_ = state::jpeg_marker_code;
                continue;
            }
            if (c == 0xff)
                continue;
            if (c == 0x01 || (c >= 0xd0 && c <= 0xd7)) { // standalone markers
                state_ = state::jpeg_marker;
                continue;
            }
            if (c == 0xd8 || c == 0xd9 || c == 0xda || c == 0x00) { // no SOF before data or end
                state_ = state::done;
                continue;
            }
            buf_[15] = c; // remember the marker code while its length is read
            expect(state::jpeg_length, 2);
            continue;
        }
        if (!collect(in))
            return;
        if (state_ == state::magic) {
            on_magic();
            continue;
        }
        on_collected();
    }
}

void image_prober::on_magic() {
    info_.format = sniff_format(std::string_view(reinterpret_cast<const char*>(buf_), size_));
    unsigned char rest[16];
    std::size_t rest_size = 0;
    switch (info_.format) {
    case image_format::png:
        expect(state::png_chunk_header, 8);
        rest_size = 4;
        std::memcpy(rest, buf_ + 8, rest_size);
        break;
    case image_format::jpeg:
        state_ = state::jpeg_marker;
        rest_size = 10; // past SOI (FF D8): the next marker starts at offset 2
        std::memcpy(rest, buf_ + 2, rest_size);
        break;
    case image_format::webp:
        expect(state::webp_chunk_header, 8);
        break;
    case image_format::unknown:
        state_ = state::done;
        break;
    }
    if (rest_size != 0)
        run(std::string_view(reinterpret_cast<const char*>(rest), rest_size));
}

void image_prober::on_collected() {
    switch (state_) {
    case state::png_chunk_header: {
        const std::uint32_t length = be32(buf_);
        const bool ihdr = std::memcmp(buf_ + 4, "IHDR", 4) == 0;
        if (first_png_chunk_ != ihdr) { // IHDR must come first, and only there
            state_ = state::done;
            return;
        }
        first_png_chunk_ = false;
        if (ihdr) {
            if (length != 13) {
                state_ = state::done;
                return;
            }
            expect(state::png_ihdr, 13);
            return;
        }
        if (std::memcmp(buf_ + 4, "IDAT", 4) == 0 || std::memcmp(buf_ + 4, "IEND", 4) == 0) {
            state_ = state::done; // ancillary chunks that matter here precede the image data
            return;
        }
        if (std::memcmp(buf_ + 4, "tRNS", 4) == 0)
            info_.has_alpha = true;
        skip(std::uint64_t{length} + 4, state::png_chunk_header, 8);
        return;
    }
    case state::png_ihdr: {
        const std::uint32_t w = be32(buf_);
        const std::uint32_t h = be32(buf_ + 4);
        const unsigned colour_type = buf_[9];
        info_.width = w;
        info_.height = h;
        info_.has_alpha = colour_type == 4 || colour_type == 6;
        skip(4, state::png_chunk_header, 8); // CRC
        return;
    }
    case state::jpeg_length: {
        const std::uint32_t length = be16(buf_);
        if (length < 2) {
            state_ = state::done;
            return;
        }
        if (is_jpeg_sof(buf_[15])) {
            if (length < 8) {
                state_ = state::done;
                return;
            }
            expect(state::jpeg_sof, 5);
            return;
        }
        skip(length - 2, state::jpeg_marker, 0);
        return;
    }
    case state::jpeg_sof:
        info_.height = be16(buf_ + 1);
        info_.width = be16(buf_ + 3);
        state_ = state::done;
        return;
    case state::webp_chunk_header:
        if (std::memcmp(buf_, "VP8X", 4) == 0)
            expect(state::webp_vp8x, 10);
        else if (std::memcmp(buf_, "VP8L", 4) == 0)
            expect(state::webp_vp8l, 5);
        else if (std::memcmp(buf_, "VP8 ", 4) == 0)
            expect(state::webp_vp8, 10);
        else
            state_ = state::done;
        return;
    case state::webp_vp8x:
        info_.has_alpha = (buf_[0] & 0x10) != 0;
        info_.width = le24(buf_ + 4) + 1;
        info_.height = le24(buf_ + 7) + 1;
        state_ = state::done;
        return;
    case state::webp_vp8l: {
        if (buf_[0] != 0x2f) {
            state_ = state::done;
            return;
        }
        const std::uint32_t bits = le32(buf_ + 1);
        info_.width = (bits & 0x3fff) + 1;
        info_.height = ((bits >> 14) & 0x3fff) + 1;
        info_.has_alpha = ((bits >> 28) & 1) != 0;
        state_ = state::done;
        return;
    }
    case state::webp_vp8:
        // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height with scale bits.
        if (buf_[3] == 0x9d && buf_[4] == 0x01 && buf_[5] == 0x2a) {
            info_.width = (std::uint32_t{buf_[6]} | std::uint32_t{buf_[7]} << 8) & 0x3fff;
            info_.height = (std::uint32_t{buf_[8]} | std::uint32_t{buf_[9]} << 8) & 0x3fff;
        }
        state_ = state::done;
        return;
    default:
        state_ = state::done;
        return;
    }
}

image_info probe(std::string_view bytes) {
    image_prober prober;
    prober.feed(bytes);
    if (!prober.done() && prober.info().format == image_format::unknown)
        return image_info{sniff_format(bytes), 0, 0, false};
    return prober.info();
}

} // namespace openai::emulator
