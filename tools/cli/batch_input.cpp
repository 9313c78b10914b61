#include "batch_input.hpp"

#include <openai/json.hpp>
#include <openai/request_fields.hpp>
#include <openai/validation.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <map>

namespace openai::cli::batch {

namespace {

// A line's members: the generation request's fields (its field table says which a batch line
// carries) and the batch's own "id".
bool batch_member(std::string_view name) {
    if (name == "id")
        return true;
    const auto* f = find_field<generate_request>(name);
    return f != nullptr && f->in(bodies::batch);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// One non-blank line after the first pass: its JSON (when it parsed) and the id it claims.
struct scanned_line {
    std::size_t index = 0;
    std::string_view text;
    boost::json::value json;
    std::string parse_code;  // "invalid_json" or "invalid_line"; empty when `json` is an object
    std::string parse_error; // what is wrong
    std::string id;
    std::string id_error; // the "id" member is unusable: why
};

scanned_line scan(std::size_t index, std::string_view text) {
    scanned_line s;
    s.index = index;
    s.text = text;
    s.id = std::to_string(index + 1);
    boost::system::error_code ec;
    s.json = boost::json::parse(text, ec);
    if (ec) {
        s.parse_code = "invalid_json";
        s.parse_error = "invalid JSON: " + ec.message();
        return s;
    }
    if (!s.json.is_object()) {
        s.parse_code = "invalid_line";
        s.parse_error = "expected a JSON object (a generation request)";
        return s;
    }
    if (const auto* id = s.json.as_object().if_contains("id")) {
        if (id->is_string()) {
            s.id = std::string(id->as_string());
        } else if (id->is_int64() || id->is_uint64()) {
            s.id = boost::json::serialize(*id);
        } else {
            s.id_error = "\"id\" must be a string or an integer";
            return s;
        }
        if (!valid_id(s.id)) {
            s.id_error = "\"id\" '" + s.id.substr(0, 140) +
                         "' must be 1..128 characters of A-Z a-z 0-9 . _ - not starting with '.'";
            s.id = std::to_string(index + 1);
        }
    }
    return s;
}

batch_item make_item(scanned_line& s, const input_options& options,
                     const std::map<std::string, std::size_t, std::less<>>& owners) {
    batch_item item;
    item.line = s.index + 1;
    item.id = s.id;
    item.fingerprint = fingerprint(s.text);
    const std::string where = "line " + std::to_string(item.line) + ": ";
    auto fail = [&](std::string code, std::string param, std::string message) {
        item.error_code = std::move(code);
        item.param = std::move(param);
        item.message = where + message;
        return std::move(item);
    };

    if (!s.parse_code.empty())
        return fail(s.parse_code, "", s.parse_error);
    if (!s.id_error.empty())
        return fail("invalid_id", "id", s.id_error);
    if (auto owner = owners.find(item.id); owner != owners.end() && owner->second != s.index)
        return fail("duplicate_id", "id",
                    "id '" + item.id + "' is already used by line " +
                        std::to_string(owner->second + 1));

    auto& object = s.json.as_object();
    for (const auto& member : object) {
        const std::string_view name = member.key();
        if (batch_member(name))
            continue;
        if (find_field<generate_request>(name) == nullptr)
            return fail("invalid_line", std::string(name),
                        "unknown member \"" + std::string(name) +
                            "\" (not a parameter of POST /images/generations)");
        // A parameter batches do not carry (stream: a batch makes unary calls) may still be
        // sent as null or false, which asks for nothing.
        const auto& v = member.value();
        if (!v.is_null() && !(v.is_bool() && !v.as_bool()))
            return fail("invalid_line", std::string(name),
                        "\"" + std::string(name) + "\" is not supported by batch");
    }
    object.erase("id");

    auto decoded = decode_generate_request(s.json);
    if (!decoded) // a member of the wrong type: the message starts with its JSON path
        return fail("invalid_request",
                    decoded.message.substr(0, decoded.message.find_first_of(":[.")),
                    decoded.message);
    if (options.validate)
        if (auto err = validate(decoded.value))
            return fail("invalid_request", err.param, err.param + ": " + err.message);
    item.request = std::move(decoded.value);
    return item;
}

} // namespace

std::optional<shard> parse_shard(std::string_view text, std::string& error) {
    const auto slash = text.find('/');
    auto number = [](std::string_view s, std::size_t& out) {
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
    };
    shard s;
    if (slash == std::string_view::npos || !number(text.substr(0, slash), s.index) ||
        !number(text.substr(slash + 1), s.count)) {
        error = "--shard needs I/N (e.g. 0/4), not '" + std::string(text) + "'";
        return std::nullopt;
    }
    if (s.count == 0 || s.index >= s.count) {
        error = "--shard I/N needs 0 <= I < N, not '" + std::string(text) + "'";
        return std::nullopt;
    }
    return s;
}

std::vector<batch_item> read_items(std::string_view text, const input_options& options) {
    // First pass: every line's id, so that the owner of an id is the same for every shard.
    std::vector<scanned_line> lines;
    std::map<std::string, std::size_t, std::less<>> owners;
    std::size_t index = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const std::string_view line = trim(raw);
        if (!line.empty()) {
            const bool mine = options.shard.contains(index);
            scanned_line s = scan(index, line);
            owners.try_emplace(s.id, index);
            if (mine)
                lines.push_back(std::move(s));
        }
        ++index;
    }
    std::vector<batch_item> items;
    items.reserve(lines.size());
    for (auto& s : lines)
        items.push_back(make_item(s, options, owners));
    return items;
}

std::uint64_t fingerprint(std::string_view text) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool valid_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 128 || id.front() == '.')
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

} // namespace openai::cli::batch
