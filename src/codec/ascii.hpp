// ASCII helpers for protocol text (header names and values, tokens, form fields). Locale-free on
// purpose: HTTP is case-insensitive in ASCII only, whatever the program's locale says.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace openai::codec {

/// Optional white space of HTTP (RFC 9110 section 5.6.3): a space or a horizontal tab.
constexpr bool is_ows(char c) noexcept {
    return c == ' ' || c == '\t';
}

constexpr char to_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = to_lower(c);
    return out;
}

/// The value of a hexadecimal digit (either case), or -1.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// Equal but for ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i]))
            return false;
    return true;
}

/// `s` begins with `prefix`, but for ASCII case.
constexpr bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// `s` without the leading and trailing characters found in `chars` (by default spaces and tabs).
constexpr std::string_view trim(std::string_view s, std::string_view chars = " \t") noexcept {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos)
        s.remove_prefix(1);
    while (!s.empty() && chars.find(s.back()) != std::string_view::npos)
        s.remove_suffix(1);
    return s;
}

/// `s` without the trailing characters found in `chars`.
constexpr std::string_view trim_right(std::string_view s, std::string_view chars = " \t") noexcept {
    while (!s.empty() && chars.find(s.back()) != std::string_view::npos)
        s.remove_suffix(1);
    return s;
}

} // namespace openai::codec
