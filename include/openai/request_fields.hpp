/// The field table of each request type: one description of every parameter (its wire name, its
/// type, which bodies carry it, and the values and range the API's schema allows), from which
/// the library's JSON encoder and decoder and its multipart form fields are driven, and which
/// programs (the CLI's batch reader, the emulator's structural checks) read as well.
///
/// Adding a parameter is one line here (plus the member in <openai/requests.hpp> and its rule in
/// the validation): every encoder, decoder and reader picks it up.
///
/// The inputs of edits and variations (`images`, `mask`, `image`) are not fields: they are files
/// (multipart parts) or references (JSON objects), written by hand by each body's writer.
#pragma once

#include <openai/open_string.hpp>
#include <openai/requests.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace openai {

/// The JSON type of a field's value (multipart text fields carry its decimal or "true"/"false").
enum class field_type { string, integer, boolean };

/// The bodies that carry a field (a bit set).
namespace bodies {
inline constexpr unsigned json = 1;  ///< the JSON body (generations; edits with references)
inline constexpr unsigned form = 2;  ///< the multipart form (edits with files; variations)
inline constexpr unsigned batch = 4; ///< a line of the CLI's batch input (generations)
} // namespace bodies

namespace detail {
template <class T>
struct field_type_of;
template <>
struct field_type_of<std::string> : std::integral_constant<field_type, field_type::string> {};
template <>
struct field_type_of<std::optional<std::string>>
    : std::integral_constant<field_type, field_type::string> {};
template <class Tag>
struct field_type_of<std::optional<open_string<Tag>>>
    : std::integral_constant<field_type, field_type::string> {};
template <>
struct field_type_of<std::optional<int>> : std::integral_constant<field_type, field_type::integer> {
};
template <>
struct field_type_of<std::optional<bool>>
    : std::integral_constant<field_type, field_type::boolean> {};
} // namespace detail

/// What a program needs to know of a field without its C++ member.
struct field_info {
    std::string_view name;
    field_type type = field_type::string;
    unsigned bodies = 0;
    /// The values the API's schema enumerates for a string field (empty: any string). The
    /// per-model subsets are validation rules (<openai/validation.hpp>), not part of the table.
    std::span<const std::string_view> values{};
    /// The schema's range of an integer field, when `has_range`.
    int min = 0;
    int max = 0;
    bool has_range = false;
    /// Required (only `prompt`): always written, even empty.
    bool required = false;

    bool in(unsigned body) const noexcept { return (bodies & body) != 0; }
};

/// One field: its description and the request member holding it.
template <class Request, class T>
struct field {
    T Request::*member;
    field_info info;
};

template <class Request, class T>
constexpr field<Request, T> make_field(T Request::*member, std::string_view name, unsigned bodies,
                                       std::span<const std::string_view> values = {}) {
    return {member,
            {name, detail::field_type_of<T>::value, bodies, values, 0, 0, false,
             std::is_same_v<T, std::string>}};
}

template <class Request>
constexpr field<Request, std::optional<int>> make_field(std::optional<int> Request::*member,
                                                        std::string_view name, unsigned bodies,
                                                        int min, int max) {
    return {member, {name, field_type::integer, bodies, {}, min, max, true, false}};
}

/// The schema's enumerations.
namespace field_values {
inline constexpr std::array<std::string_view, 8> quality{"standard", "hd",    "low", "medium",
                                                         "high",     "xhigh", "max", "auto"};
inline constexpr std::array<std::string_view, 2> response_format{"url", "b64_json"};
inline constexpr std::array<std::string_view, 3> output_format{"png", "jpeg", "webp"};
inline constexpr std::array<std::string_view, 3> background{"transparent", "opaque", "auto"};
inline constexpr std::array<std::string_view, 2> moderation{"low", "auto"};
inline constexpr std::array<std::string_view, 2> style{"vivid", "natural"};
inline constexpr std::array<std::string_view, 2> input_fidelity{"high", "low"};
inline constexpr std::array<std::string_view, 3> variation_size{"256x256", "512x512", "1024x1024"};
} // namespace field_values

