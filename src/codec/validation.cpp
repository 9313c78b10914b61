// The request rules of <openai/validation.hpp>. Read that header's comment first: it is the
// summary of what is checked and how an unset or unknown model is treated.
#include <openai/validation.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace openai {
namespace {

// "less than 4MB" / "less than 50MB": read as binary megabytes, the more lenient reading, so
// that a file the API takes is never refused here.
constexpr std::uintmax_t dall_e_2_file_limit = 4ull * 1024 * 1024;
constexpr std::uintmax_t gpt_image_file_limit = 50ull * 1024 * 1024;
constexpr std::uintmax_t mask_file_limit = 4ull * 1024 * 1024;
constexpr std::size_t max_edit_images = 16;

validation_error fail(std::string param, std::string message) {
    return {make_error_code(errc::invalid_request), std::move(param), std::move(message)};
}

using names = std::initializer_list<std::string_view>;

bool one_of(std::string_view v, names allowed) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::string list(names allowed) {
    std::string out;
    std::size_t i = 0;
    for (auto a : allowed) {
        if (i != 0)
            out += (i + 1 == allowed.size()) ? " or " : ", ";
        out += a;
        ++i;
    }
    return out;
}

template <class Tag>
validation_error check_enum(const std::optional<open_string<Tag>>& v, std::string_view param,
                            std::string_view who, names allowed) {
    if (v && !one_of(v->view(), allowed))
        return fail(std::string(param), std::string(param) + " must be " + list(allowed) + " for " +
                                            std::string(who) + ", got \"" + v->str() + "\"");
    return {};
}

validation_error check_range(const std::optional<int>& v, std::string_view param, int lo, int hi) {
    if (v && (*v < lo || *v > hi))
        return fail(std::string(param), std::string(param) + " must be between " +
                                            std::to_string(lo) + " and " + std::to_string(hi) +
                                            ", got " + std::to_string(*v));
    return {};
}

validation_error check_prompt(const std::string& prompt, std::optional<std::size_t> max,
                              std::string_view who) {
    if (prompt.empty())
        return fail("prompt", "prompt is required and must not be empty");
    auto len = utf8_length(prompt);
    if (!len)
        return fail("prompt", "prompt is not valid UTF-8");
    if (max && *len > *max)
        return fail("prompt", "prompt is " + std::to_string(*len) + " characters; " +
                                  std::string(who) + " takes at most " + std::to_string(*max));
    return {};
}

// A GPT-only parameter set on a DALL-E model.
validation_error refuse(bool present, std::string_view param, std::string_view who) {
    if (present)
        return fail(std::string(param), std::string(param) +
                                            " is only supported for the GPT image models, not " +
                                            std::string(who));
    return {};
}

// What the rules know about the model a request targets.
struct target {
    model_family family = model_family::unknown;
    std::string name;              // for messages
    bool custom_sizes = false;     // gpt-image-2, the 2.5 models
    bool mini = false;             // gpt-image-1-mini: no input_fidelity
    bool extended_quality = false; // the 2.5 models: quality xhigh and max
};

target target_of(const model& m) {
    return {family_of(m), m.str(), accepts_custom_sizes(m),
            base_model(m.view()) == models::gpt_image_1_mini.view(), accepts_extended_quality(m)};
}

const names dall_e_2_sizes = {"256x256", "512x512", "1024x1024"};
const names dall_e_3_sizes = {"1024x1024", "1792x1024", "1024x1792"};
const names gpt_sizes = {"1024x1024", "1536x1024", "1024x1536", "auto"};

validation_error check_size(const std::optional<image_size>& size, const target& t) {
    if (!size)
        return {};
    switch (t.family) {
    case model_family::unknown:
        return {};
    case model_family::dall_e_2:
        return check_enum(size, "size", t.name, dall_e_2_sizes);
    case model_family::dall_e_3:
        return check_enum(size, "size", t.name, dall_e_3_sizes);
    case model_family::gpt_image:
        break;
    }
    if (one_of(size->view(), gpt_sizes))
        return {};
    if (!t.custom_sizes)
        return check_enum(size, "size", t.name, gpt_sizes);
    auto d = parse_size(size->view());
    if (!d)
        return fail("size", "size must be auto, 1024x1024, 1536x1024, 1024x1536 or "
                            "WIDTHxHEIGHT for " +
                                t.name + ", got \"" + size->str() + "\"");
    if (auto why = check_custom_size(*d); !why.empty())
        return fail("size", "size " + size->str() + " is not supported by " + t.name + ": " + why);
    return {};
}

validation_error check_transparent(const std::optional<image_background>& background,
                                   const std::optional<output_format>& format) {
    if (background && *background == backgrounds::transparent && format &&
        !(*format == output_formats::png || *format == output_formats::webp))
        return fail("background", "a transparent background needs output_format png or webp, got "
                                  "\"" +
                                      format->str() + "\"");
    return {};
}

// Lossy compression needs a lossy format; png (also the default) has none. 100, the default,
// asks for nothing and stays accepted with png: the spec's own JSON edit example sends it.
validation_error check_compression_format(const std::optional<int>& compression,
                                          const std::optional<output_format>& format) {
    if (compression && *compression != 100 &&
        !(format && (*format == output_formats::jpeg || *format == output_formats::webp)))
        return fail("output_compression",
                    "output_compression other than 100 needs output_format jpeg or webp, got " +
                        (format ? "\"" + format->str() + "\"" : std::string("none (png)")));
    return {};
}

std::uintmax_t file_size_of(const image_file& f) {
    if (f.is_memory())
        return f.bytes()->size();
    // A stat, not a read: an unreadable file is reported when the body is written.
    std::error_code ec;
    auto n = std::filesystem::file_size(f.path(), ec);
    return ec ? 0 : n;
}

validation_error check_file(const image_file& f, std::string_view param, std::string_view what,
                            std::uintmax_t limit, std::string_view who) {
    if (f.empty())
        return fail(std::string(param), std::string(what) + " has neither a path nor bytes");
    if (auto n = file_size_of(f); n >= limit)
        return fail(std::string(param), std::string(what) + " is " + std::to_string(n) +
                                            " bytes; " + std::string(who) + " takes files under " +
                                            std::to_string(limit / (1024 * 1024)) + " MB");
    return {};
}

#define OPENAI_CHECK(expr)                                                                         \
    do {                                                                                           \
        if (auto err_ = (expr))                                                                    \
            return err_;                                                                           \
    } while (false)

// The checks that close generate and edit alike: compression, partial images, and a transparent
// background's format.
template <class Request>
validation_error check_output_options(const Request& r) {
    OPENAI_CHECK(check_range(r.output_compression, "output_compression", 0, 100));
    OPENAI_CHECK(check_range(r.partial_images, "partial_images", 0, 3));
    OPENAI_CHECK(check_transparent(r.background, r.output_format));
    OPENAI_CHECK(check_compression_format(r.output_compression, r.output_format));
    return {};
}

const names gpt_qualities = {"low", "medium", "high", "auto"};
const names extended_qualities = {"low", "medium", "high", "xhigh", "max", "auto"};

validation_error check_gpt_quality(const std::optional<image_quality>& quality, const target& t) {
    if (t.extended_quality)
        return check_enum(quality, "quality", t.name, extended_qualities);
    if (quality && (*quality == qualities::xhigh || *quality == qualities::max))
        return fail("quality", "quality " + quality->str() +
                                   " is only supported by the GPT Image 2.5 models "
                                   "(gpt-image-2.5-flare, gpt-image-2.5-sunburst), not " +
                                   t.name);
    return check_enum(quality, "quality", t.name, gpt_qualities);
}
const names formats = {"png", "jpeg", "webp"};
const names background_values = {"transparent", "opaque", "auto"};
const names moderation_values = {"low", "auto"};
const names response_format_values = {"url", "b64_json"};

} // namespace

