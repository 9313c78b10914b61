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

} // namespace

std::vector<form_field> form_fields(const edit_request& r) {
    return fields_of(r);
}

std::vector<form_field> form_fields(const variation_request& r) {
    return fields_of(r);
}

} // namespace openai::codec
