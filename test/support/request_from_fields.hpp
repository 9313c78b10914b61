// Multipart text fields read back into a request: a server's view of what form_fields() wrote,
// for round-trip tests and the spec tool, driven by the same field table as the writer. The
// library only writes fields, so this is not in it.
#pragma once

#include "codec/field_codec.hpp"
#include "codec/form_fields.hpp"

#include <openai/error.hpp>
#include <openai/json.hpp>
#include <openai/requests.hpp>

#include <string>
#include <vector>

namespace openai::test {

using codec::form_field;

namespace from_fields_detail {

using namespace openai::codec;

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

} // namespace from_fields_detail

inline decode_result<edit_request> edit_request_from_fields(const std::vector<form_field>& fields) {
    return from_fields_detail::request_from<edit_request>(fields);
}

inline decode_result<variation_request>
variation_request_from_fields(const std::vector<form_field>& fields) {
    return from_fields_detail::request_from<variation_request>(fields);
}

} // namespace openai::test
