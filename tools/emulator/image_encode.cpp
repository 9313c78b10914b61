#include "emulator/image_encode.hpp"

#include "emulator/image_probe.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>
#include <zlib.h>

namespace openai::emulator {
namespace {

// ---- PNG ---------------------------------------------------------------------------------------
// libpng reports errors by longjmp, so the encoding runs in a function whose frame holds nothing
// with a destructor; the message travels out through a plain buffer.

struct png_context {
    std::string* out;
    char message[256];
};

void png_on_error(png_structp png, png_const_charp message) {
    auto* ctx = static_cast<png_context*>(png_get_error_ptr(png));
    std::snprintf(ctx->message, sizeof ctx->message, "%s", message);
    png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

void png_on_write(png_structp png, png_bytep data, png_size_t size) {
    auto* ctx = static_cast<png_context*>(png_get_io_ptr(png));
    bool failed = false;
    try {
        ctx->out->append(reinterpret_cast<const char*>(data), size);
    } catch (...) {
        failed = true; // do not unwind through libpng's C frames
    }
    if (failed)
        png_error(png, "out of memory while writing PNG");
}

void png_on_flush(png_structp) {}

bool write_png(const raster& image, int zlib_level, png_context* ctx) {
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, png_on_error, png_on_warning);
    if (png == nullptr) {
        std::snprintf(ctx->message, sizeof ctx->message, "png_create_write_struct failed");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_write_struct(&png, nullptr);
        std::snprintf(ctx->message, sizeof ctx->message, "png_create_info_struct failed");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, ctx, png_on_write, png_on_flush);
    png_set_IHDR(png, info, image.width, image.height, 8,
                 image.channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    // One fixed filter: the adaptive choice costs more time than it saves bytes on smooth pictures.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_level(png, zlib_level);
    png_write_info(png, info);
    for (std::uint32_t y = 0; y < image.height; ++y)
        png_write_row(png, const_cast<png_bytep>(image.row(y)));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

// ---- JPEG --------------------------------------------------------------------------------------

struct jpeg_context {
    jpeg_error_mgr error;
    std::jmp_buf jump;
    unsigned char* buffer;
    unsigned long size;
    char message[JMSG_LENGTH_MAX];
};

void jpeg_on_error(j_common_ptr cinfo) {
    auto* ctx = reinterpret_cast<jpeg_context*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, ctx->message);
    std::longjmp(ctx->jump, 1);
}

void jpeg_on_message(j_common_ptr) {}

bool write_jpeg(const raster& image, int quality, jpeg_context* ctx) {
    jpeg_compress_struct cinfo{}; // zeroed, so that jpeg_destroy_compress is safe before create
    cinfo.err = jpeg_std_error(&ctx->error);
    ctx->error.error_exit = jpeg_on_error;
    ctx->error.output_message = jpeg_on_message;
    if (setjmp(ctx->jump)) {
        jpeg_destroy_compress(&cinfo);
        return false;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &ctx->buffer, &ctx->size);
    cinfo.image_width = image.width;
    cinfo.image_height = image.height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(image.row(cinfo.next_scanline));
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return true;
}

// ---- padding -----------------------------------------------------------------------------------

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void append_noise(std::string& out, std::size_t n, std::uint64_t& state) {
    const std::size_t start = out.size();
    out.resize(start + n);
    char* p = out.data() + start;
    while (n >= 8) {
        const std::uint64_t v = splitmix64(state);
        std::memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    if (n != 0) {
        const std::uint64_t v = splitmix64(state);
        std::memcpy(p, &v, n);
    }
}

void put_be32(std::string& out, std::uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(b, 4);
}

void put_le32(char* p, std::uint32_t v) {
    p[0] = static_cast<char>(v);
    p[1] = static_cast<char>(v >> 8);
    p[2] = static_cast<char>(v >> 16);
    p[3] = static_cast<char>(v >> 24);
}

// Splits `missing` bytes into chunks of at most `max_data` payload plus `overhead` framing each.
// Returns the payload sizes; empty when even one chunk's framing does not fit.
std::vector<std::size_t> plan_chunks(std::size_t missing, std::size_t overhead,
                                     std::size_t max_data) {
    if (missing < overhead)
        return {};
    const std::size_t count = (missing + max_data + overhead - 1) / (max_data + overhead);
    const std::size_t data = missing - count * overhead;
    std::vector<std::size_t> sizes(count, data / count);
    for (std::size_t i = 0; i < data % count; ++i)
        ++sizes[i];
    return sizes;
}

void pad_png(std::string& file, std::size_t missing, std::uint64_t& state) {
    if (file.size() < 8 + 25 + 12 || file.compare(file.size() - 8, 4, "IEND") != 0)
        throw std::invalid_argument("pad_to_size: not a PNG file ending in IEND");
    // Several moderate chunks rather than one huge one: libpng refuses chunks over 8 MB.
    const auto sizes = plan_chunks(missing, 12, std::size_t{1} << 20);
    const std::string iend = file.substr(file.size() - 12);
    file.resize(file.size() - 12);
    file.reserve(file.size() + missing + 12);
    for (std::size_t n : sizes) {
        put_be32(file, static_cast<std::uint32_t>(n));
        const std::size_t type_at = file.size();
        file.append("paDd"); // ancillary, private, safe to copy
        append_noise(file, n, state);
        const auto crc =
            crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(file.data() + type_at),
                  static_cast<uInt>(n + 4));
        put_be32(file, static_cast<std::uint32_t>(crc));
    }
    file += iend;
}

void pad_jpeg(std::string& file, std::size_t missing, std::uint64_t& state) {
    if (file.size() < 4 || static_cast<unsigned char>(file[0]) != 0xff ||
        static_cast<unsigned char>(file[1]) != 0xd8)
        throw std::invalid_argument("pad_to_size: not a JPEG file");
    // After SOI, and after the JFIF APP0 segment that must come first when present.
    std::size_t at = 2;
    if (file.size() > 6 && static_cast<unsigned char>(file[2]) == 0xff &&
        static_cast<unsigned char>(file[3]) == 0xe0)
        at = 4 + (std::size_t{static_cast<unsigned char>(file[4])} << 8 |
                  static_cast<unsigned char>(file[5]));
    const auto sizes = plan_chunks(missing, 4, 65533);
    std::string segments;
    segments.reserve(missing);
    for (std::size_t n : sizes) {
        segments += '\xff';
        segments += '\xef'; // APP15
        segments += static_cast<char>((n + 2) >> 8);
        segments += static_cast<char>((n + 2) & 0xff);
        append_noise(segments, n, state);
    }
    file.insert(at, segments);
}

void pad_webp(std::string& file, std::size_t target, std::uint64_t& state) {
    const image_info info = probe(file);
    if (info.format != image_format::webp || !info.complete())
        throw std::invalid_argument("pad_to_size: not a WebP file");
    if (file.compare(12, 4, "VP8X") != 0) {
        // Unknown chunks are only allowed in the extended format: add a VP8X header.
        std::string vp8x("VP8X\x0a\0\0\0", 8);
        const char flags = info.has_alpha ? 0x10 : 0;
        vp8x += flags;
        vp8x.append(3, '\0');
        const std::uint32_t w = info.width - 1;
        const std::uint32_t h = info.height - 1;
        const char dims[6] = {static_cast<char>(w),       static_cast<char>(w >> 8),
                              static_cast<char>(w >> 16), static_cast<char>(h),
                              static_cast<char>(h >> 8),  static_cast<char>(h >> 16)};
        vp8x.append(dims, 6);
        file.insert(12, vp8x);
    }
    if (file.size() < target) {
        // Payloads are kept even so that no pad byte follows them.
        auto sizes = plan_chunks(target - file.size(), 8, std::size_t{1} << 20);
        for (std::size_t n : sizes) {
            n &= ~std::size_t{1};
            char header[8] = {'P', 'A', 'D', 'D'};
            put_le32(header + 4, static_cast<std::uint32_t>(n));
            file.append(header, 8);
            append_noise(file, n, state);
        }
    }
    put_le32(file.data() + 4, static_cast<std::uint32_t>(file.size() - 8));
}

} // namespace

std::string encode_png(const raster& image, int zlib_level) {
    std::string out;
    out.reserve(std::size_t{image.width} * image.height / 4 + 1024);
    png_context ctx{&out, {}};
    if (!write_png(image, std::clamp(zlib_level, 0, 9), &ctx))
        throw std::runtime_error(std::string("PNG encoding failed: ") + ctx.message);
    return out;
}

std::string encode_jpeg(const raster& image, int quality) {
    if (image.channels != 3)
        throw std::invalid_argument("JPEG encoding needs an RGB raster (JPEG has no alpha)");
    jpeg_context ctx{};
    const bool ok = write_jpeg(image, std::clamp(quality, 0, 100), &ctx);
    std::string out;
    if (ok && ctx.buffer != nullptr)
        out.assign(reinterpret_cast<const char*>(ctx.buffer), ctx.size);
    std::free(ctx.buffer);
    if (!ok)
        throw std::runtime_error(std::string("JPEG encoding failed: ") + ctx.message);
    return out;
}

std::string encode_webp(const raster& image, int quality) {
    WebPConfig config;
    if (!WebPConfigInit(&config))
        throw std::runtime_error("WebP encoding failed: library version mismatch");
    config.quality = static_cast<float>(std::clamp(quality, 0, 100));
    config.method = 0; // fastest
    config.alpha_filtering = 0;
    config.alpha_quality = 100;

    WebPPicture picture;
    if (!WebPPictureInit(&picture))
        throw std::runtime_error("WebP encoding failed: library version mismatch");
    picture.width = static_cast<int>(image.width);
    picture.height = static_cast<int>(image.height);
    const int stride = static_cast<int>(image.width * image.channels);
    const int imported = image.channels == 4
                             ? WebPPictureImportRGBA(&picture, image.pixels.data(), stride)
                             : WebPPictureImportRGB(&picture, image.pixels.data(), stride);
    if (!imported) {
        WebPPictureFree(&picture);
        throw std::runtime_error("WebP encoding failed: cannot import pixels (out of memory?)");
    }
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    const int ok = WebPEncode(&config, &picture);
    const auto error = picture.error_code;
    WebPPictureFree(&picture);
    std::string out;
    if (ok)
        out.assign(reinterpret_cast<const char*>(writer.mem), writer.size);
    WebPMemoryWriterClear(&writer);
    if (!ok)
        throw std::runtime_error("WebP encoding failed: error " +
                                 std::to_string(static_cast<int>(error)));
    return out;
}

std::string encode(const raster& image, image_format format, int quality) {
    switch (format) {
    case image_format::png:
        return encode_png(image);
    case image_format::jpeg:
        return encode_jpeg(image, quality);
    case image_format::webp:
        return encode_webp(image, quality);
    case image_format::unknown:
        break;
    }
    throw std::invalid_argument("cannot encode to an unknown image format");
}

void pad_to_size(std::string& file, image_format format, std::size_t target_size,
                 std::uint64_t seed) {
    if (file.size() >= target_size)
        return;
    std::uint64_t state = seed;
    switch (format) {
    case image_format::png:
        pad_png(file, target_size - file.size(), state);
        return;
    case image_format::jpeg:
        pad_jpeg(file, target_size - file.size(), state);
        return;
    case image_format::webp:
        pad_webp(file, target_size, state);
        return;
    case image_format::unknown:
        break;
    }
    throw std::invalid_argument("pad_to_size: unknown image format");
}

} // namespace openai::emulator
