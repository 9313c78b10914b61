// Image type detection by magic bytes, for the Content-Type of uploaded files (the API rejects
// application/octet-stream) and for the dall-e-2 rules on PNG dimensions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace openai::codec {

/// The image formats the Images API accepts as input.
enum class image_type { png, jpeg, webp };

/// How many leading bytes of a file the functions below need to give their full answer: the
/// 8-byte PNG signature plus the IHDR chunk header and its width and height (24 bytes), rounded
/// up. Fewer bytes are accepted; they just may not be enough to decide.
inline constexpr std::size_t image_sniff_size = 32;

/// The type of an image from its first bytes: PNG signature (89 50 4E 47 0D 0A 1A 0A), JPEG SOI
/// followed by a marker (FF D8 FF), WebP ("RIFF", 4 length bytes, "WEBP"). Anything else,
/// including a truncated signature, gives std::nullopt.
std::optional<image_type> sniff_image_type(std::string_view first_bytes) noexcept;

/// "image/png", "image/jpeg", "image/webp".
std::string_view mime_type(image_type t) noexcept;

/// The usual file extension, without the dot: "png", "jpg", "webp".
std::string_view file_extension(image_type t) noexcept;

/// A name for messages: "PNG", "JPEG", "WebP".
std::string_view image_type_name(image_type t) noexcept;

/// Width and height of a PNG from its IHDR chunk, which the format requires to come first.
/// std::nullopt when the bytes are not a PNG, the first chunk is not a well-formed IHDR header,
/// or a dimension is zero or above 2^31-1 (both forbidden by the PNG specification).
std::optional<std::pair<std::uint32_t, std::uint32_t>>
png_dimensions(std::string_view first_bytes) noexcept;

/// How many leading bytes of a file `image_dimensions` reads at most: a JPEG's frame header
/// (SOFn) comes after its APPn segments (EXIF, ICC profiles), which may be long.
inline constexpr std::size_t image_dimensions_size = 64 * 1024;

/// Width and height of a PNG (IHDR), JPEG (the first SOFn frame header after the markers before
/// it) or WebP (VP8, VP8L or VP8X header). std::nullopt when the type is not one of these, the
/// header is malformed, or not within `first_bytes` (a JPEG whose metadata fills more than
/// `image_dimensions_size` bytes).
std::optional<std::pair<std::uint32_t, std::uint32_t>>
image_dimensions(std::string_view first_bytes) noexcept;

} // namespace openai::codec
