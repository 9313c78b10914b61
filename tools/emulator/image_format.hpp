// The three image formats the Images API produces and accepts, with their wire names.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>

namespace openai::emulator {

enum class image_format { unknown, png, jpeg, webp };

/// The API's `output_format` spelling: "png", "jpeg", "webp" ("unknown" for unknown).
std::string_view to_string(image_format f) noexcept;

/// Writes to_string(f).
std::ostream& operator<<(std::ostream& os, image_format f);

/// Parses an `output_format` value ("png", "jpeg", "webp"); anything else gives nullopt.
std::optional<image_format> parse_image_format(std::string_view s) noexcept;

/// "image/png", "image/jpeg", "image/webp" ("application/octet-stream" for unknown).
std::string_view mime_type(image_format f) noexcept;

} // namespace openai::emulator
