#include "codec/extra_body.hpp"

#include "codec/percent_encode.hpp"

#include <openai/error.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace openai::codec {
namespace {

validation_error fail(std::string_view name, std::string message) {
    return {make_error_code(errc::invalid_request), std::string(name),
            "extra_body: " + std::move(message)};
}

validation_error collision(std::string_view name) {
    return fail(name, "'" + std::string(name) +
                          "' is a field the library already sets for this request; set "
                          "request_options::extra_body_override to replace it");
}

bool is_input(std::string_view name, bool multipart) {
    return multipart ? (name == "image" || name == "image[]" || name == "mask")
                     : (name == "images" || name == "mask");
}

} // namespace

validation_error merge_extra_json(boost::json::object& body, const boost::json::object& extra,
                                  bool override_fields) {
    for (const auto& kv : extra) {
        if (is_input(kv.key(), false))
            return fail(kv.key(), "'" + std::string(kv.key()) +
                                      "' holds the request's input images and cannot be replaced");
        if (!override_fields && body.contains(kv.key()))
            return collision(kv.key());
    }
    for (const auto& kv : extra)
        body[kv.key()] = kv.value();
    return {};
}

validation_error merge_extra_form(std::vector<form_field>& fields, const boost::json::object& extra,
                                  bool override_fields) {
    const auto find = [&](std::string_view name) {
        return std::find_if(fields.begin(), fields.end(),
                            [&](const form_field& f) { return f.name == name; });
    };
    for (const auto& kv : extra) {
        if (is_input(kv.key(), true))
            return fail(kv.key(), "'" + std::string(kv.key()) +
                                      "' is a file part of the request and cannot be replaced");
        if (!override_fields && find(kv.key()) != fields.end())
            return collision(kv.key());
    }
    for (const auto& kv : extra) {
        if (kv.value().is_null())
            continue;
        std::string text = kv.value().is_string() ? std::string(kv.value().get_string())
                                                  : boost::json::serialize(kv.value());
        if (auto it = find(kv.key()); it != fields.end())
            it->value = std::move(text);
        else
            fields.push_back({std::string(kv.key()), std::move(text)});
    }
    return {};
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0F];
        }
    }
    return out;
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        if (!out.empty())
            out += '&';
        out += percent_encode(name);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

std::string append_query(std::string target, std::string_view query) {
    if (query.empty())
        return target;
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += query;
    return target;
}

} // namespace openai::codec
