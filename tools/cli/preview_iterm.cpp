// iTerm2 inline images (https://iterm2.com/documentation-images.html), also understood by WezTerm
// and VS Code's terminal: one OSC 1337 File= sequence with the whole file in base64.
#include "preview_protocols.hpp"

#include <openai/image_format.hpp>

namespace openai::cli::preview {

std::string iterm2_image(std::string_view file, const rgba_image& pixels, const placement& where,
                         std::size_t max_bytes) {
    const auto format = detect_image_format(file);
    std::string payload;
    if ((format == image_format::png || format == image_format::jpeg) && file.size() <= max_bytes) {
        payload = std::string(file);
    } else {
        payload = encode_png(resize(pixels, where.pixel_width, where.pixel_height));
    }
    std::string out = "\x1b]1337;File=inline=1;size=" + std::to_string(payload.size()) +
                      ";width=" + std::to_string(where.columns) +
                      ";height=" + std::to_string(where.rows) + ";preserveAspectRatio=1:";
    out += base64_encode(payload);
    out += "\a\n";
    return out;
}

} // namespace openai::cli::preview