/// The table of a request type: `request_fields<R>::list` is a tuple of `field<R, T>`.
template <class Request>
struct request_fields;

template <>
struct request_fields<generate_request> {
    using R = generate_request;
    static constexpr unsigned all = bodies::json | bodies::batch;
    static constexpr auto list = std::tuple{
        make_field(&R::prompt, "prompt", all),
        make_field(&R::model, "model", all),
        make_field(&R::n, "n", all, 1, 10),
        make_field(&R::quality, "quality", all, field_values::quality),
        make_field(&R::response_format, "response_format", all, field_values::response_format),
        make_field(&R::output_format, "output_format", all, field_values::output_format),
        make_field(&R::output_compression, "output_compression", all, 0, 100),
        /// A batch makes unary calls: a batch line may say stream=false, never true.
        make_field(&R::stream, "stream", bodies::json),
        make_field(&R::partial_images, "partial_images", all, 0, 3),
        make_field(&R::size, "size", all),
        make_field(&R::moderation, "moderation", all, field_values::moderation),
        make_field(&R::background, "background", all, field_values::background),
        make_field(&R::style, "style", all, field_values::style),
        make_field(&R::user, "user", all),
    };
};

template <>
struct request_fields<edit_request> {
    using R = edit_request;
    static constexpr unsigned both = bodies::json | bodies::form;
    static constexpr auto list = std::tuple{
        make_field(&R::prompt, "prompt", both),
        make_field(&R::model, "model", both),
        make_field(&R::n, "n", both, 1, 10),
        make_field(&R::size, "size", both),
        make_field(&R::quality, "quality", both, field_values::quality),
        /// Multipart only: the JSON body's schema has no response_format (JSON edits are for GPT
        /// image models, which always return base64); validation refuses it on a JSON edit.
        make_field(&R::response_format, "response_format", bodies::form,
                   field_values::response_format),
        make_field(&R::output_format, "output_format", both, field_values::output_format),
        make_field(&R::output_compression, "output_compression", both, 0, 100),
        make_field(&R::background, "background", both, field_values::background),
        make_field(&R::input_fidelity, "input_fidelity", both, field_values::input_fidelity),
        /// JSON body only: the multipart edit endpoint has no such parameter (validation refuses
        /// it on an edit with files).
        make_field(&R::moderation, "moderation", bodies::json, field_values::moderation),
        make_field(&R::stream, "stream", both),
        make_field(&R::partial_images, "partial_images", both, 0, 3),
        make_field(&R::user, "user", both),
    };
};

template <>
struct request_fields<variation_request> {
    using R = variation_request;
    static constexpr unsigned form = bodies::form;
    static constexpr auto list = std::tuple{
        make_field(&R::model, "model", form),
        make_field(&R::n, "n", form, 1, 10),
        make_field(&R::response_format, "response_format", form, field_values::response_format),
        make_field(&R::size, "size", form, field_values::variation_size),
        make_field(&R::user, "user", form),
    };
};

/// Calls `f(field)` for every field of `Request`, in the table's order.
template <class Request, class F>
constexpr void for_each_field(F&& f) {
    std::apply([&](const auto&... each) { (f(each), ...); }, request_fields<Request>::list);
}

/// The descriptions of `Request`'s fields, in the table's order.
template <class Request>
constexpr auto field_infos() {
    return std::apply(
        [](const auto&... each) { return std::array<field_info, sizeof...(each)>{each.info...}; },
        request_fields<Request>::list);
}

/// The description of `Request`'s field `name`, or null.
template <class Request>
const field_info* find_field(std::string_view name) noexcept {
    static constexpr auto infos = field_infos<Request>();
    for (const auto& i : infos)
        if (i.name == name)
            return &i;
    return nullptr;
}

} // namespace openai
