// Pixels for previews: PNG, JPEG and WebP decoded (libpng, libjpeg, libwebp) into 8-bit RGBA under
// fixed bounds, scaled down by area averaging, flattened onto a background, and re-encoded as PNG
// for the terminal protocols that need one. Pure functions of their inputs (no terminal, no files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::preview {

// A preview could not be made (undecodable or oversized image); never a failure of the command.
struct preview_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Rows top to bottom, 4 bytes per pixel: R, G, B, A (not premultiplied).
struct rgba_image {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> pixels;

    const std::uint8_t* at(std::uint32_t x, std::uint32_t y) const noexcept {
        return pixels.data() + (std::size_t{y} * width + x) * 4;
    }
    std::uint8_t* at(std::uint32_t x, std::uint32_t y) noexcept {
        return pixels.data() + (std::size_t{y} * width + x) * 4;
    }
};

struct rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const rgb&) const = default;
};

// What a preview agrees to decode: larger files or pictures are refused before decoding.
struct decode_limits {
    std::size_t max_bytes = std::size_t{64} << 20;      // 64 MiB of encoded image
    std::uint64_t max_pixels = std::uint64_t{16} << 20; // 16 megapixels
};

// Decodes a PNG, JPEG or WebP (told apart by their signatures). Throws preview_error saying why
// not (unknown format, over a limit, corrupt data).
rgba_image decode_image(std::string_view bytes, const decode_limits& limits = {});

// The picture scaled to width x height (each at least 1): every output pixel is the average of
// the source pixels whose centres fall in its area (at least the nearest one), alpha-weighted.
rgba_image resize(const rgba_image& image, std::uint32_t width, std::uint32_t height);

// Composites every pixel over `background`, leaving alpha 255.
void flatten(rgba_image& image, rgb background);

// The image as a PNG (RGBA, 8 bits). Throws preview_error.
std::string encode_png(const rgba_image& image);

} // namespace openai::cli::preview
