// The decoders of <openai/json.hpp>: DOM walks that tolerate unknown members and nulls, and
// name the path of anything of the wrong type.
#include "codec/base64.hpp"
#include "codec/field_codec.hpp"
#include "codec/json_document.hpp"
#include "codec/json_read.hpp"

#include <openai/json.hpp>

#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>

namespace openai {
namespace codec {

std::string json_path::str() const {
    if (parent == nullptr)
        return {};
    std::string out = parent->str();
    if (is_index) {
        out += '[';
        out += std::to_string(index);
        out += ']';
    } else {
        if (!out.empty())
            out += '.';
        out += key;
    }
    return out;
}

std::string_view kind_name(const boost::json::value& v) noexcept {
    switch (v.kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
        return "number";
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    }
    return "value";
}

void throw_at(const json_path& path, errc code, std::string_view what) {
    std::string where = path.str();
    if (where.empty())
        where = "(top level)";
    throw json_read_error{{make_error_code(code), where + ": " + std::string(what)}};
}

void throw_mismatch(const json_path& path, std::string_view expected,
                    const boost::json::value& got) {
    throw_at(path, errc::json_type_mismatch,
             "expected " + std::string(expected) + ", got " + std::string(kind_name(got)));
}

const boost::json::object& read_object(const boost::json::value& v, const json_path& path) {
    if (!v.is_object())
        throw_mismatch(path, "object", v);
    return v.get_object();
}

const boost::json::value* find_member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return (v == nullptr || v->is_null()) ? nullptr : v;
}

std::optional<std::string> read_string(const boost::json::object& o, std::string_view key,
                                       const json_path& path) {
    const auto* v = find_member(o, key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string())
        throw_mismatch(path.member(key), "string", *v);
    return std::string(v->get_string());
}

std::optional<std::int64_t> read_int64(const boost::json::object& o, std::string_view key,
                                       const json_path& path) {
    const auto* v = find_member(o, key);
    if (v == nullptr)
        return std::nullopt;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64()) {
        if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw_at(path.member(key), errc::json_type_mismatch, "integer out of range");
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        // 5.0 is an integer written by a float formatter; 5.5 is not.
        const double d = v->get_double();
        if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18)
            return static_cast<std::int64_t>(d);
        throw_at(path.member(key), errc::json_type_mismatch, "expected integer, got number");
    }
    throw_mismatch(path.member(key), "integer", *v);
}

std::optional<int> read_int(const boost::json::object& o, std::string_view key,
                            const json_path& path) {
    auto v = read_int64(o, key, path);
    if (v && (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()))
        throw_at(path.member(key), errc::json_type_mismatch, "integer out of range");
    if (v)
        return static_cast<int>(*v);
    return std::nullopt;
}

std::optional<bool> read_bool(const boost::json::object& o, std::string_view key,
                              const json_path& path) {
    const auto* v = find_member(o, key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_bool())
        throw_mismatch(path.member(key), "boolean", *v);
    return v->get_bool();
}

} // namespace codec

namespace {

using namespace openai::codec;
using blob_map = std::map<std::int64_t, json_blob>;

const json_path root_path{};

std::string decode_base64_text(std::string_view text, const json_path& path) {
    std::string out;
    out.reserve(base64_decoded_size_upper_bound(text.size()));
    base64_decoder dec;
    if (!dec.feed(text, out) || !dec.finish(out))
        throw_at(path, errc::invalid_base64,
                 "invalid base64: " + std::string(dec.error_reason()) + " at offset " +
                     std::to_string(dec.error_offset()));
    return out;
}

// A b64_json member: the bytes captured while parsing text, or decoded from the DOM's string.
std::optional<std::string> read_b64(const boost::json::object& o, const json_path& parent,
                                    blob_map* blobs, std::int64_t position) {
    const auto path = parent.member("b64_json");
    const auto* v = find_member(o, "b64_json");
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string())
        throw_mismatch(path, "string", *v);
    if (blobs != nullptr) {
        if (auto it = blobs->find(position); it != blobs->end()) {
            if (!it->second.error.empty())
                throw_at(path, errc::invalid_base64, it->second.error);
            std::string bytes = std::move(it->second.bytes);
            blobs->erase(it);
            return bytes;
        }
    }
    const auto& s = v->get_string();
    return decode_base64_text(std::string_view(s.data(), s.size()), path);
}

