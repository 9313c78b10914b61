// The public face of the codec's image sniffing (include/openai/image_format.hpp).
#include "codec/image_sniff.hpp"

#include <openai/image_format.hpp>

namespace openai {

std::optional<image_format> detect_image_format(std::string_view bytes) noexcept {
    const auto t = codec::sniff_image_type(bytes);
    if (!t)
        return std::nullopt;
    switch (*t) {
    case codec::image_type::png:
        return image_format::png;
    case codec::image_type::jpeg:
        return image_format::jpeg;
    case codec::image_type::webp:
        return image_format::webp;
    }
    return std::nullopt;
}

std::string_view to_string(image_format f) noexcept {
    switch (f) {
    case image_format::png:
        return "png";
    case image_format::jpeg:
        return "jpeg";
    case image_format::webp:
        return "webp";
    }
    return "bin";
}

std::string_view mime_type(image_format f) noexcept {
    switch (f) {
    case image_format::png:
        return codec::mime_type(codec::image_type::png);
    case image_format::jpeg:
        return codec::mime_type(codec::image_type::jpeg);
    case image_format::webp:
        return codec::mime_type(codec::image_type::webp);
    }
    return "application/octet-stream";
}

} // namespace openai
