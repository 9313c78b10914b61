/// Open string enumerations: the API's model, size, quality, format... parameters.
///
/// The API adds values over time (new models, new sizes), so these are strings with named
/// constants rather than closed C++ enums: a value this library does not know still round-trips
/// through requests and responses unchanged.
#pragma once

#include <compare>
#include <concepts>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace openai {

/// A named value of an open enumeration, usable in constant expressions.
///
/// Converts implicitly to `open_string<Tag>` of the same `Tag` only, so a size constant cannot be
/// assigned to a model by mistake.
template <class Tag>
struct open_string_constant {
    std::string_view value;

    constexpr std::string_view view() const noexcept { return value; }
    constexpr operator std::string_view() const noexcept { return value; }

    friend constexpr bool operator==(open_string_constant a, open_string_constant b) noexcept {
        return a.value == b.value;
    }

    template <class Char, class Traits>
    friend std::basic_ostream<Char, Traits>& operator<<(std::basic_ostream<Char, Traits>& os,
                                                        open_string_constant c) {
        return os << c.value;
    }
};

/// A string-valued enumeration that accepts values it has no name for.
///
/// Implicitly constructible from `const char*`, `std::string`, `std::string_view` and the named
/// constants of the same `Tag`; compares with all of them.
template <class Tag>
class open_string {
public:
    open_string() = default;
    open_string(const char* s)
        : value_(s) {}
    open_string(std::string s) noexcept
        : value_(std::move(s)) {}
    open_string(std::string_view s)
        : value_(s) {}
    open_string(open_string_constant<Tag> c)
        : value_(c.value) {}

    const std::string& str() const noexcept { return value_; }
    std::string_view view() const noexcept { return value_; }
    const char* c_str() const noexcept { return value_.c_str(); }
    bool empty() const noexcept { return value_.empty(); }

    friend bool operator==(const open_string&, const open_string&) = default;
    friend std::strong_ordering operator<=>(const open_string& a, const open_string& b) noexcept {
        return a.value_.compare(b.value_) <=> 0;
    }

    /// Compares with anything that views as a string (literals, std::string, constants).
    template <class T>
    requires(std::convertible_to<const T&, std::string_view> &&
             !std::same_as<T, open_string>) friend bool
    operator==(const open_string& a, const T& b) noexcept {
        return a.view() == std::string_view(b);
    }

    template <class Char, class Traits>
    friend std::basic_ostream<Char, Traits>& operator<<(std::basic_ostream<Char, Traits>& os,
                                                        const open_string& s) {
        return os << s.value_;
    }

private:
    std::string value_;
};

/// ---- the enumerations of the Images API

struct model_tag {};
struct image_size_tag {};
struct image_quality_tag {};
struct image_background_tag {};
struct output_format_tag {};
struct moderation_tag {};
struct image_style_tag {};
struct response_format_tag {};
struct input_fidelity_tag {};

using model = open_string<model_tag>;                       ///< `model`
using image_size = open_string<image_size_tag>;             ///< `size`: "1024x1024", "auto", "WxH"
using image_quality = open_string<image_quality_tag>;       ///< `quality`
using image_background = open_string<image_background_tag>; ///< `background`
using output_format = open_string<output_format_tag>;       ///< `output_format`
using moderation = open_string<moderation_tag>;             ///< `moderation`
using image_style = open_string<image_style_tag>;           ///< `style` (dall-e-3)
using response_format = open_string<response_format_tag>;   ///< `response_format` (DALL-E)
using input_fidelity = open_string<input_fidelity_tag>;     ///< `input_fidelity` (edits)