image_usage read_usage(const boost::json::value& v, const json_path& path) {
    const auto& o = read_object(v, path);
    image_usage u;
    u.total_tokens = read_int64(o, "total_tokens", path);
    u.input_tokens = read_int64(o, "input_tokens", path);
    u.output_tokens = read_int64(o, "output_tokens", path);
    if (const auto* in = find_member(o, "input_tokens_details")) {
        const auto p = path.member("input_tokens_details");
        const auto& d = read_object(*in, p);
        u.input_tokens_details.text_tokens = read_int64(d, "text_tokens", p);
        u.input_tokens_details.image_tokens = read_int64(d, "image_tokens", p);
    }
    if (const auto* out = find_member(o, "output_tokens_details")) {
        const auto p = path.member("output_tokens_details");
        const auto& d = read_object(*out, p);
        output_tokens_details details;
        details.image_tokens = read_int64(d, "image_tokens", p);
        details.text_tokens = read_int64(d, "text_tokens", p);
        u.output_tokens_details = details;
    }
    return u;
}

std::optional<image_usage> read_opt_usage(const boost::json::object& o, const json_path& path) {
    if (const auto* v = find_member(o, "usage"))
        return read_usage(*v, path.member("usage"));
    return std::nullopt;
}

// The members of `o` not named in `known`, copied.
boost::json::object unknown_members(const boost::json::object& o,
                                    std::initializer_list<std::string_view> known) {
    boost::json::object out;
    for (const auto& kv : o)
        if (std::find(known.begin(), known.end(), kv.key()) == known.end())
            out.emplace(kv.key(), kv.value());
    return out;
}

images_response read_images_response(const boost::json::value& root, blob_map* blobs,
                                     bool keep_unknown) {
    const auto& o = read_object(root, root_path);
    images_response r;
    if (keep_unknown)
        r.unknown_fields = unknown_members(
            o, {"created", "data", "background", "output_format", "size", "quality", "usage"});
    r.created = read_int64(o, "created", root_path);
    if (const auto* data = find_member(o, "data")) {
        const auto data_path = root_path.member("data");
        if (!data->is_array())
            throw_mismatch(data_path, "array", *data);
        const auto& arr = data->get_array();
        r.data.reserve(arr.size());
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const auto p = data_path.element(i);
            const auto& io = read_object(arr[i], p);
            image img;
            img.bytes = read_b64(io, p, blobs, static_cast<std::int64_t>(i));
            img.url = read_string(io, "url", p);
            img.revised_prompt = read_string(io, "revised_prompt", p);
            if (keep_unknown)
                img.unknown_fields = unknown_members(io, {"b64_json", "url", "revised_prompt"});
            r.data.push_back(std::move(img));
        }
    }
    r.background = read_open<image_background_tag>(o, "background", root_path);
    r.output_format = read_open<output_format_tag>(o, "output_format", root_path);
    r.size = read_open<image_size_tag>(o, "size", root_path);
    r.quality = read_open<image_quality_tag>(o, "quality", root_path);
    r.usage = read_opt_usage(o, root_path);
    return r;
}

// param and code are strings in the spec; a number (seen from some servers) keeps its text.
std::optional<std::string> read_loose_string(const boost::json::object& o, std::string_view key,
                                             const json_path& path) {
    const auto* v = find_member(o, key);
    if (v == nullptr)
        return std::nullopt;
    if (v->is_int64())
        return std::to_string(v->get_int64());
    if (v->is_uint64())
        return std::to_string(v->get_uint64());
    return read_string(o, key, path);
}

api_error read_error_object(const boost::json::object& o, const json_path& path) {
    api_error e;
    e.message = read_string(o, "message", path);
    e.type = read_string(o, "type", path);
    e.param = read_loose_string(o, "param", path);
    e.code = read_loose_string(o, "code", path);
    return e;
}

// data.error (object, or a bare string message) if present, else nullopt.
std::optional<api_error> read_nested_error(const boost::json::object& o) {
    const auto* v = find_member(o, "error");
    if (v == nullptr)
        return std::nullopt;
    const auto path = root_path.member("error");
    if (v->is_object())
        return read_error_object(v->get_object(), path);
    if (v->is_string())
        return api_error{std::string(v->get_string()), {}, {}, {}};
    throw_mismatch(path, "object", *v);
}

// The Responses-API shape: the error's members at the top level, "type":"error" naming the event
// (so it is not the error's type).
api_error read_flat_error(const boost::json::object& o) {
    auto e = read_error_object(o, root_path);
    if (e.type == "error")
        e.type.reset();
    return e;
}

template <class Event>
void read_event_common(Event& ev, const boost::json::object& o, blob_map* blobs) {
    auto bytes = read_b64(o, root_path, blobs, top_level_blob);
    if (!bytes)
        throw_at(root_path.member("b64_json"), errc::json_type_mismatch, "missing");
    ev.bytes = std::move(*bytes);
    ev.created_at = read_int64(o, "created_at", root_path);
    ev.size = read_open<image_size_tag>(o, "size", root_path);
    ev.quality = read_open<image_quality_tag>(o, "quality", root_path);
    ev.background = read_open<image_background_tag>(o, "background", root_path);
    ev.output_format = read_open<output_format_tag>(o, "output_format", root_path);
}