// ---------------------------------------------------------------------------------------------

std::string_view base_model(std::string_view name) noexcept {
    // "-YYYY-MM-DD": 11 characters after a non-empty base.
    constexpr std::size_t suffix = 11;
    if (name.size() <= suffix)
        return name;
    const std::string_view d = name.substr(name.size() - suffix);
    auto digits = [&](std::size_t from, std::size_t count) {
        for (std::size_t i = from; i < from + count; ++i)
            if (d[i] < '0' || d[i] > '9')
                return false;
        return true;
    };
    if (d[0] != '-' || d[5] != '-' || d[8] != '-' || !digits(1, 4) || !digits(6, 2) ||
        !digits(9, 2))
        return name;
    const int month = (d[6] - '0') * 10 + (d[7] - '0');
    const int day = (d[9] - '0') * 10 + (d[10] - '0');
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return name;
    return name.substr(0, name.size() - suffix);
}

model_family family_of(const model& m) noexcept {
    const std::string_view base = base_model(m.view());
    if (base == models::dall_e_2.view())
        return model_family::dall_e_2;
    if (base == models::dall_e_3.view())
        return model_family::dall_e_3;
    for (auto name : {models::gpt_image_1, models::gpt_image_1_mini, models::gpt_image_1_5,
                      models::gpt_image_2, models::gpt_image_2_5_flare,
                      models::gpt_image_2_5_sunburst, models::chatgpt_image_latest})
        if (base == name.view())
            return model_family::gpt_image;
    return model_family::unknown;
}

