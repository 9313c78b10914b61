// Checking a request against the API's documented rules before sending it.
//
// The rules are those of the spec's parameter descriptions, per model:
//
// - prompt: required, valid UTF-8, at most 1000 (dall-e-2), 4000 (dall-e-3) or 32000 (GPT image
//   models) Unicode code points;
// - n: 1..10, and 1 for dall-e-3; partial_images: 0..3; output_compression: 0..100;
// - size: dall-e-2 256x256 / 512x512 / 1024x1024; dall-e-3 1024x1024 / 1792x1024 / 1024x1792;
//   GPT image models 1024x1024 / 1536x1024 / 1024x1536 / auto; gpt-image-2 (and its snapshot
//   gpt-image-2-2026-04-21) also "WIDTHxHEIGHT" (see `check_custom_size`);
// - GPT-only parameters (output_format, output_compression, background, moderation, stream,
//   partial_images, input_fidelity) are refused for DALL-E models; `style` is dall-e-3 only;
//   `response_format` is DALL-E only; `input_fidelity` is not for gpt-image-1-mini;
// - values of the closed enumerations (quality per model, output_format, background, ...) for
//   known models;
// - background=transparent needs output_format png or webp (checked for every model);
// - edits: 1..16 images (dall-e-2: exactly one, and never image references), no dall-e-3, files
//   and references not mixed, in-memory and on-disk sizes below 50 MB (GPT image) or 4 MB
//   (dall-e-2, and every mask);
// - variations: dall-e-2 only, its sizes.
//
// An unset model means the API's default: for generations dall-e-2, unless a GPT-only parameter
// is set, in which case the rules shared by all GPT image models apply (standard sizes only: name
// gpt-image-2 to use custom sizes); for edits gpt-image-1.5; for variations dall-e-2.
// A model this library does not know skips every model-specific rule; the generic ones (prompt
// present, n, partial_images and output_compression ranges, transparent background format, edit
// inputs) still apply.
#pragma once

#include <openai/error.hpp>
#include <openai/open_string.hpp>
#include <openai/requests.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai {

/// The first problem found in a request, or none.
///
/// Like `error_code`, it converts to `true` when there IS a problem:
/// `if (auto err = openai::validate(req)) std::cerr << err.param << ": " << err.message;`
struct validation_error {
    boost::system::error_code code; ///< errc::invalid_request, or empty when valid
    std::string param;              ///< the parameter at fault, as the API's `param` names it
    std::string message;            ///< what is wrong, for people

    bool failed() const noexcept { return static_cast<bool>(code); }
    explicit operator bool() const noexcept { return failed(); }
};

validation_error validate(const generate_request& req);
validation_error validate(const edit_request& req);
validation_error validate(const variation_request& req);

/// Width and height of a "WIDTHxHEIGHT" size.
struct image_dimensions {
    std::uint32_t width = 0;
    std::uint32_t height = 0;

    friend bool operator==(const image_dimensions&, const image_dimensions&) = default;
};

/// Parses "WIDTHxHEIGHT" (decimal digits, lower-case 'x', no sign, no spaces, no leading zero,
/// both at least 1); nullopt for anything else, including "auto".
std::optional<image_dimensions> parse_size(std::string_view size) noexcept;

/// Checks a gpt-image-2 custom size: both sides multiples of 16, aspect ratio between 1:3 and 3:1
/// inclusive, and at most 3840x2160 in either orientation.
///
/// The spec says "the maximum supported resolution is 3840x2160". This reads it as: the long
/// edge at most 3840 and the short edge at most 2160 (so 2160x3840 is accepted, and the pixel
/// count never exceeds 3840*2160). Returns an empty string when the size is fine, else why not.
std::string check_custom_size(image_dimensions d);

/// The number of Unicode code points in `utf8`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view utf8) noexcept;

/// The known model families.
enum class model_family {
    unknown, ///< a model this library has no rules for
    dall_e_2,
    dall_e_3,
    gpt_image, ///< gpt-image-1, -1-mini, -1.5, -2, -2-2026-04-21, chatgpt-image-latest
};

model_family family_of(const model& m) noexcept;

/// gpt-image-2 and its dated snapshots accept custom "WIDTHxHEIGHT" sizes.
bool accepts_custom_sizes(const model& m) noexcept;

} // namespace openai