template <class Event>
image_event read_partial(const boost::json::object& o, blob_map* blobs, bool keep_unknown) {
    Event ev;
    read_event_common(ev, o, blobs);
    ev.partial_image_index = read_int(o, "partial_image_index", root_path).value_or(0);
    if (keep_unknown)
        ev.unknown_fields =
            unknown_members(o, {"type", "b64_json", "created_at", "size", "quality", "background",
                                "output_format", "partial_image_index"});
    return ev;
}

template <class Event>
image_event read_completed(const boost::json::object& o, blob_map* blobs, bool keep_unknown) {
    Event ev;
    read_event_common(ev, o, blobs);
    ev.usage = read_opt_usage(o, root_path);
    if (keep_unknown)
        ev.unknown_fields = unknown_members(o, {"type", "b64_json", "created_at", "size", "quality",
                                                "background", "output_format", "usage"});
    return ev;
}

// An event of a type not known here: its whole data, with the base64 text of a captured
// top-level b64_json put back.
unknown_event read_unknown(const boost::json::object& o, std::string type, blob_map* blobs) {
    unknown_event ev;
    ev.type = std::move(type);
    ev.data = o;
    if (blobs != nullptr) {
        if (auto it = blobs->find(top_level_blob); it != blobs->end() && it->second.error.empty())
            if (auto* b64 = ev.data.if_contains("b64_json"); b64 && b64->is_string()) {
                const std::string text = codec::base64_encode(it->second.bytes);
                *b64 = std::string_view(text);
            }
    }
    return ev;
}

decoded_event read_event(const boost::json::value& root, blob_map* blobs, bool keep_unknown) {
    const auto& o = read_object(root, root_path);
    decoded_event out;
    out.type = read_string(o, "type", root_path).value_or("");
    if (auto err = read_nested_error(o)) {
        out.kind = event_kind::error;
        out.error = std::move(*err);
        return out;
    }
    if (out.type == "error") {
        out.kind = event_kind::error;
        out.error = read_flat_error(o);
        return out;
    }
    if (out.type == image_gen_partial_image_event::type)
        out.event = read_partial<image_gen_partial_image_event>(o, blobs, keep_unknown);
    else if (out.type == image_gen_completed_event::type)
        out.event = read_completed<image_gen_completed_event>(o, blobs, keep_unknown);
    else if (out.type == image_edit_partial_image_event::type)
        out.event = read_partial<image_edit_partial_image_event>(o, blobs, keep_unknown);
    else if (out.type == image_edit_completed_event::type)
        out.event = read_completed<image_edit_completed_event>(o, blobs, keep_unknown);
    else {
        out.event = read_unknown(o, out.type, blobs); // kind stays unknown
        return out;
    }
    out.kind = event_kind::image;
    return out;
}

api_error read_api_error_body(const boost::json::value& root) {
    const auto& o = read_object(root, root_path);
    if (auto err = read_nested_error(o))
        return std::move(*err);
    throw_at(root_path.member("error"), errc::json_type_mismatch, "missing");
}

api_error read_error_event(const boost::json::value& root) {
    const auto& o = read_object(root, root_path);
    if (auto err = read_nested_error(o))
        return std::move(*err);
    return read_flat_error(o);
}

generate_request read_generate_request(const boost::json::value& root) {
    const auto& o = read_object(root, root_path);
    generate_request r;
    decode_fields(o, r, bodies::json, root_path);
    return r;
}

image_reference read_reference(const boost::json::value& v, const json_path& path) {
    const auto& o = read_object(v, path);
    auto url = read_string(o, "image_url", path);
    auto file = read_string(o, "file_id", path);
    if (url && file)
        throw_at(path, errc::json_type_mismatch, "has both image_url and file_id (exactly one)");
    if (url)
        return image_reference::url(std::move(*url));
    if (file)
        return image_reference::file(std::move(*file));
    throw_at(path, errc::json_type_mismatch, "needs image_url or file_id");
}

edit_request read_edit_request(const boost::json::value& root) {
    const auto& o = read_object(root, root_path);
    const auto& p = root_path;
    edit_request r;
    if (const auto* images = find_member(o, "images")) {
        const auto ip = p.member("images");
        if (!images->is_array())
            throw_mismatch(ip, "array", *images);
        const auto& arr = images->get_array();
        for (std::size_t i = 0; i < arr.size(); ++i)
            r.images.emplace_back(read_reference(arr[i], ip.element(i)));
    }
    if (const auto* mask = find_member(o, "mask"))
        r.mask = read_reference(*mask, p.member("mask"));
    decode_fields(o, r, bodies::json, p);
    return r;
}

