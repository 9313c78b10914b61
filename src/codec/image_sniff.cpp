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

} // namespace openai::codec