bool accepts_custom_sizes(const model& m) noexcept {
    const std::string_view base = base_model(m.view());
    return base == models::gpt_image_2.view() || base == models::gpt_image_2_5_flare.view() ||
           base == models::gpt_image_2_5_sunburst.view();
}

bool accepts_extended_quality(const model& m) noexcept {
    const std::string_view base = base_model(m.view());
    return base == models::gpt_image_2_5_flare.view() ||
           base == models::gpt_image_2_5_sunburst.view();
}

std::optional<image_dimensions> parse_size(std::string_view size) noexcept {
    auto number = [](std::string_view s) -> std::optional<std::uint32_t> {
        // Up to 9 digits fits in 32 bits; no leading zero, so "0" and "016" are refused.
        if (s.empty() || s.size() > 9 || s[0] == '0')
            return std::nullopt;
        std::uint32_t v = 0;
        for (char c : s) {
            if (c < '0' || c > '9')
                return std::nullopt;
            v = v * 10 + static_cast<std::uint32_t>(c - '0');
        }
        return v;
    };
    auto x = size.find('x');
    if (x == std::string_view::npos)
        return std::nullopt;
    auto w = number(size.substr(0, x));
    auto h = number(size.substr(x + 1));
    if (!w || !h)
        return std::nullopt;
    return image_dimensions{*w, *h};
}

std::string check_custom_size(image_dimensions d) {
    if (d.width == 0 || d.height == 0)
        return "width and height must be positive";
    if (d.width % 16 != 0 || d.height % 16 != 0)
        return "width and height must both be multiples of 16";
    const auto long_edge = std::max(d.width, d.height);
    const auto short_edge = std::min(d.width, d.height);
    if (std::uint64_t{long_edge} > 3 * std::uint64_t{short_edge})
        return "the aspect ratio must be between 1:3 and 3:1";
    if (long_edge > 3840 || short_edge > 2160)
        return "the maximum resolution is 3840x2160 (long edge 3840, short edge 2160)";
    return {};
}

