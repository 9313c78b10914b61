#include "preview_image.hpp"

#include <openai/image_format.hpp>

#include <algorithm>
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

namespace openai::cli::preview {
namespace {

void check_size(std::uint64_t width, std::uint64_t height, const decode_limits& limits) {
    if (width == 0 || height == 0)
        throw preview_error("the image has no pixels");
    if (width * height > limits.max_pixels)
        throw preview_error("the image has " + std::to_string(width) + "x" +
                            std::to_string(height) + " pixels, over the preview limit of " +
                            std::to_string(limits.max_pixels / (1 << 20)) + " megapixels");
}

rgba_image decode_png(std::string_view bytes, const decode_limits& limits) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
        throw preview_error(std::string("undecodable PNG: ") + png.message);
    try {
        check_size(png.width, png.height, limits);
    } catch (...) {
        png_image_free(&png);
        throw;
    }
    png.format = PNG_FORMAT_RGBA;
    rgba_image out;
    out.width = png.width;
    out.height = png.height;
    out.pixels.resize(PNG_IMAGE_SIZE(png));
    if (!png_image_finish_read(&png, nullptr, out.pixels.data(), 0, nullptr)) {
        const std::string message = png.message;
        png_image_free(&png);
        throw preview_error("undecodable PNG: " + message);
    }
    return out;
}

struct jpeg_failure {
    jpeg_error_mgr manager;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr info) {
    auto* failure = reinterpret_cast<jpeg_failure*>(info->err);
    (*info->err->format_message)(info, failure->message);
    std::longjmp(failure->jump, 1);
}

void jpeg_quiet(j_common_ptr, int) {}

// libjpeg reports errors by longjmp: this function keeps every object with a destructor outside
// the jump (the caller owns `out`), so nothing is skipped.
bool decode_jpeg_into(std::string_view bytes, const decode_limits& limits, rgba_image& out,
                      std::string& error) {
    jpeg_decompress_struct info{};
    jpeg_failure failure{};
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    failure.manager.emit_message = jpeg_quiet;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        error = std::string("undecodable JPEG: ") + failure.message;
        return false;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    const std::uint64_t w = info.image_width;
    const std::uint64_t h = info.image_height;
    if (w == 0 || h == 0 || w * h > limits.max_pixels) {
        jpeg_destroy_decompress(&info);
        out.width = static_cast<std::uint32_t>(w);
        out.height = static_cast<std::uint32_t>(h);
        error = "size";
        return false;
    }
    info.out_color_space = JCS_EXT_RGBA;
    jpeg_start_decompress(&info);
    out.width = info.output_width;
    out.height = info.output_height;
    out.pixels.resize(std::size_t{out.width} * out.height * 4);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = out.pixels.data() + std::size_t{info.output_scanline} * out.width * 4;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return true;
}

rgba_image decode_jpeg(std::string_view bytes, const decode_limits& limits) {
    rgba_image out;
    std::string error;
    if (!decode_jpeg_into(bytes, limits, out, error)) {
        if (error == "size")
            check_size(out.width, out.height, limits); // throws, worded like the other formats
        throw preview_error(error);
    }
    return out;
}

rgba_image decode_webp(std::string_view bytes, const decode_limits& limits) {
    int w = 0, h = 0;
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (!WebPGetInfo(data, bytes.size(), &w, &h))
        throw preview_error("undecodable WebP");
    check_size(static_cast<std::uint64_t>(w), static_cast<std::uint64_t>(h), limits);
    rgba_image out;
    out.width = static_cast<std::uint32_t>(w);
    out.height = static_cast<std::uint32_t>(h);
    out.pixels.resize(std::size_t{out.width} * out.height * 4);
    if (!WebPDecodeRGBAInto(data, bytes.size(), out.pixels.data(), out.pixels.size(),
                            static_cast<int>(out.width * 4)))
        throw preview_error("undecodable WebP");
    return out;
}

} // namespace

rgba_image decode_image(std::string_view bytes, const decode_limits& limits) {
    if (bytes.size() > limits.max_bytes)
        throw preview_error("the file has " + std::to_string(bytes.size()) +
                            " bytes, over the preview limit of " +
                            std::to_string(limits.max_bytes >> 20) + " MiB");
    const auto format = detect_image_format(bytes);
    if (!format)
        throw preview_error("not a PNG, JPEG or WebP image");
    switch (*format) {
    case image_format::png:
        return decode_png(bytes, limits);
    case image_format::jpeg:
        return decode_jpeg(bytes, limits);
    case image_format::webp:
        return decode_webp(bytes, limits);
    }
    throw preview_error("not a PNG, JPEG or WebP image");
}

rgba_image resize(const rgba_image& in, std::uint32_t width, std::uint32_t height) {
    width = std::max<std::uint32_t>(width, 1);
    height = std::max<std::uint32_t>(height, 1);
    rgba_image out;
    out.width = width;
    out.height = height;
    out.pixels.resize(std::size_t{width} * height * 4);
    if (in.width == 0 || in.height == 0)
        return out;
    // Source span of output index i: [i*N/n, (i+1)*N/n), at least one pixel.
    const auto span = [](std::uint32_t i, std::uint32_t n, std::uint32_t source) {
        auto lo = static_cast<std::uint32_t>(std::uint64_t{i} * source / n);
        auto hi = static_cast<std::uint32_t>(std::uint64_t{i + 1} * source / n);
        if (hi <= lo)
            hi = std::min(lo + 1, source);
        if (lo >= source)
            lo = source - 1;
        return std::pair{lo, hi};
    };
    for (std::uint32_t y = 0; y < height; ++y) {
        const auto [y0, y1] = span(y, height, in.height);
        for (std::uint32_t x = 0; x < width; ++x) {
            const auto [x0, x1] = span(x, width, in.width);
            std::uint64_t r = 0, g = 0, b = 0, a = 0, count = 0;
            for (auto sy = y0; sy < y1; ++sy)
                for (auto sx = x0; sx < x1; ++sx) {
                    const auto* p = in.at(sx, sy);
                    r += std::uint64_t{p[0]} * p[3];
                    g += std::uint64_t{p[1]} * p[3];
                    b += std::uint64_t{p[2]} * p[3];
                    a += p[3];
                    ++count;
                }
            auto* q = out.at(x, y);
            if (a > 0) {
                q[0] = static_cast<std::uint8_t>((r + a / 2) / a);
                q[1] = static_cast<std::uint8_t>((g + a / 2) / a);
                q[2] = static_cast<std::uint8_t>((b + a / 2) / a);
            }
            q[3] = static_cast<std::uint8_t>((a + count / 2) / count);
        }
    }
    return out;
}

void flatten(rgba_image& image, rgb background) {
    for (std::size_t i = 0; i + 3 < image.pixels.size(); i += 4) {
        auto* p = image.pixels.data() + i;
        const unsigned a = p[3];
        p[0] = static_cast<std::uint8_t>((p[0] * a + background.r * (255 - a) + 127) / 255);
        p[1] = static_cast<std::uint8_t>((p[1] * a + background.g * (255 - a) + 127) / 255);
        p[2] = static_cast<std::uint8_t>((p[2] * a + background.b * (255 - a) + 127) / 255);
        p[3] = 255;
    }
}

std::string encode_png(const rgba_image& image) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = image.width;
    png.height = image.height;
    png.format = PNG_FORMAT_RGBA;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr))
        throw preview_error(std::string("cannot encode PNG: ") + png.message);
    std::string out(size, '\0');
    if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr))
        throw preview_error(std::string("cannot encode PNG: ") + png.message);
    out.resize(size);
    return out;
}

} // namespace openai::cli::preview
