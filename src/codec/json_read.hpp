// Reading typed values out of a boost::json DOM, naming the JSON path of anything of the wrong
// type ("data[0].b64_json: expected string, got number").
//
// Failures are thrown as `json_read_error` and caught at the public decode functions: the DOM
// walk stays linear, and the error path is rendered only when something is wrong.
#pragma once

#include "codec/json_document.hpp"

#include <openai/error.hpp>
#include <openai/open_string.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai::codec {

struct json_read_error {
    json_failure failure;
};

/// A position in the document: a chain of keys and indices rendered on demand.
struct json_path {
    const json_path* parent = nullptr;
    std::string_view key; // an object member, or
    std::size_t index = 0;
    bool is_index = false;

    json_path member(std::string_view k) const { return {this, k, 0, false}; }
    json_path element(std::size_t i) const { return {this, {}, i, true}; }
    std::string str() const;
};

[[noreturn]] void throw_mismatch(const json_path& path, std::string_view expected,
                                 const boost::json::value& got);
[[noreturn]] void throw_at(const json_path& path, errc code, std::string_view what);

/// The JSON type name of a value, as in messages: "null", "boolean", "number", "string",
/// "array", "object".
std::string_view kind_name(const boost::json::value& v) noexcept;

const boost::json::object& read_object(const boost::json::value& v, const json_path& path);

/// The member `key`, or null when absent or JSON null.
const boost::json::value* find_member(const boost::json::object& o, std::string_view key);

std::optional<std::string> read_string(const boost::json::object& o, std::string_view key,
                                       const json_path& path);
std::optional<std::int64_t> read_int64(const boost::json::object& o, std::string_view key,
                                       const json_path& path);
std::optional<int> read_int(const boost::json::object& o, std::string_view key,
                            const json_path& path);
std::optional<bool> read_bool(const boost::json::object& o, std::string_view key,
                              const json_path& path);

template <class Tag>
std::optional<open_string<Tag>> read_open(const boost::json::object& o, std::string_view key,
                                          const json_path& path) {
    if (auto s = read_string(o, key, path))
        return open_string<Tag>(std::move(*s));
    return std::nullopt;
}

} // namespace openai::codec
