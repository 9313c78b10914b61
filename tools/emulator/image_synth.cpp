#include "emulator/image_synth.hpp"

#include "emulator/image_encode.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace openai::emulator {
namespace {

// Largest payload_bytes honoured: well above the API's 50 MB image limit.
constexpr std::size_t max_payload_bytes = std::size_t{512} << 20;

std::uint64_t fnv1a64(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

class rng {
public:
    explicit rng(std::uint64_t seed)
        : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, n) for picture-making.
    std::uint32_t below(std::uint32_t n) {
        return n == 0 ? 0 : static_cast<std::uint32_t>(next() % n);
    }
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

private:
    std::uint64_t state_;
};

using rgb = std::array<std::uint8_t, 3>;

// Integer HSV to RGB: hue 0..359, saturation and value 0..255.
rgb hsv(std::uint32_t h, std::uint32_t s, std::uint32_t v) {
    h %= 360;
    const std::uint32_t region = h / 60;
    const std::uint32_t rem = (h % 60) * 255 / 60;
    const auto p = static_cast<std::uint8_t>(v * (255 - s) / 255);
    const auto q = static_cast<std::uint8_t>(v * (255 - s * rem / 255) / 255);
    const auto t = static_cast<std::uint8_t>(v * (255 - s * (255 - rem) / 255) / 255);
    const auto vv = static_cast<std::uint8_t>(v);
    switch (region) {
    case 0:
        return {vv, t, p};
    case 1:
        return {q, vv, p};
    case 2:
        return {p, vv, t};
    case 3:
        return {p, q, vv};
    case 4:
        return {t, p, vv};
    default:
        return {vv, p, q};
    }
}

enum class shape_kind { disc, ring, rect, striped_rect, band };

struct shape {
    shape_kind kind;
    rgb colour;
    rgb light; // second colour of striped shapes
    std::uint8_t alpha;
    std::int64_t cx, cy, r, r_inner;           // discs and rings
    std::int64_t x0, y0, x1, y1;               // rectangles
    std::int64_t slope_num, offset, thickness; // bands: x = y * slope_num / 256 + offset
    std::int64_t stripe;                       // striped rectangles: stripe height
};

struct picture {
    rgb from, to;        // background gradient
    std::int64_t gx, gy; // gradient direction, 8-bit fixed point
    std::vector<shape> shapes;
};

picture design(const image_spec& spec, std::uint32_t w, std::uint32_t h) {
    const std::uint64_t seed =
        fnv1a64(spec.prompt) ^ (0xd1b54a32d192ed03ULL * (std::uint64_t{spec.index} + 1));
    rng r(seed);
    picture pic;
    const std::uint32_t hue = r.below(360);
    pic.from = hsv(hue, 90 + r.below(120), 200 + r.below(56));
    pic.to = hsv(hue + 90 + r.below(180), 120 + r.below(120), 40 + r.below(90));
    pic.gx = r.between(-256, 256);
    pic.gy = r.between(-256, 256);
    if (pic.gx == 0 && pic.gy == 0)
        pic.gy = 256;

    const std::int64_t side = std::min(w, h);
    const std::uint32_t count = 5 + r.below(5);
    pic.shapes.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        shape s{};
        s.kind = static_cast<shape_kind>(r.below(5));
        s.colour = hsv(hue + r.below(360), 150 + r.below(106), 150 + r.below(106));
        s.light = hsv(hue + r.below(360), 60 + r.below(80), 230 + r.below(26));
        s.alpha = r.below(3) == 0 ? 160 : 255;
        s.cx = r.between(0, w - 1);
        s.cy = r.between(0, h - 1);
        s.r = std::max<std::int64_t>(1, side * r.between(8, 30) / 100);
        s.r_inner = s.r * r.between(45, 80) / 100;
        const std::int64_t half_w = std::max<std::int64_t>(1, w * r.between(5, 25) / 100);
        const std::int64_t half_h = std::max<std::int64_t>(1, h * r.between(5, 25) / 100);
        s.x0 = s.cx - half_w;
        s.x1 = s.cx + half_w;
        s.y0 = s.cy - half_h;
        s.y1 = s.cy + half_h;
        s.slope_num = r.between(-512, 512);
        s.thickness = std::max<std::int64_t>(1, side * r.between(2, 8) / 100);
        s.stripe = std::max<std::int64_t>(2, side / 48);
        s.offset = r.between(-static_cast<std::int64_t>(w) / 2, w) - s.thickness / 2;
        pic.shapes.push_back(s);
    }
    return pic;
}

