#include "codec/upload_rules.hpp"

#include <openai/error.hpp>

#include <cstdint>
#include <string>

namespace openai::codec {
namespace {

// "less than 4MB", read as binary megabytes like validate() does.
constexpr std::uint64_t small_file_limit = 4ull * 1024 * 1024;

validation_error fail(std::string param, std::string message) {
    return {make_error_code(errc::invalid_request), std::move(param), std::move(message)};
}

std::string dimensions(const std::pair<std::uint32_t, std::uint32_t>& d) {
    return std::to_string(d.first) + "x" + std::to_string(d.second);
}

std::string type_of(const multipart_file_info& f) {
    return f.type ? std::string(image_type_name(*f.type)) : "'" + f.content_type + "'";
}

// A square PNG under 4 MB: what dall-e-2 takes as its one input image.
validation_error check_dall_e_2_image(const multipart_file_info& f, const std::string& param,
                                      std::string_view who) {
    const std::string what = "the image " + f.origin;
    if (f.type != image_type::png)
        return fail(param, what + " is " + type_of(f) + "; " + std::string(who) +
                               " takes a PNG image only");
    if (!f.png_size)
        return fail(param, what + " has no readable PNG header (IHDR)");
    if (f.png_size->first != f.png_size->second)
        return fail(param, what + " is " + dimensions(*f.png_size) + "; " + std::string(who) +
                               " takes a square image");
    if (f.size >= small_file_limit)
        return fail(param, what + " is " + std::to_string(f.size) + " bytes; " + std::string(who) +
                               " takes images under 4 MB");
    return {};
}

} // namespace

validation_error check_edit_uploads(model_family family,
                                    const std::vector<multipart_file_info>& files) {
    const multipart_file_info* first = nullptr;
    const multipart_file_info* mask = nullptr;
    for (const auto& f : files) {
        if (f.name == "mask")
            mask = &f;
        else if (!first)
            first = &f;
    }
    if (family == model_family::dall_e_2 && first)
        if (auto err = check_dall_e_2_image(*first, "image", "dall-e-2"))
            return err;
    if (mask) {
        const std::string what = "the mask " + mask->origin;
        if (mask->type != image_type::png)
            return fail("mask", what + " is " + type_of(*mask) + "; a mask must be a PNG image");
        if (!mask->png_size)
            return fail("mask", what + " has no readable PNG header (IHDR)");
        if (mask->size >= small_file_limit)
            return fail("mask", what + " is " + std::to_string(mask->size) +
                                    " bytes; a mask must be under 4 MB");
        // The first image may be a PNG, JPEG or WebP: its dimensions are compared whatever its
        // type (unknown only for a JPEG whose metadata outgrows the bytes read).
        if (first && first->dimensions && *first->dimensions != *mask->png_size)
            return fail("mask", what + " is " + dimensions(*mask->png_size) +
                                    " but the image it applies to (" + first->origin + ") is " +
                                    dimensions(*first->dimensions) +
                                    "; a mask must have the same dimensions");
    }
    return {};
}

validation_error check_variation_uploads(model_family family,
                                         const std::vector<multipart_file_info>& files) {
    if (family != model_family::dall_e_2 || files.empty())
        return {};
    return check_dall_e_2_image(files.front(), "image", "dall-e-2");
}

} // namespace openai::codec
