// Encoding and decoding the fields of a request, driven by its table (<openai/request_fields.hpp>):
// JSON members and multipart text fields. The JSON encoder and decoder, the multipart form fields
// and the emulator's model rules all go through these, so a field added to the table is written
// and read everywhere.
#pragma once

#include "codec/json_read.hpp"

#include <openai/request_fields.hpp>

#include <boost/json/object.hpp>

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace openai::codec {

// ---- JSON

inline void put_json(boost::json::object& o, std::string_view key, const std::string& v) {
    o[key] = std::string_view(v); // required: always written
}
inline void put_json(boost::json::object& o, std::string_view key,
                     const std::optional<std::string>& v) {
    if (v)
        o[key] = std::string_view(*v);
}
template <class Tag>
void put_json(boost::json::object& o, std::string_view key,
              const std::optional<open_string<Tag>>& v) {
    if (v)
        o[key] = v->view();
}
inline void put_json(boost::json::object& o, std::string_view key, const std::optional<int>& v) {
    if (v)
        o[key] = *v;
}
inline void put_json(boost::json::object& o, std::string_view key, const std::optional<bool>& v) {
    if (v)
        o[key] = *v;
}

/// Writes the set fields of `r` that `body` carries, in the table's order.
template <class Request>
void encode_fields(boost::json::object& o, const Request& r, unsigned body) {
    for_each_field<Request>([&](const auto& f) {
        if (f.info.in(body))
            put_json(o, f.info.name, r.*(f.member));
    });
}

inline void get_json(const boost::json::object& o, std::string_view key, const json_path& p,
                     std::string& out) {
    out = read_string(o, key, p).value_or("");
}
inline void get_json(const boost::json::object& o, std::string_view key, const json_path& p,
                     std::optional<std::string>& out) {
    out = read_string(o, key, p);
}
template <class Tag>
void get_json(const boost::json::object& o, std::string_view key, const json_path& p,
              std::optional<open_string<Tag>>& out) {
    out = read_open<Tag>(o, key, p);
}
inline void get_json(const boost::json::object& o, std::string_view key, const json_path& p,
                     std::optional<int>& out) {
    out = read_int(o, key, p);
}
inline void get_json(const boost::json::object& o, std::string_view key, const json_path& p,
                     std::optional<bool>& out) {
    out = read_bool(o, key, p);
}

/// Reads the fields `body` carries into `r`; throws json_read_error naming the path of a value
/// of the wrong type. Members absent or null stay unset; unknown members are ignored.
template <class Request>
void decode_fields(const boost::json::object& o, Request& r, unsigned body, const json_path& p) {
    for_each_field<Request>([&](const auto& f) {
        if (f.info.in(body))
            get_json(o, f.info.name, p, r.*(f.member));
    });
}

// ---- multipart text fields

/// The text of a value in a form field: as is, decimal, "true"/"false"; nullopt when unset.
inline std::optional<std::string> form_text(const std::string& v) {
    return v;
}
inline std::optional<std::string> form_text(const std::optional<std::string>& v) {
    return v;
}
template <class Tag>
std::optional<std::string> form_text(const std::optional<open_string<Tag>>& v) {
    return v ? std::optional<std::string>(v->str()) : std::nullopt;
}
inline std::optional<std::string> form_text(const std::optional<int>& v) {
    return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}
inline std::optional<std::string> form_text(const std::optional<bool>& v) {
    return v ? std::optional<std::string>(*v ? "true" : "false") : std::nullopt;
}

/// Parses a form field's text into `out`; false when it is not of the field's type.
inline bool parse_form_text(std::string_view text, std::string& out) {
    out = std::string(text);
    return true;
}
inline bool parse_form_text(std::string_view text, std::optional<std::string>& out) {
    out = std::string(text);
    return true;
}
template <class Tag>
bool parse_form_text(std::string_view text, std::optional<open_string<Tag>>& out) {
    out = open_string<Tag>(text);
    return true;
}
inline bool parse_form_text(std::string_view text, std::optional<int>& out) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
        return false;
    out = v;
    return true;
}
inline bool parse_form_text(std::string_view text, std::optional<bool>& out) {
    if (text != "true" && text != "false")
        return false;
    out = text == "true";
    return true;
}

} // namespace openai::codec