// Integer square root (floor) for span computation.
std::int64_t isqrt(std::int64_t v) {
    if (v <= 0)
        return 0;
    auto x = static_cast<std::int64_t>(std::sqrt(static_cast<double>(v)));
    while (x * x > v)
        --x;
    while ((x + 1) * (x + 1) <= v)
        ++x;
    return x;
}

class painter {
public:
    painter(raster& image)
        : image_(image) {}

    // Fills [x0, x1) of row y with `c` at opacity `alpha`.
    void span(std::uint32_t y, std::int64_t x0, std::int64_t x1, const rgb& c, std::uint8_t alpha) {
        x0 = std::max<std::int64_t>(x0, 0);
        x1 = std::min<std::int64_t>(x1, image_.width);
        if (x0 >= x1)
            return;
        const unsigned n = image_.channels;
        std::uint8_t* p = image_.row(y) + x0 * n;
        std::uint8_t* end = image_.row(y) + x1 * n;
        if (alpha == 255) {
            for (; p != end; p += n) {
                p[0] = c[0];
                p[1] = c[1];
                p[2] = c[2];
                if (n == 4)
                    p[3] = 255;
            }
            return;
        }
        const unsigned a = alpha;
        for (; p != end; p += n) {
            for (int k = 0; k < 3; ++k)
                p[k] = static_cast<std::uint8_t>((c[k] * a + p[k] * (255 - a)) / 255);
            if (n == 4)
                p[3] = std::max(p[3], alpha);
        }
    }

private:
    raster& image_;
};

void draw_shape(painter& paint, const shape& s, std::uint32_t y) {
    const std::int64_t yy = y;
    switch (s.kind) {
    case shape_kind::disc:
    case shape_kind::ring: {
        const std::int64_t dy = yy - s.cy;
        if (dy < -s.r || dy > s.r)
            return;
        const std::int64_t outer = isqrt(s.r * s.r - dy * dy);
        if (s.kind == shape_kind::disc || dy < -s.r_inner || dy > s.r_inner) {
            paint.span(y, s.cx - outer, s.cx + outer + 1, s.colour, s.alpha);
            return;
        }
        const std::int64_t inner = isqrt(s.r_inner * s.r_inner - dy * dy);
        paint.span(y, s.cx - outer, s.cx - inner, s.colour, s.alpha);
        paint.span(y, s.cx + inner + 1, s.cx + outer + 1, s.colour, s.alpha);
        return;
    }
    case shape_kind::rect:
    case shape_kind::striped_rect:
        if (yy < s.y0 || yy > s.y1)
            return;
        paint.span(y, s.x0, s.x1 + 1,
                   s.kind == shape_kind::striped_rect && ((yy - s.y0) / s.stripe) % 2 == 1
                       ? s.light
                       : s.colour,
                   s.alpha);
        return;
    case shape_kind::band: {
        const std::int64_t x = yy * s.slope_num / 256 + s.offset;
        paint.span(y, x, x + s.thickness, s.colour, s.alpha);
        return;
    }
    }
}

void paint_background(raster& image, const picture& pic, bool transparent) {
    // Colour ramp from `from` to `to`, indexed by the gradient position 0..255.
    std::array<rgb, 256> ramp;
    for (int t = 0; t < 256; ++t)
        for (int k = 0; k < 3; ++k)
            ramp[t][k] = static_cast<std::uint8_t>((pic.from[k] * (255 - t) + pic.to[k] * t) / 255);
    const std::int64_t w = image.width;
    const std::int64_t h = image.height;
    const unsigned n = image.channels;
    // t(x, y) = 128 + (gx * (2x - w) / w + gy * (2y - h) / h) / 4, in 16.16 fixed point.
    const std::int64_t step = (pic.gx * 2 * 65536) / (4 * w);
    const std::uint8_t alpha = transparent ? 0 : 255;
    for (std::int64_t y = 0; y < h; ++y) {
        std::int64_t t =
            (128 << 16) + (pic.gy * (2 * y - h) * 65536) / (4 * h) - (pic.gx * 65536) / 4;
        std::uint8_t* p = image.row(static_cast<std::uint32_t>(y));
        for (std::int64_t x = 0; x < w; ++x, p += n, t += step) {
            const auto& c = ramp[std::clamp<std::int64_t>(t >> 16, 0, 255)];
            p[0] = c[0];
            p[1] = c[1];
            p[2] = c[2];
            if (n == 4)
                p[3] = alpha;
        }
    }
}