std::optional<std::size_t> utf8_length(std::string_view s) noexcept {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size())
            return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80)
                return std::nullopt;
            cp = (cp << 6) | (c & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::array<std::uint32_t, 5> min_for_len{0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

// ---------------------------------------------------------------------------------------------

validation_error validate(const generate_request& r) {
    OPENAI_CHECK(check_prompt(r.prompt, std::nullopt, ""));
    if (r.model && r.model->empty())
        return fail("model", "model must not be empty (leave it unset for the API's default)");

    // stream=false asks for nothing GPT-specific: it is the default of every model.
    const bool gpt_only = r.output_format || r.output_compression || r.background || r.moderation ||
                          r.stream.value_or(false) || r.partial_images;
    target t;
    if (r.model)
        t = target_of(*r.model);
    else if (gpt_only)
        t = {model_family::gpt_image, "the default GPT image model", false, false, false};
    else
        t = {model_family::dall_e_2, "dall-e-2 (the default model)", false, false, false};

    OPENAI_CHECK(check_range(r.n, "n", 1, 10));

    switch (t.family) {
    case model_family::unknown:
        break;
    case model_family::dall_e_2:
    case model_family::dall_e_3: {
        const bool three = t.family == model_family::dall_e_3;
        OPENAI_CHECK(check_prompt(r.prompt, three ? 4000 : 1000, t.name));
        if (three && r.n && *r.n != 1)
            return fail("n", "dall-e-3 supports only n=1, got " + std::to_string(*r.n));
        OPENAI_CHECK(
            check_enum(r.quality, "quality", t.name,
                       three ? names{"standard", "hd", "auto"} : names{"standard", "auto"}));
        OPENAI_CHECK(
            check_enum(r.response_format, "response_format", t.name, response_format_values));
        OPENAI_CHECK(refuse(r.output_format.has_value(), "output_format", t.name));
        OPENAI_CHECK(refuse(r.output_compression.has_value(), "output_compression", t.name));
        OPENAI_CHECK(refuse(r.stream.value_or(false), "stream", t.name));
        OPENAI_CHECK(refuse(r.partial_images.has_value(), "partial_images", t.name));
        OPENAI_CHECK(check_size(r.size, t));
        OPENAI_CHECK(refuse(r.moderation.has_value(), "moderation", t.name));
        OPENAI_CHECK(refuse(r.background.has_value(), "background", t.name));
        if (three)
            OPENAI_CHECK(check_enum(r.style, "style", t.name, {"vivid", "natural"}));
        else if (r.style)
            return fail("style", "style is only supported for dall-e-3, not " + t.name);
        break;
    }
    case model_family::gpt_image:
        OPENAI_CHECK(check_prompt(r.prompt, 32000, t.name));
        OPENAI_CHECK(check_gpt_quality(r.quality, t));
        if (r.response_format)
            return fail("response_format",
                        "response_format is only supported for dall-e-2 and dall-e-3; " + t.name +
                            " always returns base64 images");
        OPENAI_CHECK(check_enum(r.output_format, "output_format", t.name, formats));
        OPENAI_CHECK(check_size(r.size, t));
        OPENAI_CHECK(check_enum(r.moderation, "moderation", t.name, moderation_values));
        OPENAI_CHECK(check_enum(r.background, "background", t.name, background_values));
        if (r.style)
            return fail("style", "style is only supported for dall-e-3, not " + t.name);
        break;
    }

    return check_output_options(r);
}

validation_error validate(const edit_request& r) {
    // ---- the inputs: their kind decides the body (multipart `image[]` or JSON `images`)
    const bool any_ref = std::any_of(r.images.begin(), r.images.end(), [](const edit_image& i) {
        return std::holds_alternative<image_reference>(i);
    });
    const bool any_file = std::any_of(r.images.begin(), r.images.end(), [](const edit_image& i) {
        return std::holds_alternative<image_file>(i);
    });
    const std::string images_param = any_ref && !any_file ? "images" : "image";
    if (r.images.empty())
        return fail(images_param, "an edit needs at least one input image");
    if (r.images.size() > max_edit_images)
        return fail(images_param,
                    "an edit takes at most 16 images, got " + std::to_string(r.images.size()));
    if (any_ref && any_file)
        return fail(images_param,
                    "uploaded files and image references (image_url/file_id) cannot be mixed in "
                    "one edit: use all files (multipart) or all references (JSON body)");
    if (r.mask && std::holds_alternative<image_reference>(*r.mask) != any_ref)
        return fail("mask", any_ref ? "the mask must be an image reference like the images"
                                    : "the mask must be an uploaded file like the images");
    const bool json_body = any_ref;
    // The multipart edit endpoint has no `moderation` (only the JSON body has): the API answers
    // unknown_parameter, so it is refused here rather than silently dropped.
    if (!json_body && r.moderation)
        return fail("moderation", "moderation is not a parameter of multipart edits (uploaded "
                                  "files); send the images as references (image_url or file_id, "
                                  "a JSON body) to set it");
    // Likewise the JSON body has no response_format (its GPT image models return base64).
    if (json_body && r.response_format)
        return fail("response_format", "response_format is not a parameter of JSON edits (image "
                                       "references); GPT image models always return base64");

    if (r.model && r.model->empty())
        return fail("model", "model must not be empty (leave it unset for the API's default)");
    const target t = target_of(r.model ? *r.model : model(models::gpt_image_1_5));
    if (t.family == model_family::dall_e_3)
        return fail("model", "dall-e-3 does not support edits (use dall-e-2 or a GPT image model)");
    const bool dall_e_2 = t.family == model_family::dall_e_2;

    for (std::size_t i = 0; i < r.images.size(); ++i) {
        const std::string what = images_param + "[" + std::to_string(i) + "]";
        if (const auto* f = std::get_if<image_file>(&r.images[i])) {
            const auto limit = dall_e_2 ? dall_e_2_file_limit : gpt_image_file_limit;
            OPENAI_CHECK(check_file(*f, images_param, what, limit,
                                    t.family == model_family::unknown ? "the API" : t.name));
        } else if (std::get<image_reference>(r.images[i]).value().empty()) {
            return fail(
                images_param,
                what + " has an empty " +
                    (std::get<image_reference>(r.images[i]).is_url() ? "image_url" : "file_id"));
        }
    }
    if (r.mask) {
        if (const auto* f = std::get_if<image_file>(&*r.mask))
            OPENAI_CHECK(check_file(*f, "mask", "the mask", mask_file_limit, "the API"));
        else if (std::get<image_reference>(*r.mask).value().empty())
            return fail("mask", "the mask reference is empty");
    }

    OPENAI_CHECK(check_prompt(r.prompt, std::nullopt, ""));
    OPENAI_CHECK(check_range(r.n, "n", 1, 10));

    switch (t.family) {
    case model_family::unknown:
    case model_family::dall_e_3:
        break;
    case model_family::dall_e_2:
        if (json_body)
            return fail("images", "dall-e-2 edits need an uploaded file (multipart); image "
                                  "references need a GPT image model");
        if (r.images.size() != 1)
            return fail("image", "dall-e-2 edits take exactly one image, got " +
                                     std::to_string(r.images.size()));
        OPENAI_CHECK(check_prompt(r.prompt, 1000, t.name));
        OPENAI_CHECK(check_size(r.size, t));
        OPENAI_CHECK(check_enum(r.quality, "quality", t.name, {"standard", "auto"}));
        OPENAI_CHECK(
            check_enum(r.response_format, "response_format", t.name, response_format_values));
        OPENAI_CHECK(refuse(r.output_format.has_value(), "output_format", t.name));
        OPENAI_CHECK(refuse(r.output_compression.has_value(), "output_compression", t.name));
        OPENAI_CHECK(refuse(r.background.has_value(), "background", t.name));
        OPENAI_CHECK(refuse(r.input_fidelity.has_value(), "input_fidelity", t.name));
        OPENAI_CHECK(refuse(r.moderation.has_value(), "moderation", t.name));
        OPENAI_CHECK(refuse(r.stream.value_or(false), "stream", t.name));
        OPENAI_CHECK(refuse(r.partial_images.has_value(), "partial_images", t.name));
        break;
    case model_family::gpt_image:
        OPENAI_CHECK(check_prompt(r.prompt, 32000, t.name));
        OPENAI_CHECK(check_size(r.size, t));
        OPENAI_CHECK(check_gpt_quality(r.quality, t));
        if (r.response_format)
            return fail("response_format", "response_format is only supported for dall-e-2; " +
                                               t.name + " always returns base64 images");
        OPENAI_CHECK(check_enum(r.output_format, "output_format", t.name, formats));
        OPENAI_CHECK(check_enum(r.background, "background", t.name, background_values));
        if (r.input_fidelity && t.mini)
            return fail("input_fidelity", "input_fidelity is not supported for " + t.name);
        OPENAI_CHECK(check_enum(r.input_fidelity, "input_fidelity", t.name, {"high", "low"}));
        OPENAI_CHECK(check_enum(r.moderation, "moderation", t.name, moderation_values));
        break;
    }

    return check_output_options(r);
}

validation_error validate(const variation_request& r) {
    if (r.model && r.model->empty())
        return fail("model", "model must not be empty (leave it unset for the API's default)");
    const target t = target_of(r.model ? *r.model : model(models::dall_e_2));
    if (t.family == model_family::dall_e_3 || t.family == model_family::gpt_image)
        return fail("model", "variations are only supported by dall-e-2, not " + t.name);
    OPENAI_CHECK(check_file(r.image, "image", "the image", dall_e_2_file_limit,
                            t.family == model_family::unknown ? "the API" : t.name));
    OPENAI_CHECK(check_range(r.n, "n", 1, 10));
    if (t.family == model_family::dall_e_2) {
        OPENAI_CHECK(check_size(r.size, t));
        OPENAI_CHECK(
            check_enum(r.response_format, "response_format", t.name, response_format_values));
    }
    return {};
}

} // namespace openai
