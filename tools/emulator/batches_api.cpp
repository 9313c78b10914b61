#include "emulator/batches_api.hpp"

#include "emulator/api_errors.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace openai::emulator {
namespace {

namespace json = boost::json;

reply json_reply(const json::value& v) {
    reply r;
    r.body.add(json::serialize(v));
    return r;
}

reply answer(std::variant<json::object, error_reply> v) {
    if (auto* e = std::get_if<error_reply>(&v))
        return to_reply(*e);
    return json_reply(std::get<json::object>(v));
}

std::string_view kind_name(const json::value& v) {
    switch (v.kind()) {
    case json::kind::string:
        return "a string";
    case json::kind::object:
        return "an object";
    case json::kind::array:
        return "an array";
    case json::kind::bool_:
        return "a boolean";
    case json::kind::null:
        return "null";
    default:
        return "a number";
    }
}

reply create(const received_request& req, emulator_state& state,
             const std::optional<json::value>& body, const fault_spec* fault) {
    if (req.kind != received_request::body_kind::json || !body || !body->is_object())
        return to_reply(invalid_json_body());
    const json::object& o = body->as_object();
    for (const auto& kv : o) {
        std::string_view k = kv.key();
        if (k != "input_file_id" && k != "endpoint" && k != "completion_window" &&
            k != "metadata" && k != "output_expires_after")
            return to_reply(unknown_parameter(k));
    }
    batch_store::create_params p;
    for (auto [name, target] :
         {std::pair{"input_file_id", &p.input_file_id}, std::pair{"endpoint", &p.endpoint},
          std::pair{"completion_window", &p.completion_window}}) {
        const json::value* v = o.if_contains(name);
        if (!v)
            return to_reply(missing_parameter(name));
        if (!v->is_string())
            return to_reply(invalid_type(name, "a string", kind_name(*v)));
        *target = std::string(v->as_string());
    }
    if (const json::value* m = o.if_contains("metadata")) {
        if (!m->is_object() && !m->is_null())
            return to_reply(invalid_type("metadata", "an object", kind_name(*m)));
        p.metadata = *m;
    }
    if (const json::value* x = o.if_contains("output_expires_after")) {
        if (!x->is_object())
            return to_reply(invalid_type("output_expires_after", "an object", kind_name(*x)));
        const json::object& e = x->as_object();
        const json::value* anchor = e.if_contains("anchor");
        if (!anchor)
            return to_reply(missing_parameter("output_expires_after.anchor"));
        if (!anchor->is_string() || anchor->as_string() != "created_at")
            return to_reply(invalid_value("output_expires_after.anchor",
                                          anchor->is_string() ? anchor->as_string() : "",
                                          "'created_at'"));
        const json::value* seconds = e.if_contains("seconds");
        if (!seconds)
            return to_reply(missing_parameter("output_expires_after.seconds"));
        if (!seconds->is_int64() && !seconds->is_uint64())
            return to_reply(
                invalid_type("output_expires_after.seconds", "an integer", kind_name(*seconds)));
        p.output_expires_after = seconds->to_number<std::int64_t>();
    }
    if (fault &&
        (fault->batch_expire_after || fault->batch_fail_after || fault->batch_first_poll_5xx)) {
        batch_settings s = state.batches.settings();
        if (fault->batch_expire_after)
            s.expire_after = fault->batch_expire_after;
        if (fault->batch_fail_after)
            s.fail_after = fault->batch_fail_after;
        s.first_poll_5xx = s.first_poll_5xx || fault->batch_first_poll_5xx;
        p.settings = s;
    }
    return answer(state.batches.create(p));
}

reply list(const target_parts& t, emulator_state& state) {
    std::size_t limit = 20;
    if (const std::string* l = query_value(t, "limit")) {
        long long n = 0;
        auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
        if (l->empty() || ec != std::errc{} || end != l->data() + l->size())
            return to_reply(invalid_type("limit", "an integer", "a string"));
        if (n < 1 || n > 100)
            return to_reply(integer_out_of_range("limit", n, 1, 100));
        limit = static_cast<std::size_t>(n);
    }
    auto page = state.batches.list(limit, query_value(t, "after"));
    json::object o;
    o["object"] = "list";
    o["first_id"] =
        page.data.empty() ? json::value(nullptr) : json::value(page.data.front().at("id"));
    o["last_id"] =
        page.data.empty() ? json::value(nullptr) : json::value(page.data.back().at("id"));
    o["has_more"] = page.has_more;
    json::array data;
    for (auto& b : page.data)
        data.push_back(std::move(b));
    o["data"] = std::move(data);
    return json_reply(o);
}

} // namespace

bool is_batches_path(std::string_view path) {
    return path == "/v1/batches" || path.starts_with("/v1/batches/");
}

reply batches_api(const received_request& req, const target_parts& t, emulator_state& state,
                  const std::optional<json::value>& body, const fault_spec* fault) {
    if (t.path == "/v1/batches") {
        if (req.method == "POST")
            return create(req, state, body, fault);
        if (req.method == "GET")
            return list(t, state);
        return to_reply(invalid_url(req.method, t.path));
    }
    std::string_view rest =
        std::string_view(t.path).substr(std::string_view("/v1/batches/").size());
    auto slash = rest.find('/');
    std::string id(rest.substr(0, slash));
    std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (id.empty())
        return to_reply(invalid_url(req.method, t.path));
    if (tail.empty() && req.method == "GET")
        return answer(state.batches.retrieve(id, true));
    if (tail == "/cancel" && req.method == "POST")
        return answer(state.batches.cancel(id));
    return to_reply(invalid_url(req.method, t.path));
}

} // namespace openai::emulator
