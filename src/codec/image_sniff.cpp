#include "codec/image_sniff.hpp"

namespace openai::codec {
namespace {

constexpr std::string_view png_signature{"\x89PNG\r\n\x1a\n", 8};

std::uint32_t load_be32(std::string_view s, std::size_t at) noexcept {
    const auto b = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i]));
    };
    return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

} // namespace

std::optional<image_type> sniff_image_type(std::string_view b) noexcept {
    if (b.starts_with(png_signature))
        return image_type::png;
    if (b.starts_with(std::string_view{"\xff\xd8\xff", 3}))
        return image_type::jpeg;
    if (b.size() >= 12 && b.starts_with("RIFF") && b.substr(8, 4) == "WEBP")
        return image_type::webp;
    return std::nullopt;
}

std::string_view mime_type(image_type t) noexcept {
    switch (t) {
    case image_type::png:
        return "image/png";
    case image_type::jpeg:
        return "image/jpeg";
    case image_type::webp:
        return "image/webp";
    }
    return "application/octet-stream"; // unreachable for valid enumerators
}

std::string_view file_extension(image_type t) noexcept {
    switch (t) {
    case image_type::png:
        return "png";
    case image_type::jpeg:
        return "jpg";
    case image_type::webp:
        return "webp";
    }
    return "bin";
}

std::string_view image_type_name(image_type t) noexcept {
    switch (t) {
    case image_type::png:
        return "PNG";
    case image_type::jpeg:
        return "JPEG";
    case image_type::webp:
        return "WebP";
    }
    return "unknown";
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> png_dimensions(std::string_view b) noexcept {
    // Signature (8), chunk length (4) = 13, chunk type "IHDR" (4), width (4), height (4).
    if (b.size() < 24 || !b.starts_with(png_signature))
        return std::nullopt;
    if (load_be32(b, 8) != 13 || b.substr(12, 4) != "IHDR")
        return std::nullopt;
    const std::uint32_t width = load_be32(b, 16);
    const std::uint32_t height = load_be32(b, 20);
    constexpr std::uint32_t max_dimension = 0x7fffffffu;
    if (width == 0 || height == 0 || width > max_dimension || height > max_dimension)
        return std::nullopt;
    return std::pair{width, height};
}

namespace {

std::uint32_t load_le(std::string_view b, std::size_t at, std::size_t bytes) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    return v;
}

std::uint32_t load_be16(std::string_view b, std::size_t at) noexcept {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) |
           static_cast<unsigned char>(b[at + 1]);
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> jpeg_dimensions(std::string_view b) {
    std::size_t i = 2; // after SOI
    while (i + 4 <= b.size()) {
        if (static_cast<unsigned char>(b[i]) != 0xFF)
            return std::nullopt;
        const auto marker = static_cast<unsigned char>(b[i + 1]);
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
            i += 2;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) // end of image, start of scan: no frame header
            return std::nullopt;
        const std::uint32_t length = load_be16(b, i + 2);
        if (length < 2)
            return std::nullopt;
        const bool sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            // Length (2), precision (1), height (2), width (2).
            if (i + 9 > b.size() || length < 7)
                return std::nullopt;
            const std::uint32_t height = load_be16(b, i + 5);
            const std::uint32_t width = load_be16(b, i + 7);
            if (width == 0 || height == 0)
                return std::nullopt;
            return std::pair{width, height};
        }
        i += 2 + length;
    }
    return std::nullopt;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> webp_dimensions(std::string_view b) {
    if (b.size() < 30)
        return std::nullopt;
    const std::string_view chunk = b.substr(12, 4);
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    if (chunk == "VP8 ") {
        // Frame tag (3), start code 9D 01 2A, then 14-bit width and height (little-endian).
        if (b.substr(23, 3) != "\x9d\x01\x2a")
            return std::nullopt;
        width = load_le(b, 26, 2) & 0x3FFF;
        height = load_le(b, 28, 2) & 0x3FFF;
    } else if (chunk == "VP8L") {
        // Signature 0x2F, then width-1 and height-1 in 14 bits each.
        if (static_cast<unsigned char>(b[20]) != 0x2F)
            return std::nullopt;
        const std::uint32_t bits = load_le(b, 21, 4);
        width = (bits & 0x3FFF) + 1;
        height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (chunk == "VP8X") {
        // Flags (4), then canvas width-1 and height-1 in 24 bits each.
        width = load_le(b, 24, 3) + 1;
        height = load_le(b, 27, 3) + 1;
    } else {
        return std::nullopt;
    }
    if (width == 0 || height == 0)
        return std::nullopt;
    return std::pair{width, height};
}

} // namespace

std::optional<std::pair<std::uint32_t, std::uint32_t>>
image_dimensions(std::string_view b) noexcept {
    switch (sniff_image_type(b).value_or(image_type::png)) {
    case image_type::png:
        return png_dimensions(b);
    case image_type::jpeg:
        return jpeg_dimensions(b);
    case image_type::webp:
        return webp_dimensions(b);
    }
    return std::nullopt;
}

} // namespace openai::codec
