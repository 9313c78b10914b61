// Test helpers: full decodes with libpng, libjpeg and libwebp, to check what the emulator makes
// with independent readers rather than with its own probe.
#pragma once

#include <csetjmp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

namespace openai::emulator::test {

struct decoded {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned channels = 0; // 3 or 4 after decoding
    std::vector<std::uint8_t> pixels;
};

// PNG through the simplified libpng API, keeping alpha when the file has it.
inline decoded decode_png(std::string_view bytes) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
        throw std::runtime_error(std::string("libpng: ") + image.message);
    const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    image.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    decoded out{image.width, image.height, alpha ? 4u : 3u, {}};
    out.pixels.resize(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr))
        throw std::runtime_error(std::string("libpng: ") + image.message);
    return out;
}

struct jpeg_error_context {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
};

inline void jpeg_test_error_exit(j_common_ptr cinfo) {
    std::longjmp(reinterpret_cast<jpeg_error_context*>(cinfo->err)->jump, 1);
}

inline bool decode_jpeg_into(std::string_view bytes, decoded* out, jpeg_error_context* err) {
    jpeg_decompress_struct cinfo{};
    cinfo.err = jpeg_std_error(&err->mgr);
    err->mgr.error_exit = jpeg_test_error_exit;
    if (setjmp(err->jump)) {
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    out->width = cinfo.output_width;
    out->height = cinfo.output_height;
    out->channels = 3;
    out->pixels.resize(std::size_t{out->width} * out->height * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out->pixels.data() + std::size_t{cinfo.output_scanline} * out->width * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return true;
}

inline decoded decode_jpeg(std::string_view bytes) {
    decoded out;
    jpeg_error_context err{};
    if (!decode_jpeg_into(bytes, &out, &err))
        throw std::runtime_error("libjpeg cannot decode the file");
    return out;
}

inline decoded decode_webp(std::string_view bytes) {
    WebPBitstreamFeatures features;
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK)
        throw std::runtime_error("libwebp: cannot read the features");
    decoded out;
    out.channels = features.has_alpha ? 4 : 3;
    int w = 0;
    int h = 0;
    std::uint8_t* pixels = features.has_alpha ? WebPDecodeRGBA(data, bytes.size(), &w, &h)
                                              : WebPDecodeRGB(data, bytes.size(), &w, &h);
    if (pixels == nullptr)
        throw std::runtime_error("libwebp: cannot decode the file");
    out.width = static_cast<std::uint32_t>(w);
    out.height = static_cast<std::uint32_t>(h);
    out.pixels.assign(pixels, pixels + std::size_t{out.width} * out.height * out.channels);
    WebPFree(pixels);
    return out;
}

} // namespace openai::emulator::test