/// Model names. GPT image models return base64 images and accept the GPT-only parameters.
///
/// A dated snapshot ("gpt-image-2.5-flare-2026-09-08": the base name, '-' and a YYYY-MM-DD date)
/// follows the rules of its base model: see `openai::base_model` in <openai/validation.hpp>.
/// DALL-E 2 and DALL-E 3 were retired on 2026-05-12; their names stay for servers that still
/// serve them (and for variations, a DALL-E 2 endpoint kept as legacy).
namespace models {
inline constexpr open_string_constant<model_tag> gpt_image_1{"gpt-image-1"};
inline constexpr open_string_constant<model_tag> gpt_image_1_mini{"gpt-image-1-mini"};
inline constexpr open_string_constant<model_tag> gpt_image_1_5{"gpt-image-1.5"};
inline constexpr open_string_constant<model_tag> gpt_image_2{"gpt-image-2"};
inline constexpr open_string_constant<model_tag> gpt_image_2_2026_04_21{"gpt-image-2-2026-04-21"};
inline constexpr open_string_constant<model_tag> gpt_image_2_5_flare{"gpt-image-2.5-flare"};
inline constexpr open_string_constant<model_tag> gpt_image_2_5_sunburst{"gpt-image-2.5-sunburst"};
inline constexpr open_string_constant<model_tag> chatgpt_image_latest{"chatgpt-image-latest"};
inline constexpr open_string_constant<model_tag> dall_e_2{"dall-e-2"}; ///< retired 2026-05-12
inline constexpr open_string_constant<model_tag> dall_e_3{"dall-e-3"}; ///< retired 2026-05-12
} // namespace models

/// Sizes. `gpt-image-2` and the 2.5 models also take any valid "WIDTHxHEIGHT" (see
/// `custom_size`).
namespace sizes {
inline constexpr open_string_constant<image_size_tag> auto_{"auto"};
inline constexpr open_string_constant<image_size_tag> s256x256{"256x256"};
inline constexpr open_string_constant<image_size_tag> s512x512{"512x512"};
inline constexpr open_string_constant<image_size_tag> s1024x1024{"1024x1024"};
inline constexpr open_string_constant<image_size_tag> s1536x1024{"1536x1024"};
inline constexpr open_string_constant<image_size_tag> s1024x1536{"1024x1536"};
inline constexpr open_string_constant<image_size_tag> s1792x1024{"1792x1024"};
inline constexpr open_string_constant<image_size_tag> s1024x1792{"1024x1792"};
} // namespace sizes

/// "WIDTHxHEIGHT", e.g. `custom_size(1536, 864)` == "1536x864".
inline image_size custom_size(unsigned width, unsigned height) {
    return image_size(std::to_string(width) + 'x' + std::to_string(height));
}

namespace qualities {
inline constexpr open_string_constant<image_quality_tag> auto_{"auto"};
inline constexpr open_string_constant<image_quality_tag> low{"low"};
inline constexpr open_string_constant<image_quality_tag> medium{"medium"};
inline constexpr open_string_constant<image_quality_tag> high{"high"};
inline constexpr open_string_constant<image_quality_tag> xhigh{"xhigh"}; ///< GPT Image 2.5 only
inline constexpr open_string_constant<image_quality_tag> max{"max"};     ///< GPT Image 2.5 only
inline constexpr open_string_constant<image_quality_tag> hd{"hd"};       ///< dall-e-3
inline constexpr open_string_constant<image_quality_tag> standard{"standard"}; ///< DALL-E
} // namespace qualities

namespace backgrounds {
inline constexpr open_string_constant<image_background_tag> transparent{"transparent"};
inline constexpr open_string_constant<image_background_tag> opaque{"opaque"};
inline constexpr open_string_constant<image_background_tag> auto_{"auto"};
} // namespace backgrounds

namespace output_formats {
inline constexpr open_string_constant<output_format_tag> png{"png"};
inline constexpr open_string_constant<output_format_tag> jpeg{"jpeg"};
inline constexpr open_string_constant<output_format_tag> webp{"webp"};
} // namespace output_formats

namespace moderations {
inline constexpr open_string_constant<moderation_tag> low{"low"};
inline constexpr open_string_constant<moderation_tag> auto_{"auto"};
} // namespace moderations

namespace styles {
inline constexpr open_string_constant<image_style_tag> vivid{"vivid"};
inline constexpr open_string_constant<image_style_tag> natural{"natural"};
} // namespace styles

namespace response_formats {
inline constexpr open_string_constant<response_format_tag> url{"url"};
inline constexpr open_string_constant<response_format_tag> b64_json{"b64_json"};
} // namespace response_formats

namespace input_fidelities {
inline constexpr open_string_constant<input_fidelity_tag> high{"high"};
inline constexpr open_string_constant<input_fidelity_tag> low{"low"};
} // namespace input_fidelities

} // namespace openai

template <class Tag>
struct std::hash<openai::open_string<Tag>> {
    std::size_t operator()(const openai::open_string<Tag>& s) const noexcept {
        return std::hash<std::string_view>{}(s.view());
    }
};
