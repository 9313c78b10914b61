/// The events of a streamed generation or edit (text/event-stream responses with `stream=true`).
///
/// Like `openai::image`, events carry decoded bytes: the base64 text of `b64_json` is decoded
/// while the event's JSON is parsed. Metadata the spec lists as required is still optional here,
/// because the API's own examples omit it; values are open strings (a `gpt-image-2` stream echoes
/// custom sizes such as "1536x864").
#pragma once

#include <openai/open_string.hpp>
#include <openai/responses.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace openai {

/// `ImageGenPartialImageEvent`: "image_generation.partial_image".
struct image_gen_partial_image_event {
    static constexpr std::string_view type = "image_generation.partial_image";

    std::string bytes{}; ///< the decoded partial image
    std::optional<std::int64_t> created_at{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    std::optional<image_background> background{};
    std::optional<openai::output_format> output_format{};
    int partial_image_index = 0; ///< 0-based

    /// With request_options::keep_unknown_fields: the members of the event this library does
    /// not model, as sent. Empty otherwise.
    boost::json::object unknown_fields{};

    friend bool operator==(const image_gen_partial_image_event&,
                           const image_gen_partial_image_event&) = default;
};

/// `ImageGenCompletedEvent`: "image_generation.completed".
struct image_gen_completed_event {
    static constexpr std::string_view type = "image_generation.completed";

    std::string bytes{}; ///< the decoded final image
    std::optional<std::int64_t> created_at{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    std::optional<image_background> background{};
    std::optional<openai::output_format> output_format{};
    std::optional<image_usage> usage{};

    /// With request_options::keep_unknown_fields: the members of the event this library does
    /// not model, as sent. Empty otherwise.
    boost::json::object unknown_fields{};

    friend bool operator==(const image_gen_completed_event&,
                           const image_gen_completed_event&) = default;
};

/// `ImageEditPartialImageEvent`: "image_edit.partial_image".
struct image_edit_partial_image_event {
    static constexpr std::string_view type = "image_edit.partial_image";

    std::string bytes{};
    std::optional<std::int64_t> created_at{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    std::optional<image_background> background{};
    std::optional<openai::output_format> output_format{};
    int partial_image_index = 0;

    /// With request_options::keep_unknown_fields: the members of the event this library does
    /// not model, as sent. Empty otherwise.
    boost::json::object unknown_fields{};

    friend bool operator==(const image_edit_partial_image_event&,
                           const image_edit_partial_image_event&) = default;
};

/// `ImageEditCompletedEvent`: "image_edit.completed".
struct image_edit_completed_event {
    static constexpr std::string_view type = "image_edit.completed";

    std::string bytes{};
    std::optional<std::int64_t> created_at{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    std::optional<image_background> background{};
    std::optional<openai::output_format> output_format{};
    std::optional<image_usage> usage{};

    /// With request_options::keep_unknown_fields: the members of the event this library does
    /// not model, as sent. Empty otherwise.
    boost::json::object unknown_fields{};

    friend bool operator==(const image_edit_completed_event&,
                           const image_edit_completed_event&) = default;
};

/// An event of a type this library does not know (newer than it), delivered as it came rather
/// than skipped: its JSON "type" and its whole `data` object (a "b64_json" member holds the
/// base64 text). Streams never end on one.
struct unknown_event {
    std::string type{};         ///< the JSON "type" ("" when the data has none)
    boost::json::object data{}; ///< the event's data, whole

    friend bool operator==(const unknown_event&, const unknown_event&) = default;
};

/// One event of an image stream.
using image_event =
    std::variant<image_gen_partial_image_event, image_gen_completed_event,
                 image_edit_partial_image_event, image_edit_completed_event, unknown_event>;

/// The event's JSON "type", e.g. "image_generation.completed" (an unknown event's own).
inline std::string_view event_type(const image_event& ev) noexcept {
    return std::visit([](const auto& e) { return std::string_view(e.type); }, ev);
}

/// True for an event of a type this library does not know (`unknown_event`).
inline bool is_unknown(const image_event& ev) noexcept {
    return std::holds_alternative<unknown_event>(ev);
}

/// True for the final event of a stream (`*.completed`).
inline bool is_completed(const image_event& ev) noexcept {
    return std::holds_alternative<image_gen_completed_event>(ev) ||
           std::holds_alternative<image_edit_completed_event>(ev);
}

/// True for a partial image (`*.partial_image`).
inline bool is_partial(const image_event& ev) noexcept {
    return std::holds_alternative<image_gen_partial_image_event>(ev) ||
           std::holds_alternative<image_edit_partial_image_event>(ev);
}

/// The decoded image of any event; empty for an unknown event.
inline const std::string& image_bytes(const image_event& ev) noexcept {
    static const std::string none;
    return std::visit(
        [](const auto& e) -> const std::string& {
            if constexpr (requires { e.bytes; })
                return e.bytes;
            else
                return none;
        },
        ev);
}

/// The decoded image of any event, to move it out: `std::string png = image_bytes(std::move(ev));`
/// (an unknown event's is empty).
inline std::string image_bytes(image_event&& ev) noexcept {
    return std::visit(
        [](auto& e) -> std::string {
            if constexpr (requires { e.bytes; })
                return std::move(e.bytes);
            else
                return {};
        },
        ev);
}

/// The members of an event that this library does not model, kept when the call set
/// request_options::keep_unknown_fields (empty otherwise); an unknown event's whole data.
inline const boost::json::object& unknown_fields(const image_event& ev) noexcept {
    return std::visit(
        [](const auto& e) -> const boost::json::object& {
            if constexpr (requires { e.unknown_fields; })
                return e.unknown_fields;
            else
                return e.data;
        },
        ev);
}

/// The index of a partial image; nullopt for a completed event.
inline std::optional<int> partial_image_index(const image_event& ev) noexcept {
    if (const auto* p = std::get_if<image_gen_partial_image_event>(&ev))
        return p->partial_image_index;
    if (const auto* p = std::get_if<image_edit_partial_image_event>(&ev))
        return p->partial_image_index;
    return std::nullopt;
}

/// The usage of a completed event; null for a partial image or when the server sent none.
inline const image_usage* event_usage(const image_event& ev) noexcept {
    if (const auto* c = std::get_if<image_gen_completed_event>(&ev))
        return c->usage ? &*c->usage : nullptr;
    if (const auto* c = std::get_if<image_edit_completed_event>(&ev))
        return c->usage ? &*c->usage : nullptr;
    return nullptr;
}

} // namespace openai