// Partial images: each block takes the colour of its centre pixel.
void pixelate(raster& image, std::uint32_t block) {
    const unsigned n = image.channels;
    for (std::uint32_t by = 0; by < image.height; by += block) {
        const std::uint32_t cy = std::min(by + block / 2, image.height - 1);
        const std::uint32_t y_end = std::min(by + block, image.height);
        // Build the block row once from the centre row, then copy it down.
        std::vector<std::uint8_t> line(std::size_t{image.width} * n);
        const std::uint8_t* centre = image.row(cy);
        for (std::uint32_t bx = 0; bx < image.width; bx += block) {
            const std::uint32_t cx = std::min(bx + block / 2, image.width - 1);
            const std::uint32_t x_end = std::min(bx + block, image.width);
            for (std::uint32_t x = bx; x < x_end; ++x)
                std::memcpy(line.data() + std::size_t{x} * n, centre + std::size_t{cx} * n, n);
        }
        for (std::uint32_t y = by; y < y_end; ++y)
            std::memcpy(image.row(y), line.data(), line.size());
    }
}

void validate(const image_spec& spec) {
    if (spec.width == 0 || spec.height == 0 || spec.width > max_image_side ||
        spec.height > max_image_side)
        throw std::invalid_argument("image size " + std::to_string(spec.width) + "x" +
                                    std::to_string(spec.height) + " is outside 1x1.." +
                                    std::to_string(max_image_side) + "x" +
                                    std::to_string(max_image_side));
    if (spec.partial_count != 0 && spec.partial_index >= spec.partial_count)
        throw std::invalid_argument("partial_index " + std::to_string(spec.partial_index) +
                                    " is not below partial_count " +
                                    std::to_string(spec.partial_count));
}

} // namespace

raster render(const image_spec& spec) {
    validate(spec);
    raster image;
    image.width = spec.width;
    image.height = spec.height;
    image.channels = spec.transparent ? 4 : 3;
    image.pixels.resize(std::size_t{image.width} * image.height * image.channels);

    const picture pic = design(spec, image.width, image.height);
    paint_background(image, pic, spec.transparent);

    // Partial k of N shows the first (k + 1) / (N + 1) of the shapes, in blocks that halve in
    // size with each stage; the final picture has them all, sharp.
    std::size_t shapes = pic.shapes.size();
    std::uint32_t block = 1;
    if (spec.partial_count != 0) {
        shapes = std::max<std::size_t>(1, pic.shapes.size() * (spec.partial_index + 1) /
                                              (spec.partial_count + 1));
        block = 1u << std::min<std::uint32_t>(spec.partial_count - spec.partial_index + 2, 8);
    }
    painter paint(image);
    for (std::uint32_t y = 0; y < image.height; ++y)
        for (std::size_t i = 0; i < shapes; ++i)
            draw_shape(paint, pic.shapes[i], y);
    if (block > 1)
        pixelate(image, block);
    return image;
}

encoded_image synthesize(const image_spec& spec) {
    validate(spec);
    if (spec.format == image_format::unknown)
        throw std::invalid_argument("unknown output format");
    if (spec.transparent && spec.format == image_format::jpeg)
        throw std::invalid_argument("a transparent background is not supported for jpeg");
    if (spec.compression < 0 || spec.compression > 100)
        throw std::invalid_argument("output_compression " + std::to_string(spec.compression) +
                                    " is outside 0..100");
    if (spec.payload_bytes > max_payload_bytes)
        throw std::invalid_argument("payload_bytes " + std::to_string(spec.payload_bytes) +
                                    " exceeds " + std::to_string(max_payload_bytes));

    image_spec shape = spec;
    encoded_image out;
    out.format = spec.format;
    for (;;) {
        out.bytes = encode(render(shape), shape.format, shape.compression);
        out.width = shape.width;
        out.height = shape.height;
        // A payload target smaller than the picture: halve the picture until it fits (a 1x1
        // image is the floor; below that the target cannot be met).
        if (spec.payload_bytes == 0 || out.bytes.size() <= spec.payload_bytes ||
            (shape.width == 1 && shape.height == 1))
            break;
        shape.width = std::max<std::uint32_t>(1, shape.width / 2);
        shape.height = std::max<std::uint32_t>(1, shape.height / 2);
    }
    if (spec.payload_bytes != 0)
        pad_to_size(out.bytes, out.format, spec.payload_bytes,
                    fnv1a64(spec.prompt) ^ spec.payload_bytes);
    return out;
}

} // namespace openai::emulator
