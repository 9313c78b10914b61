#include "codec/form_fields.hpp"

#include "codec/field_codec.hpp"

#include <string_view>

namespace openai::codec {
namespace {

template <class Request>
std::vector<form_field> fields_of(const Request& r) {
    std::vector<form_field> out;
    for_each_field<Request>([&](const auto& f) {
        if (!f.info.in(bodies::form))
            return;
        if (auto text = form_text(r.*(f.member)))
            out.push_back({std::string(f.info.name), std::move(*text)});
    });
    return out;
}

// Unknown names are ignored; a later field of the same name replaces an earlier one.
template <class Request>
decode_result<Request> request_from(const std::vector<form_field>& fields) {
    decode_result<Request> out;
    for (const auto& field : fields) {
        bool ok = true;
        field_type type = field_type::string;
        for_each_field<Request>([&](const auto& f) {
            if (f.info.in(bodies::form) && f.info.name == field.name) {
                type = f.info.type;
                ok = parse_form_text(field.value, out.value.*(f.member));
            }
        });
        if (!ok) {
            out.code = make_error_code(errc::invalid_request);
            out.message = field.name +
                          (type == field_type::integer ? ": expected an integer, got \""
                                                       : ": expected true or false, got \"") +
                          field.value + "\"";
            out.value = {};
            return out;
        }
    }
    return out;
}

} // namespace

std::vector<form_field> form_fields(const edit_request& r) {
    return fields_of(r);
}

std::vector<form_field> form_fields(const variation_request& r) {
    return fields_of(r);
}

decode_result<edit_request> edit_request_from_fields(const std::vector<form_field>& fields) {
    return request_from<edit_request>(fields);
}

decode_result<variation_request>
variation_request_from_fields(const std::vector<form_field>& fields) {
    return request_from<variation_request>(fields);
}

} // namespace openai::codec
