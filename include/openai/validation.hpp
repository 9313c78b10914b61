/// Checking a request against the API's documented rules before sending it.
///
/// The rules are those of the spec's parameter descriptions, per model:
///
/// - prompt: required, valid UTF-8, at most 1000 (dall-e-2), 4000 (dall-e-3) or 32000 (GPT image
///   models) Unicode code points;
/// - n: 1..10, and 1 for dall-e-3; partial_images: 0..3; output_compression: 0..100;
/// - size: dall-e-2 256x256 / 512x512 / 1024x1024; dall-e-3 1024x1024 / 1792x1024 / 1024x1792;
///   GPT image models 1024x1024 / 1536x1024 / 1024x1536 / auto; gpt-image-2 and the GPT Image 2.5
///   models (gpt-image-2.5-flare, gpt-image-2.5-sunburst) also "WIDTHxHEIGHT" (see
///   `check_custom_size`);
/// - quality: low / medium / high / auto for GPT image models, plus xhigh and max for the 2.5
///   models only; standard / auto (dall-e-2), standard / hd / auto (dall-e-3);
/// - a dated snapshot ("<model>-YYYY-MM-DD", e.g. gpt-image-2.5-flare-2026-09-08) follows its
///   base model's rules (see `base_model`);
/// - GPT-only parameters (output_format, output_compression, background, moderation, stream=true,
///   partial_images, input_fidelity) are refused for DALL-E models (an explicit stream=false is
///   not); `style` is dall-e-3 only; `response_format` is DALL-E only; `input_fidelity` is not for
///   gpt-image-1-mini;
/// - values of the closed enumerations (quality per model, output_format, background, ...) for
///   known models;
/// - background=transparent needs output_format png or webp, and output_compression other than
///   its default 100 needs output_format jpeg or webp (png, the default, is lossless; 100 is
///   accepted with png because the spec's own example sends it): both checked for every model;
/// - edits: 1..16 images (dall-e-2: exactly one, and never image references), no dall-e-3, files
///   and references not mixed, in-memory and on-disk sizes below 50 MB (GPT image) or 4 MB
///   (dall-e-2, and every mask); `moderation` only in a JSON edit (image references) and
///   `response_format` only in a multipart one: each body's schema lacks the other's, and the
///   API refuses a parameter its body does not have;
/// - variations: dall-e-2 only, its sizes.
///
/// DALL-E 2 and 3 were retired on 2026-05-12: their rules stay for servers that still serve them.
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

/// Checks a request against the API's parameter rules (the list at the top of this header),
/// offline: nothing is sent and no file is read.
///
/// - **Returns**: the first rule the request breaks (errc::invalid_request, the `param` the API
///   would name and a message), or an empty validation_error when it breaks none.
/// - **When**: `images` calls it before sending unless `client_config::validate_requests` is
///   false; a refused request completes with the error and nothing goes on the wire.
validation_error validate(const generate_request& req);
/// As above, for an edit (also the rules of its images and mask: count, formats, dall-e-2).
validation_error validate(const edit_request& req);
/// As above, for a variation (dall-e-2 only).
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
    gpt_image, ///< gpt-image-1, -1-mini, -1.5, -2, -2.5-flare, -2.5-sunburst, chatgpt-image-latest
};

/// The model whose rules `name` follows: `name` without a dated snapshot suffix "-YYYY-MM-DD"
/// ("gpt-image-2.5-flare-2026-09-08" -> "gpt-image-2.5-flare", "gpt-image-2-2026-04-21" ->
/// "gpt-image-2"), or `name` itself when it has none. The date must look like one (month 01..12,
/// day 01..31); the base need not be a known model.
std::string_view base_model(std::string_view name) noexcept;

/// The family of `m` (of its base model, for a dated snapshot).
model_family family_of(const model& m) noexcept;

/// gpt-image-2, the GPT Image 2.5 models and their dated snapshots accept custom "WIDTHxHEIGHT"
/// sizes.
bool accepts_custom_sizes(const model& m) noexcept;

/// The GPT Image 2.5 models and their dated snapshots accept quality "xhigh" and "max".
bool accepts_extended_quality(const model& m) noexcept;

} // namespace openai
