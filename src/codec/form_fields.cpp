#include "codec/form_fields.hpp"

#include <charconv>
#include <string_view>
#include <system_error>

namespace openai::codec {
namespace {

void add(std::vector<form_field>& out, std::string_view name, const std::optional<int>& v) {
    if (v)
        out.push_back({std::string(name), std::to_string(*v)});
}
void add(std::vector<form_field>& out, std::string_view name, const std::optional<bool>& v) {
    if (v)
        out.push_back({std::string(name), *v ? "true" : "false"});
}
void add(std::vector<form_field>& out, std::string_view name, const std::optional<std::string>& v) {
    if (v)
        out.push_back({std::string(name), *v});
}
template <class Tag>
void add(std::vector<form_field>& out, std::string_view name,
         const std::optional<open_string<Tag>>& v) {
    if (v)
        out.push_back({std::string(name), v->str()});
}

struct bad_field {
    std::string message;
};

int parse_int(const form_field& f) {
    int v = 0;
    const char* first = f.value.data();
    const char* last = first + f.value.size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || f.value.empty())
        throw bad_field{f.name + ": expected an integer, got \"" + f.value + "\""};
    return v;
}

bool parse_bool(const form_field& f) {
    if (f.value == "true")
        return true;
    if (f.value == "false")
        return false;
    throw bad_field{f.name + ": expected true or false, got \"" + f.value + "\""};
}

template <class T, class F>
decode_result<T> run(F&& f) {
    decode_result<T> out;
    try {
        out.value = f();
    } catch (bad_field& e) {
        out.code = make_error_code(errc::invalid_request);
        out.message = std::move(e.message);
    }
    return out;
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

decode_result<edit_request> edit_request_from_fields(const std::vector<form_field>& fields) {
    return run<edit_request>([&] {
        edit_request r;
        for (const auto& f : fields) {
            const std::string_view n = f.name;
            if (n == "prompt")
                r.prompt = f.value;
            else if (n == "model")
                r.model = f.value;
            else if (n == "n")
                r.n = parse_int(f);
            else if (n == "size")
                r.size = f.value;
            else if (n == "quality")
                r.quality = f.value;
            else if (n == "response_format")
                r.response_format = f.value;
            else if (n == "output_format")
                r.output_format = f.value;
            else if (n == "output_compression")
                r.output_compression = parse_int(f);
            else if (n == "background")
                r.background = f.value;
            else if (n == "input_fidelity")
                r.input_fidelity = f.value;
            else if (n == "moderation")
                r.moderation = f.value;
            else if (n == "stream")
                r.stream = parse_bool(f);
            else if (n == "partial_images")
                r.partial_images = parse_int(f);
            else if (n == "user")
                r.user = f.value;
        }
        return r;
    });
}

decode_result<variation_request>
variation_request_from_fields(const std::vector<form_field>& fields) {
    return run<variation_request>([&] {
        variation_request r;
        for (const auto& f : fields) {
            const std::string_view n = f.name;
            if (n == "model")
                r.model = f.value;
            else if (n == "n")
                r.n = parse_int(f);
            else if (n == "response_format")
                r.response_format = f.value;
            else if (n == "size")
                r.size = f.value;
            else if (n == "user")
                r.user = f.value;
        }
        return r;
    });
}

} // namespace openai::codec
