#include "codec/form_fields.hpp"

#include <string_view>

namespace openai::codec {
namespace {

// The text form of a field's value: integers in decimal, booleans as "true"/"false".
std::string field_text(int v) {
    return std::to_string(v);
}
std::string field_text(bool v) {
    return v ? "true" : "false";
}
std::string field_text(const std::string& v) {
    return v;
}
template <class Tag>
std::string field_text(const open_string<Tag>& v) {
    return v.str();
}

template <class T>
void add(std::vector<form_field>& out, std::string_view name, const std::optional<T>& v) {
    if (v)
        out.push_back({std::string(name), field_text(*v)});
}

} // namespace

std::vector<form_field> form_fields(const edit_request& r) {
    std::vector<form_field> out;
    out.push_back({"prompt", r.prompt});
    add(out, "model", r.model);
    add(out, "n", r.n);
    add(out, "size", r.size);
    add(out, "quality", r.quality);
    add(out, "response_format", r.response_format);
    add(out, "output_format", r.output_format);
    add(out, "output_compression", r.output_compression);
    add(out, "background", r.background);
    add(out, "input_fidelity", r.input_fidelity);
    add(out, "moderation", r.moderation);
    add(out, "stream", r.stream);
    add(out, "partial_images", r.partial_images);
    add(out, "user", r.user);
    return out;
}

std::vector<form_field> form_fields(const variation_request& r) {
    std::vector<form_field> out;
    add(out, "model", r.model);
    add(out, "n", r.n);
    add(out, "response_format", r.response_format);
    add(out, "size", r.size);
    add(out, "user", r.user);
    return out;
}

} // namespace openai::codec
