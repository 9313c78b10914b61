// fit() and base64 for the preview protocols.
#include "preview_protocols.hpp"

#include <algorithm>
#include <cmath>

namespace openai::cli::preview {

placement fit(std::uint32_t width, std::uint32_t height, const terminal_geometry& terminal,
              int reserved_rows) {
    placement p;
    if (width == 0 || height == 0)
        return p;
    const double cw = terminal.cell_width > 0 ? terminal.cell_width : 8;
    const double ch = terminal.cell_height > 0 ? terminal.cell_height : 16;
    const int max_columns = std::max(1, terminal.columns);
    const int max_rows = std::max(1, terminal.rows - reserved_rows);
    const double scale = std::min({max_columns * cw / width, max_rows * ch / height, 1.0});
    const double w = width * scale;
    const double h = height * scale;
    p.columns = std::clamp(static_cast<int>(std::lround(w / cw)), 1, max_columns);
    p.rows = std::clamp(static_cast<int>(std::lround(h / ch)), 1, max_rows);
    p.pixel_width = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(w)));
    p.pixel_height = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(h)));
    return p;
}

std::string base64_encode(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = byte(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string tmux_passthrough(std::string_view sequence) {
    std::string out = "\x1bPtmux;";
    for (char c : sequence) {
        if (c == '\x1b')
            out += '\x1b';
        out += c;
    }
    out += "\x1b\\";
    return out;
}

} // namespace openai::cli::preview
