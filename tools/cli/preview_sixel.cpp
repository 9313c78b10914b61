// DEC Sixel with a palette of at most 256 colours chosen by median cut over a 15-bit histogram.
#include "preview_protocols.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace openai::cli::preview {
namespace {

constexpr int bits = 5;
constexpr int levels = 1 << bits;

int bin_of(const std::uint8_t* p) {
    return ((p[0] >> (8 - bits)) << (2 * bits)) | ((p[1] >> (8 - bits)) << bits) |
           (p[2] >> (8 - bits));
}

struct bin {
    std::uint64_t count = 0;
    std::uint64_t sum[3] = {0, 0, 0};
};

struct box {
    std::vector<int> bins; // indices into the histogram, non-empty bins only
    std::uint64_t count = 0;
};

int channel(int b, int c) {
    return (b >> (bits * (2 - c))) & (levels - 1);
}

// Splits boxes at the median of their widest channel until there are `max_colors` or none can be.
std::vector<box> median_cut(const std::vector<bin>& histogram, int max_colors) {
    box all;
    for (int b = 0; b < static_cast<int>(histogram.size()); ++b)
        if (histogram[b].count > 0) {
            all.bins.push_back(b);
            all.count += histogram[b].count;
        }
    std::vector<box> boxes;
    boxes.push_back(std::move(all));
    while (static_cast<int>(boxes.size()) < max_colors) {
        // The box with the most pixels among those with more than one colour.
        int pick = -1;
        for (int i = 0; i < static_cast<int>(boxes.size()); ++i)
            if (boxes[i].bins.size() > 1 && (pick < 0 || boxes[i].count > boxes[pick].count))
                pick = i;
        if (pick < 0)
            break;
        box& b = boxes[pick];
        int widest = 0, range = -1;
        for (int c = 0; c < 3; ++c) {
            int lo = levels, hi = -1;
            for (int k : b.bins) {
                lo = std::min(lo, channel(k, c));
                hi = std::max(hi, channel(k, c));
            }
            if (hi - lo > range) {
                range = hi - lo;
                widest = c;
            }
        }
        std::sort(b.bins.begin(), b.bins.end(),
                  [&](int x, int y) { return channel(x, widest) < channel(y, widest); });
        std::uint64_t half = 0;
        std::size_t cut = 0;
        while (cut + 1 < b.bins.size() && half + histogram[b.bins[cut]].count <= b.count / 2)
            half += histogram[b.bins[cut++]].count;
        if (cut == 0)
            cut = 1;
        box upper;
        upper.bins.assign(b.bins.begin() + static_cast<std::ptrdiff_t>(cut), b.bins.end());
        b.bins.resize(cut);
        b.count = 0;
        for (int k : b.bins)
            b.count += histogram[k].count;
        for (int k : upper.bins)
            upper.count += histogram[k].count;
        boxes.push_back(std::move(upper));
    }
    return boxes;
}

void append_run(std::string& out, char c, int n) {
    if (n > 3) {
        out += '!';
        out += std::to_string(n);
        out += c;
    } else {
        out.append(static_cast<std::size_t>(n), c);
    }
}

} // namespace

std::string sixel_image(const rgba_image& pixels, const placement& where, int max_colors) {
    max_colors = std::clamp(max_colors, 2, 256);
    auto image = resize(pixels, where.pixel_width, where.pixel_height);
    flatten(image, rgb{});
    const std::uint32_t w = image.width;
    const std::uint32_t h = image.height;

    std::vector<bin> histogram(levels * levels * levels);
    for (std::uint32_t y = 0; y < h; ++y)
        for (std::uint32_t x = 0; x < w; ++x) {
            const auto* p = image.at(x, y);
            auto& b = histogram[static_cast<std::size_t>(bin_of(p))];
            ++b.count;
            for (int c = 0; c < 3; ++c)
                b.sum[c] += p[c];
        }
    const auto boxes = median_cut(histogram, max_colors);
    std::vector<rgb> palette;
    std::vector<int> index_of_bin(histogram.size(), -1);
    for (const auto& b : boxes) {
        std::uint64_t sum[3] = {0, 0, 0};
        for (int k : b.bins) {
            for (int c = 0; c < 3; ++c)
                sum[c] += histogram[k].sum[c];
            index_of_bin[static_cast<std::size_t>(k)] = static_cast<int>(palette.size());
        }
        const auto avg = [&](int c) {
            return static_cast<std::uint8_t>((sum[c] + b.count / 2) /
                                             std::max<std::uint64_t>(b.count, 1));
        };
        palette.push_back(rgb{avg(0), avg(1), avg(2)});
    }

    std::string out = "\x1bP0;1;0q\"1;1;" + std::to_string(w) + ";" + std::to_string(h);
    for (std::size_t i = 0; i < palette.size(); ++i) {
        const auto pct = [](std::uint8_t v) { return std::to_string((v * 100 + 127) / 255); };
        out += "#" + std::to_string(i) + ";2;" + pct(palette[i].r) + ";" + pct(palette[i].g) + ";" +
               pct(palette[i].b);
    }
    std::vector<int> band(std::size_t{w} * 6);
    std::vector<char> used(palette.size());
    for (std::uint32_t y0 = 0; y0 < h; y0 += 6) {
        const std::uint32_t rows = std::min<std::uint32_t>(6, h - y0);
        std::fill(used.begin(), used.end(), 0);
        for (std::uint32_t r = 0; r < rows; ++r)
            for (std::uint32_t x = 0; x < w; ++x) {
                const int i = index_of_bin[static_cast<std::size_t>(bin_of(image.at(x, y0 + r)))];
                band[r * w + x] = i;
                used[static_cast<std::size_t>(i)] = 1;
            }
        bool first = true;
        for (std::size_t color = 0; color < palette.size(); ++color) {
            if (!used[color])
                continue;
            if (!first)
                out += '$'; // back to the start of the band for the next colour
            first = false;
            out += "#" + std::to_string(color);
            char run_char = 0;
            int run = 0;
            for (std::uint32_t x = 0; x < w; ++x) {
                int sixel = 0;
                for (std::uint32_t r = 0; r < rows; ++r)
                    if (band[r * w + x] == static_cast<int>(color))
                        sixel |= 1 << r;
                const char c = static_cast<char>('?' + sixel);
                if (c == run_char) {
                    ++run;
                } else {
                    if (run > 0)
                        append_run(out, run_char, run);
                    run_char = c;
                    run = 1;
                }
            }
            // Trailing empty sixels draw nothing: leave them out.
            if (run > 0 && run_char != '?')
                append_run(out, run_char, run);
        }
        if (y0 + 6 < h)
            out += '-'; // next band
    }
    out += "\x1b\\\n";
    return out;
}

} // namespace openai::cli::preview
