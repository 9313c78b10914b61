// The fallback every colour terminal shows: two pixels per cell with the upper half block U+2580.
#include "preview_protocols.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace openai::cli::preview {
namespace {

constexpr std::array<int, 6> cube_levels{0, 95, 135, 175, 215, 255};

int nearest_level(int v) {
    int best = 0;
    for (int i = 1; i < 6; ++i)
        if (std::abs(cube_levels[i] - v) < std::abs(cube_levels[best] - v))
            best = i;
    return best;
}

int distance(rgb a, rgb b) {
    const int dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
    return dr * dr + dg * dg + db * db;
}

void append_color(std::string& out, bool foreground, rgb c, bool truecolor) {
    out += foreground ? "38;" : "48;";
    if (truecolor) {
        out += "2;" + std::to_string(c.r) + ";" + std::to_string(c.g) + ";" + std::to_string(c.b);
    } else {
        out += "5;" + std::to_string(xterm256_index(c));
    }
}

} // namespace

rgb xterm256_color(int index) {
    if (index >= 232) {
        const auto v = static_cast<std::uint8_t>(8 + 10 * (index - 232));
        return {v, v, v};
    }
    if (index >= 16) {
        const int i = index - 16;
        return {static_cast<std::uint8_t>(cube_levels[static_cast<std::size_t>(i / 36)]),
                static_cast<std::uint8_t>(cube_levels[static_cast<std::size_t>(i / 6 % 6)]),
                static_cast<std::uint8_t>(cube_levels[static_cast<std::size_t>(i % 6)])};
    }
    return {}; // the 16 system colours vary by terminal: never chosen
}

int xterm256_index(rgb c) {
    const int cube = 16 + 36 * nearest_level(c.r) + 6 * nearest_level(c.g) + nearest_level(c.b);
    const int mean = (c.r + c.g + c.b) / 3;
    const int grey = 232 + std::clamp((mean - 3) / 10, 0, 23);
    return distance(xterm256_color(grey), c) < distance(xterm256_color(cube), c) ? grey : cube;
}

std::string blocks_image(const rgba_image& pixels, const placement& where, bool truecolor) {
    auto image = resize(pixels, static_cast<std::uint32_t>(where.columns),
                        static_cast<std::uint32_t>(where.rows) * 2);
    flatten(image, rgb{});
    std::string out;
    for (std::uint32_t y = 0; y + 1 < image.height; y += 2) {
        bool have = false;
        rgb fg, bg;
        for (std::uint32_t x = 0; x < image.width; ++x) {
            const auto* t = image.at(x, y);
            const auto* b = image.at(x, y + 1);
            const rgb top{t[0], t[1], t[2]}, bottom{b[0], b[1], b[2]};
            const bool same_fg =
                have && (truecolor ? fg == top : xterm256_index(fg) == xterm256_index(top));
            const bool same_bg =
                have && (truecolor ? bg == bottom : xterm256_index(bg) == xterm256_index(bottom));
            if (!same_fg || !same_bg) {
                out += "\x1b[";
                if (!same_fg)
                    append_color(out, true, top, truecolor);
                if (!same_fg && !same_bg)
                    out += ';';
                if (!same_bg)
                    append_color(out, false, bottom, truecolor);
                out += 'm';
            }
            fg = top;
            bg = bottom;
            have = true;
            out += "\u2580";
        }
        out += "\x1b[0m\n";
    }
    return out;
}

} // namespace openai::cli::preview
