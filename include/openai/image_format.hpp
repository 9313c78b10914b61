/// What kind of image a result holds, from its bytes: programs use it to name files by what they
/// hold and to notice a server (an OpenAI-compatible mock, a proxy) that sent back something that
/// is no image at all, instead of trusting the response's `output_format`.
#pragma once

#include <optional>
#include <string_view>

namespace openai {

/// The image formats the Images API produces (and accepts as input).
enum class image_format { png, jpeg, webp };

/// The format of `bytes` from its signature: PNG (89 50 4E 47 0D 0A 1A 0A), JPEG (FF D8 FF),
/// WebP ("RIFF", 4 length bytes, "WEBP"). std::nullopt for anything else, including text, an empty
/// result or a truncated signature. Looks at the first 12 bytes only; does not validate the rest.
/// Thread-safe, never throws.
std::optional<image_format> detect_image_format(std::string_view bytes) noexcept;

/// The API's name of the format, also a fitting file extension: "png", "jpeg", "webp".
std::string_view to_string(image_format f) noexcept;

/// "image/png", "image/jpeg", "image/webp".
std::string_view mime_type(image_format f) noexcept;

} // namespace openai
