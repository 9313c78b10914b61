// Multipart text fields read back into a request: a server's view of what form_fields() wrote,
// for round-trip tests and the spec tool. The library only writes fields, so this is not in it.
#pragma once

#include "codec/form_fields.hpp"

#include <openai/error.hpp>
#include <openai/json.hpp>
#include <openai/requests.hpp>

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace openai::test {

using codec::form_field;

namespace from_fields_detail {

struct bad_field {
    std::string message;
};

inline int parse_int(const form_field& f) {
    int v = 0;
    const char* first = f.value.data();
    const char* last = first + f.value.size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || f.value.empty())
        throw bad_field{f.name + ": expected an integer, got \"" + f.value + "\""};
    return v;
}

inline bool parse_bool(const form_field& f) {
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

} // namespace from_fields_detail

/// An edit's text fields read back (a server's view); the images and mask are left empty.
/// Unknown names are ignored; a later field of the same name replaces an earlier one. A value
/// that is not an integer or boolean where one is due fails with errc::invalid_request and a
/// message naming the field ("n: expected an integer, got \"two\"").
inline decode_result<edit_request> edit_request_from_fields(const std::vector<form_field>& fields) {
    return from_fields_detail::run<edit_request>([&] {
        edit_request r;
        for (const auto& f : fields) {
            const std::string_view n = f.name;
            if (n == "prompt")
                r.prompt = f.value;
            else if (n == "model")
                r.model = f.value;
            else if (n == "n")
                r.n = from_fields_detail::parse_int(f);
            else if (n == "size")
                r.size = f.value;
            else if (n == "quality")
                r.quality = f.value;
            else if (n == "response_format")
                r.response_format = f.value;
            else if (n == "output_format")
                r.output_format = f.value;
            else if (n == "output_compression")
                r.output_compression = from_fields_detail::parse_int(f);
            else if (n == "background")
                r.background = f.value;
            else if (n == "input_fidelity")
                r.input_fidelity = f.value;
            else if (n == "moderation")
                r.moderation = f.value;
            else if (n == "stream")
                r.stream = from_fields_detail::parse_bool(f);
            else if (n == "partial_images")
                r.partial_images = from_fields_detail::parse_int(f);
            else if (n == "user")
                r.user = f.value;
        }
        return r;
    });
}

/// A variation's text fields read back; the image is left empty.
inline decode_result<variation_request>
variation_request_from_fields(const std::vector<form_field>& fields) {
    return from_fields_detail::run<variation_request>([&] {
        variation_request r;
        for (const auto& f : fields) {
            const std::string_view n = f.name;
            if (n == "model")
                r.model = f.value;
            else if (n == "n")
                r.n = from_fields_detail::parse_int(f);
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

} // namespace openai::test
