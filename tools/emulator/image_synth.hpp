// Synthetic images: real, decodable pictures whose content follows from the prompt.
//
// A hash of the prompt seeds the colours and shapes, so equal requests give equal bytes and
// different prompts give visibly different pictures. The image index (n > 1) reseeds the shapes;
// partial images are coarse, pixelated versions of the final picture that sharpen with each stage.
#pragma once

#include "emulator/image_format.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace openai::emulator {

/// Everything that determines an image's bytes; also the key of the image cache.
struct image_spec {
    std::string prompt;
    std::uint32_t width = 1024;
    std::uint32_t height = 1024;
    image_format format = image_format::png;
    /// `background: transparent`: an alpha channel whose background is fully transparent.
    /// PNG and WebP only (JPEG has no alpha: synthesize() throws std::invalid_argument).
    bool transparent = false;
    /// `output_compression` 0..100, used as the JPEG/WebP quality (the API's default is 100).
    /// Ignored for PNG.
    int compression = 100;
    /// Which of the `n` images (0-based): each index is a different picture.
    std::uint32_t index = 0;
    /// Streaming: with partial_count > 0 this is partial image `partial_index` (0-based) of
    /// `partial_count`, a coarser rendering of the final picture. partial_count 0: the final one.
    std::uint32_t partial_index = 0;
    std::uint32_t partial_count = 0;
    /// Benchmarks: when > 0, the encoded file is padded (with an ancillary chunk/segment of
    /// incompressible bytes) or its picture made smaller so that its size is about this many bytes.
    std::size_t payload_bytes = 0;

    bool operator==(const image_spec&) const = default;
};

/// Largest width or height synthesize() accepts (WebP's own limit is 16383).
inline constexpr std::uint32_t max_image_side = 8192;

/// Uncompressed pixels, rows top to bottom, 8 bits per channel, RGB or RGBA.
struct raster {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned channels = 3;
    std::vector<std::uint8_t> pixels;

    std::uint8_t* row(std::uint32_t y) noexcept {
        return pixels.data() + std::size_t{y} * width * channels;
    }
    const std::uint8_t* row(std::uint32_t y) const noexcept {
        return pixels.data() + std::size_t{y} * width * channels;
    }
};

/// Draws the picture for `spec` at spec.width x spec.height (format, compression and
/// payload_bytes play no part). Throws std::invalid_argument for a zero or too large side.
raster render(const image_spec& spec);

/// An encoded image file and what it holds.
struct encoded_image {
    std::string bytes;
    image_format format = image_format::png;
    /// Equal to the spec's, except when payload_bytes forced a smaller picture.
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

/// Renders and encodes `spec`, honouring payload_bytes. Throws std::invalid_argument for an
/// impossible spec (unknown format, transparent JPEG, bad size, compression outside 0..100).
encoded_image synthesize(const image_spec& spec);

} // namespace openai::emulator
