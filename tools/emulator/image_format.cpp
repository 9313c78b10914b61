#include "emulator/image_format.hpp"

#include <ostream>

namespace openai::emulator {

std::string_view to_string(image_format f) noexcept {
    switch (f) {
    case image_format::png:
        return "png";
    case image_format::jpeg:
        return "jpeg";
    case image_format::webp:
        return "webp";
    case image_format::unknown:
        break;
    }
    return "unknown";
}

std::ostream& operator<<(std::ostream& os, image_format f) {
    return os << to_string(f);
}

std::optional<image_format> parse_image_format(std::string_view s) noexcept {
    if (s == "png")
        return image_format::png;
    if (s == "jpeg")
        return image_format::jpeg;
    if (s == "webp")
        return image_format::webp;
    return std::nullopt;
}

std::string_view mime_type(image_format f) noexcept {
    switch (f) {
    case image_format::png:
        return "image/png";
    case image_format::jpeg:
        return "image/jpeg";
    case image_format::webp:
        return "image/webp";
    case image_format::unknown:
        break;
    }
    return "application/octet-stream";
}

} // namespace openai::emulator