// Runs a DOM walk, turning a thrown json_read_error into the result's error.
template <class T, class F>
decode_result<T> run(F&& f) {
    decode_result<T> out;
    try {
        out.value = f();
    } catch (json_read_error& e) {
        out.code = e.failure.code;
        out.message = std::move(e.failure.message);
    }
    return out;
}

template <class T, class F>
decode_result<T> run_text(std::string_view text, F&& f) {
    json_document doc;
    json_failure failure;
    if (!parse_json_document(text, doc, failure)) {
        decode_result<T> out;
        out.code = failure.code;
        out.message = std::move(failure.message);
        return out;
    }
    return run<T>([&] { return f(doc); });
}

} // namespace

decode_result<images_response> decode_images_response(std::string_view body,
                                                      const decode_options& options) {
    return run_text<images_response>(body, [&](json_document& d) {
        return read_images_response(d.root, &d.blobs, options.keep_unknown_fields);
    });
}
decode_result<images_response> decode_images_response(const boost::json::value& body,
                                                      const decode_options& options) {
    return run<images_response>(
        [&] { return read_images_response(body, nullptr, options.keep_unknown_fields); });
}

decode_result<decoded_event> decode_image_event(std::string_view data,
                                                const decode_options& options) {
    return run_text<decoded_event>(data, [&](json_document& d) {
        return read_event(d.root, &d.blobs, options.keep_unknown_fields);
    });
}
decode_result<decoded_event> decode_image_event(const boost::json::value& data,
                                                const decode_options& options) {
    return run<decoded_event>(
        [&] { return read_event(data, nullptr, options.keep_unknown_fields); });
}

namespace codec {
decode_result<decoded_event> decode_image_event(json_document& doc, const decode_options& options) {
    return run<decoded_event>(
        [&] { return read_event(doc.root, &doc.blobs, options.keep_unknown_fields); });
}
decode_result<images_response> decode_images_response(const boost::json::value& body,
                                                      std::map<std::int64_t, json_blob>& blobs,
                                                      const decode_options& options) {
    return run<images_response>(
        [&] { return read_images_response(body, &blobs, options.keep_unknown_fields); });
}
} // namespace codec

decode_result<api_error> decode_error_event(std::string_view data) {
    return run_text<api_error>(data, [](json_document& d) { return read_error_event(d.root); });
}
decode_result<api_error> decode_error_event(const boost::json::value& data) {
    return run<api_error>([&] { return read_error_event(data); });
}

decode_result<api_error> decode_api_error(std::string_view body) {
    return run_text<api_error>(body, [](json_document& d) { return read_api_error_body(d.root); });
}
decode_result<api_error> decode_api_error(const boost::json::value& body) {
    return run<api_error>([&] { return read_api_error_body(body); });
}

decode_result<generate_request> decode_generate_request(std::string_view body) {
    return run_text<generate_request>(
        body, [](json_document& d) { return read_generate_request(d.root); });
}
decode_result<generate_request> decode_generate_request(const boost::json::value& body) {
    return run<generate_request>([&] { return read_generate_request(body); });
}

decode_result<edit_request> decode_edit_request(std::string_view body) {
    return run_text<edit_request>(body, [](json_document& d) { return read_edit_request(d.root); });
}
decode_result<edit_request> decode_edit_request(const boost::json::value& body) {
    return run<edit_request>([&] { return read_edit_request(body); });
}

// ---------------------------------------------------------------------------------------------

struct images_response_parser::impl {
    json_document_parser parser;
    bool keep_unknown = false;
};

images_response_parser::images_response_parser()
    : impl_(std::make_unique<impl>()) {}
images_response_parser::~images_response_parser() = default;
images_response_parser::images_response_parser(images_response_parser&&) noexcept = default;
images_response_parser&
images_response_parser::operator=(images_response_parser&&) noexcept = default;

void images_response_parser::expect_body_size(std::uint64_t bytes, unsigned images) noexcept {
    impl_->parser.expect_size(bytes, images);
}

void images_response_parser::keep_unknown_fields(bool on) noexcept {
    impl_->keep_unknown = on;
}

bool images_response_parser::write(std::string_view piece) {
    return impl_->parser.write(piece);
}

decode_result<images_response> images_response_parser::finish() {
    if (!impl_->parser.finish()) {
        decode_result<images_response> out;
        out.code = impl_->parser.failure().code;
        out.message = impl_->parser.failure().message;
        return out;
    }
    auto doc = impl_->parser.release();
    return run<images_response>(
        [&] { return read_images_response(doc.root, &doc.blobs, impl_->keep_unknown); });
}

} // namespace openai
