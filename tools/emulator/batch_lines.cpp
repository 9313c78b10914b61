#include "emulator/batch_lines.hpp"

#include <boost/json.hpp>

#include <set>

namespace openai::emulator {
namespace {

namespace json = boost::json;

std::string quoted(std::string_view s) {
    return json::serialize(json::string(s));
}

} // namespace

batch_input parse_batch_input(std::string_view jsonl, std::string_view endpoint) {
    batch_input out;
    std::set<std::string> seen;
    std::size_t line_no = 0;
    auto fail = [&](std::string code, std::string message, std::optional<std::string> param) {
        out.errors.push_back({std::move(code), std::move(message), std::move(param), line_no});
    };
    while (!jsonl.empty()) {
        auto nl = jsonl.find('\n');
        std::string_view text = jsonl.substr(0, nl);
        jsonl = nl == std::string_view::npos ? std::string_view{} : jsonl.substr(nl + 1);
        ++line_no;
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        if (text.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        boost::system::error_code ec;
        json::value v = json::parse(text, ec);
        if (ec || !v.is_object()) {
            fail("invalid_json_line", "This line is not parseable as valid JSON.", std::nullopt);
            continue;
        }
        const json::object& o = v.as_object();
        bool ok = true;
        const json::value* id = o.if_contains("custom_id");
        if (!id || !id->is_string()) {
            fail("missing_required_parameter", "Missing required parameter: 'custom_id'.",
                 "custom_id");
            ok = false;
        } else if (!seen.insert(std::string(id->as_string())).second) {
            fail("duplicate_custom_id",
                 "The custom_id for this request is a duplicate of another request. The "
                 "custom_id parameter must be unique for each request in a batch.",
                 "custom_id");
            ok = false;
        }
        const json::value* method = o.if_contains("method");
        if (!method || !method->is_string()) {
            fail("missing_required_parameter", "Missing required parameter: 'method'.", "method");
            ok = false;
        } else if (method->as_string() != "POST") {
            fail("invalid_value",
                 "Invalid value: '" + std::string(method->as_string()) +
                     "'. Supported values are: 'POST'.",
                 "method");
            ok = false;
        }
        const json::value* url = o.if_contains("url");
        if (!url || !url->is_string()) {
            fail("missing_required_parameter", "Missing required parameter: 'url'.", "url");
            ok = false;
        } else if (url->as_string() != endpoint) {
            fail("invalid_url",
                 "The URL provided for this request does not match the batch endpoint ('" +
                     std::string(endpoint) + "').",
                 "url");
            ok = false;
        }
        const json::value* body = o.if_contains("body");
        if (!body || !body->is_object()) {
            fail("missing_required_parameter", "Missing required parameter: 'body'.", "body");
            ok = false;
        }
        if (ok)
            out.requests.push_back({line_no, std::string(id->as_string()), *body});
    }
    if (out.requests.empty() && out.errors.empty())
        out.errors.push_back(
            {"empty_file", "The batch input file is empty.", std::nullopt, std::nullopt});
    return out;
}

byte_list batch_response_line(const std::string& id, const std::string& custom_id,
                              unsigned status_code, const std::string& request_id,
                              const byte_list& body) {
    byte_list out;
    out.add("{\"id\":" + quoted(id) + ",\"custom_id\":" + quoted(custom_id) +
            ",\"response\":{\"status_code\":" + std::to_string(status_code) +
            ",\"request_id\":" + quoted(request_id) + ",\"body\":");
    out.append(body);
    out.add_static("},\"error\":null}\n");
    return out;
}

std::string batch_error_line(const std::string& id, const std::string& custom_id,
                             std::string_view code, std::string_view message) {
    return "{\"id\":" + quoted(id) + ",\"custom_id\":" + quoted(custom_id) +
           ",\"response\":null,\"error\":{\"code\":" + quoted(code) +
           ",\"message\":" + quoted(message) + "}}\n";
}

} // namespace openai::emulator
