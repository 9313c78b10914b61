#include "emulator/introspection.hpp"

#include "emulator/api_errors.hpp"
#include "emulator/usage.hpp"

#include <boost/json.hpp>

#include <cstdlib>

namespace openai::emulator {
namespace {

namespace json = boost::json;

reply json_reply(unsigned status, const json::value& body) {
    reply r;
    r.status = status;
    r.body.add(json::serialize(body));
    return r;
}

} // namespace

json::object headers_json(const received_request& req) {
    json::object o;
    for (const auto& [name, value] : req.headers) {
        if (name == "authorization" || name == "api-key" || name == "cookie" ||
            name == "proxy-authorization")
            continue;
        auto* existing = o.if_contains(name);
        if (existing)
            *existing = json::string(std::string(existing->get_string()) + ", " + value);
        else
            o[name] = value;
    }
    return o;
}

json::value body_json(const received_request& req, const std::optional<json::value>& parsed) {
    switch (req.kind) {
    case received_request::body_kind::json: {
        if (!parsed) {
            json::object o;
            o["invalid_json"] = req.json_text.substr(0, 1024);
            return o;
        }
        return summarize_json(*parsed);
    }
    case received_request::body_kind::multipart: {
        json::array parts;
        for (const auto& ref : req.form.order) {
            json::object o;
            if (ref.file) {
                const form_file& f = req.form.data.files[ref.index];
                o["name"] = f.name;
                o["filename"] = f.filename;
                o["content_type"] =
                    f.content_type.empty() ? json::value(nullptr) : json::value(f.content_type);
                o["size"] = f.size;
                o["sha256"] = f.sha256_hex();
                if (f.info.format != image_format::unknown) {
                    json::object img;
                    img["format"] = to_string(f.info.format);
                    img["width"] = f.info.width;
                    img["height"] = f.info.height;
                    img["has_alpha"] = f.info.has_alpha;
                    o["image"] = std::move(img);
                } else {
                    o["image"] = nullptr;
                }
            } else {
                const form_field& f = req.form.data.fields[ref.index];
                o["name"] = f.name;
                o["filename"] = nullptr;
                o["content_type"] =
                    f.content_type.empty() ? json::value(nullptr) : json::value(f.content_type);
                o["size"] = f.value.size();
                o["value"] = f.value.size() <= 4096 ? json::value(f.value)
                                                    : summarize_json(json::value(f.value), 4096);
            }
            parts.push_back(std::move(o));
        }
        json::object o;
        o["parts"] = std::move(parts);
        if (!req.form.error.empty())
            o["error"] = req.form.error;
        return o;
    }
    case received_request::body_kind::other:
    case received_request::body_kind::none:
        break;
    }
    return nullptr;
}

reply introspection(const target_parts& t, const received_request& req, emulator_state& state) {
    std::string_view path = t.path;
    path.remove_prefix(std::string_view("/v1/_emulator/").size());
    if (path == "stats" && req.method == "GET") {
        json::object o = state.stats.to_json();
        o["files_created"] = state.files.created();
        o["batches_created"] = state.batches.created();
        o["batch_requests_processed"] = state.batches.requests_processed();
        return json_reply(200, o);
    }
    if (path.starts_with("requests")) {
        request_log::query q;
        if (path.starts_with("requests/"))
            q.request_id = std::string(path.substr(9));
        else if (path != "requests")
            return to_reply(invalid_url(req.method, t.path));
        if (req.method == "DELETE" && !q.request_id) {
            state.log.clear();
            return json_reply(200, json::object{{"cleared", true}});
        }
        if (req.method != "GET")
            return to_reply(invalid_url(req.method, t.path));
        if (auto* key = query_value(t, "fault_key"))
            q.fault_key = *key;
        if (auto* id = query_value(t, "request_id"))
            q.request_id = *id;
        if (auto* limit = query_value(t, "limit"))
            q.limit = static_cast<std::size_t>(std::strtoull(limit->c_str(), nullptr, 10));
        json::array found = state.log.find(q);
        if (path.starts_with("requests/")) {
            if (found.empty()) {
                error_reply e = invalid_url(req.method, t.path);
                e.message = "No logged request has the id '" + *q.request_id + "'.";
                return to_reply(e);
            }
            return json_reply(200, found.back());
        }
        json::object o;
        o["requests"] = std::move(found);
        return json_reply(200, o);
    }
    return to_reply(invalid_url(req.method, t.path));
}

} // namespace openai::emulator
