// The encoders of <openai/json.hpp>. Members are written in the spec's order, unset optionals
// are left out, and image bytes are base64-encoded straight into the JSON string.
#include "codec/base64.hpp"
#include "codec/field_codec.hpp"

#include <openai/json.hpp>

#include <boost/json/string.hpp>

#include <stdexcept>
#include <string>
#include <variant>

namespace openai {
namespace {

template <class T>
void put(boost::json::object& o, std::string_view key, const std::optional<T>& v) {
    if (v)
        o[key] = *v;
}

template <class Tag>
void put(boost::json::object& o, std::string_view key, const std::optional<open_string<Tag>>& v) {
    if (v)
        o[key] = v->view();
}

void put(boost::json::object& o, std::string_view key, const std::optional<std::string>& v) {
    if (v)
        o[key] = std::string_view(*v);
}

boost::json::string base64_string(std::string_view bytes) {
    boost::json::string s;
    s.resize(codec::base64_encoded_size(bytes.size()));
    codec::base64_encode(bytes, s.data());
    return s;
}

boost::json::object reference_json(const image_reference& ref) {
    boost::json::object o;
    o[ref.is_url() ? "image_url" : "file_id"] = std::string_view(ref.value());
    return o;
}

const image_reference& as_reference(const edit_image& im, std::string_view what) {
    if (const auto* ref = std::get_if<image_reference>(&im))
        return *ref;
    throw std::invalid_argument("to_json(edit_request): " + std::string(what) +
                                " is an image_file; requests with files are sent as multipart");
}

template <class Event>
boost::json::object event_common(const Event& ev) {
    boost::json::object o;
    o["type"] = Event::type;
    o["b64_json"] = base64_string(ev.bytes);
    put(o, "created_at", ev.created_at);
    put(o, "size", ev.size);
    put(o, "quality", ev.quality);
    put(o, "background", ev.background);
    put(o, "output_format", ev.output_format);
    return o;
}

} // namespace

boost::json::object to_json(const generate_request& r) {
    boost::json::object o;
    codec::encode_fields(o, r, bodies::json);
    return o;
}

boost::json::object to_json(const edit_request& r) {
    boost::json::object o;
    boost::json::array images;
    images.reserve(r.images.size());
    for (std::size_t i = 0; i < r.images.size(); ++i)
        images.push_back(
            reference_json(as_reference(r.images[i], "images[" + std::to_string(i) + "]")));
    o["images"] = std::move(images);
    if (r.mask)
        o["mask"] = reference_json(as_reference(*r.mask, "mask"));
    codec::encode_fields(o, r, bodies::json);
    return o;
}

boost::json::object to_json(const image_usage& u) {
    // Counts the server did not send are not written (absent stays absent, never zero).
    boost::json::object o;
    put(o, "total_tokens", u.total_tokens);
    put(o, "input_tokens", u.input_tokens);
    put(o, "output_tokens", u.output_tokens);
    const auto& in = u.input_tokens_details;
    if (in.text_tokens || in.image_tokens) {
        boost::json::object d;
        put(d, "text_tokens", in.text_tokens);
        put(d, "image_tokens", in.image_tokens);
        o["input_tokens_details"] = std::move(d);
    }
    if (u.output_tokens_details) {
        boost::json::object d;
        put(d, "image_tokens", u.output_tokens_details->image_tokens);
        put(d, "text_tokens", u.output_tokens_details->text_tokens);
        o["output_tokens_details"] = std::move(d);
    }
    return o;
}

// Members kept with keep_unknown_fields go back out as they came (the modelled ones win).
static void put_unknown(boost::json::object& o, const boost::json::object& unknown) {
    for (const auto& kv : unknown)
        if (!o.contains(kv.key()))
            o[kv.key()] = kv.value();
}

boost::json::object to_json(const image& img) {
    boost::json::object o;
    if (img.bytes)
        o["b64_json"] = base64_string(*img.bytes);
    put(o, "url", img.url);
    put(o, "revised_prompt", img.revised_prompt);
    put_unknown(o, img.unknown_fields);
    return o;
}

boost::json::object to_json(const images_response& r) {
    boost::json::object o;
    put(o, "created", r.created);
    boost::json::array data;
    data.reserve(r.data.size());
    for (const auto& img : r.data)
        data.push_back(to_json(img));
    o["data"] = std::move(data);
    put(o, "background", r.background);
    put(o, "output_format", r.output_format);
    put(o, "size", r.size);
    put(o, "quality", r.quality);
    if (r.usage)
        o["usage"] = to_json(*r.usage);
    put_unknown(o, r.unknown_fields);
    return o;
}

boost::json::object to_json(const image_event& ev) {
    return std::visit(
        [](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, unknown_event>) {
                return e.data;
            } else {
                auto o = event_common(e);
                if constexpr (requires { e.partial_image_index; }) {
                    o["partial_image_index"] = e.partial_image_index;
                } else {
                    static_assert(std::is_same_v<E, image_gen_completed_event> ||
                                  std::is_same_v<E, image_edit_completed_event>);
                    if (e.usage)
                        o["usage"] = to_json(*e.usage);
                }
                put_unknown(o, e.unknown_fields);
                return o;
            }
        },
        ev);
}

boost::json::object to_json(const api_error& e) {
    // The spec's Error requires all four members; param and code are nullable.
    boost::json::object o;
    o["message"] = e.message ? boost::json::value(*e.message) : boost::json::value(nullptr);
    o["type"] = e.type ? boost::json::value(*e.type) : boost::json::value(nullptr);
    o["param"] = e.param ? boost::json::value(*e.param) : boost::json::value(nullptr);
    o["code"] = e.code ? boost::json::value(*e.code) : boost::json::value(nullptr);
    return o;
}

boost::json::object to_error_body(const api_error& e) {
    boost::json::object o;
    o["error"] = to_json(e);
    return o;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const generate_request& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const edit_request& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const images_response& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image_usage& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const image_event& r) {
    v = to_json(r);
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const api_error& r) {
    v = to_json(r);
}

// <openai/responses.hpp>
std::string image::b64_json() const {
    return bytes ? codec::base64_encode(*bytes) : std::string();
}

} // namespace openai
