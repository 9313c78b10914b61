// The Kitty graphics protocol (https://sw.kovidgoyal.net/kitty/graphics-protocol/): transmit and
// display (a=T) a PNG (f=100) directly (t=d), in chunks (m=1 ... m=0), scaled by the terminal to
// c columns and r rows.
#include "preview_protocols.hpp"

#include <openai/image_format.hpp>

namespace openai::cli::preview {

std::string kitty_image(std::string_view file, const rgba_image& pixels, const placement& where,
                        std::uint32_t id, std::size_t max_png_bytes) {
    std::string png;
    if (detect_image_format(file) == image_format::png && file.size() <= max_png_bytes) {
        png = std::string(file);
    } else {
        auto small = resize(pixels, where.pixel_width, where.pixel_height);
        png = encode_png(small);
    }
    const std::string data = base64_encode(png);
    constexpr std::size_t chunk = 4096;
    std::string out;
    out.reserve(data.size() + data.size() / chunk * 16 + 96);
    for (std::size_t at = 0; at < data.size(); at += chunk) {
        const bool last = at + chunk >= data.size();
        out += "\x1b_G";
        if (at == 0)
            out += "a=T,f=100,t=d,q=2,i=" + std::to_string(id) +
                   ",c=" + std::to_string(where.columns) + ",r=" + std::to_string(where.rows) + ",";
        out += last ? "m=0;" : "m=1;";
        out.append(data, at, std::min(chunk, data.size() - at));
        out += "\x1b\\";
    }
    out += '\n';
    return out;
}

std::string delete_kitty_image(std::uint32_t id) {
    // d=I: the placements of image `id` and its data.
    return "\x1b_Ga=d,d=I,q=2,i=" + std::to_string(id) + "\x1b\\";
}

} // namespace openai::cli::preview
