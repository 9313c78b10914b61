#include "emulator/handler.hpp"

#include "emulator/api_errors.hpp"
#include "emulator/request_checks.hpp"
#include "emulator/usage.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <random>

namespace openai::emulator {
namespace {

namespace json = boost::json;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

struct target_parts {
    std::string path;
    std::multimap<std::string, std::string> query;
};

target_parts split_target(std::string_view target) {
    target_parts t;
    auto q = target.find('?');
    t.path = std::string(target.substr(0, q));
    if (q == std::string_view::npos)
        return t;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view item = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (item.empty())
            continue;
        auto eq = item.find('=');
        t.query.emplace(url_decode(item.substr(0, eq)), eq == std::string_view::npos
                                                            ? std::string{}
                                                            : url_decode(item.substr(eq + 1)));
    }
    return t;
}

const std::string* query_value(const target_parts& t, const std::string& name) {
    auto it = t.query.find(name);
    return it == t.query.end() ? nullptr : &it->second;
}

// Which API operation a path names (nullopt: none).
struct route {
    operation op;
    bool azure = false;
    std::string deployment;
};

std::optional<route> match_route(const std::string& path) {
    static constexpr std::string_view v1 = "/v1/images/";
    if (path.starts_with(v1)) {
        std::string_view rest = std::string_view(path).substr(v1.size());
        if (rest == "generations")
            return route{operation::generate, false, {}};
        if (rest == "edits")
            return route{operation::edit, false, {}};
        if (rest == "variations")
            return route{operation::variation, false, {}};
        return std::nullopt;
    }
    static constexpr std::string_view azure = "/openai/deployments/";
    if (path.starts_with(azure)) {
        std::string_view rest = std::string_view(path).substr(azure.size());
        auto slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0)
            return std::nullopt;
        route r{operation::generate, true, std::string(rest.substr(0, slash))};
        std::string_view op = rest.substr(slash);
        if (op == "/images/generations")
            r.op = operation::generate;
        else if (op == "/images/edits")
            r.op = operation::edit;
        else
            return std::nullopt;
        return r;
    }
    return std::nullopt;
}

std::string_view op_name(operation op) {
    switch (op) {
    case operation::edit:
        return "edits";
    case operation::variation:
        return "variations";
    case operation::generate:
        break;
    }
    return "generations";
}

reply json_reply(unsigned status, const json::value& body) {
    reply r;
    r.status = status;
    r.body.add(json::serialize(body));
    return r;
}

reply error_reply(const api_error& e) {
    reply r;
    r.status = e.status;
    r.body.add(error_json(e));
    return r;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "prefix" + shared base64 + the rest of a serialized object: the JSON of an image object
// without copying the base64 text.
void add_with_b64(byte_list& out, std::string prefix, const image_payload& img,
                  const json::object& rest) {
    out.add(std::move(prefix));
    out.add(img.base64);
    std::string tail = json::serialize(rest);
    out.add(tail.size() <= 2 ? std::string("\"}") : "\"," + tail.substr(1));
}

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

// The body as the log keeps it. `parsed`: the JSON body, null when it does not parse.
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

// The URL base of this server as the client addressed it.
std::string origin(const received_request& req, const emulator_state& state) {
    const std::string* host = req.header("host");
    bool usable = host && !host->empty() && std::all_of(host->begin(), host->end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' ||
                             c == '-' || c == '[' || c == ']';
                  });
    return state.scheme + "://" +
           (usable ? *host : state.opts.host + ":" + std::to_string(state.port));
}

struct produced {
    image_payload image;
    std::vector<image_payload> partials;
};

image_spec spec_for(const image_job& job, std::uint32_t index, std::size_t payload_bytes) {
    image_spec s;
    s.prompt = job.op == operation::variation ? "variation:" + job.input_digest : job.prompt;
    s.width = job.width;
    s.height = job.height;
    s.format = job.output_format;
    s.transparent = job.background == "transparent";
    s.compression = job.output_compression;
    s.index = index;
    s.payload_bytes = payload_bytes;
    return s;
}

// The success reply for an accepted job.
reply job_reply(const image_job& job, const received_request& req, emulator_state& state,
                std::uint64_t& tokens) {
    const std::string quality = job.reported_quality(); // ui keeps a view of it
    usage_input ui;
    ui.prompt = job.prompt;
    ui.input_images = job.input_images;
    ui.high_input_fidelity = job.input_fidelity == "high";
    ui.quality = quality;
    ui.width = job.width;
    ui.height = job.height;
    ui.n = job.n;
    ui.partial_images = job.stream ? job.partial_images : 0;
    image_usage usage = compute_usage(ui);
    tokens = job.gpt ? usage.total_tokens() : 0;
    std::int64_t created = unix_now();

    std::vector<produced> images;
    for (unsigned i = 0; i < job.n; ++i) {
        produced p;
        image_spec s = spec_for(job, i, state.opts.payload_bytes);
        p.image = state.images(s);
        if (job.stream) {
            for (unsigned k = 0; k < job.partial_images; ++k) {
                image_spec ps = s;
                ps.partial_index = k;
                ps.partial_count = job.partial_images;
                p.partials.push_back(state.images(ps));
            }
        }
        images.push_back(std::move(p));
    }

    reply r;
    r.latency = state.opts.latency;
    if (job.stream) {
        r.stream = true;
        r.content_type = "text/event-stream; charset=utf-8";
        r.event_interval = state.opts.partial_interval;
        std::string kind = job.op == operation::edit ? "image_edit" : "image_generation";
        json::object common;
        common["created_at"] = created;
        common["size"] = job.reported_size();
        common["quality"] = job.reported_quality();
        common["background"] = job.reported_background();
        common["output_format"] = to_string(job.output_format);
        for (const produced& p : images) {
            for (std::size_t k = 0; k < p.partials.size(); ++k) {
                sse_event ev{kind + ".partial_image", {}, true};
                json::object rest = common;
                rest["partial_image_index"] = k;
                add_with_b64(ev.data, "{\"type\":\"" + ev.name + "\",\"b64_json\":\"",
                             p.partials[k], rest);
                r.events.push_back(std::move(ev));
            }
            sse_event done{kind + ".completed", {}, false};
            json::object rest = common;
            rest["usage"] = usage_json(usage, false);
            add_with_b64(done.data, "{\"type\":\"" + done.name + "\",\"b64_json\":\"", p.image,
                         rest);
            r.events.push_back(std::move(done));
        }
        api_error e = error_for_status(500);
        r.stream_error_json = error_event_json(e);
        return r;
    }

    r.body.add("{\"created\":" + std::to_string(created) + ",\"data\":[");
    for (std::size_t i = 0; i < images.size(); ++i) {
        const image_payload& img = images[i].image;
        std::string sep = i == 0 ? "" : ",";
        json::object extra;
        if (job.model == "dall-e-3")
            extra["revised_prompt"] = "A detailed rendering of: " + job.prompt;
        if (job.response_format == "url") {
            std::string name =
                state.urls.put(img.bytes, to_string(img.format), std::string(mime_type(img.format)),
                               url_store::clock::now());
            json::object o;
            o["url"] = origin(req, state) + "/files/" + name;
            for (const auto& kv : extra)
                o[kv.key()] = kv.value();
            r.body.add(sep + json::serialize(o));
        } else {
            add_with_b64(r.body, sep + "{\"b64_json\":\"", img, extra);
        }
    }
    json::object rest;
    if (job.gpt) {
        rest["background"] = job.reported_background();
        rest["output_format"] = to_string(job.output_format);
        rest["quality"] = job.reported_quality();
        rest["size"] = job.reported_size();
        rest["usage"] = usage_json(usage, true);
    }
    std::string tail = json::serialize(rest);
    r.body.add(tail.size() <= 2 ? std::string("]}") : "]," + tail.substr(1));
    return r;
}

// Checks the body and runs the job.
reply api_reply(const route& rt, const received_request& req, emulator_state& state,
                std::uint64_t& tokens, bool& stream, std::optional<json::value> body) {
    if (!req.body_error.empty()) {
        api_error e;
        e.status = req.body_error_status;
        e.message = req.body_error;
        return error_reply(e);
    }
    check_result result = api_error{};
    bool is_json = req.kind == received_request::body_kind::json;
    bool is_form = req.kind == received_request::body_kind::multipart;
    if (is_json && !body)
        return error_reply(invalid_json_body());
    // Azure: the deployment stands for the model when the body names none.
    const received_form* form = &req.form;
    received_form azure_form;
    bool deployment_is_model =
        rt.azure && (is_gpt_image_model(rt.deployment) || rt.deployment.starts_with("dall-e-"));
    if (deployment_is_model && is_json && body->is_object() && !body->as_object().contains("model"))
        body->as_object()["model"] = rt.deployment;
    if (deployment_is_model && is_form && !req.form.data.field("model")) {
        azure_form = req.form;
        azure_form.order.push_back({false, azure_form.data.fields.size()});
        azure_form.data.fields.push_back({"model", rt.deployment, ""});
        form = &azure_form;
    }
    const std::string* ct = req.header("content-type");
    std::string content_type = ct ? *ct : std::string("(none)");
    auto wrong_type = [&](std::string_view expected) {
        api_error e;
        e.message = "Invalid Content-Type '" + content_type + "': /images/" +
                    std::string(op_name(rt.op)) + " expects " + std::string(expected) + ".";
        e.code = "invalid_content_type";
        return error_reply(e);
    };
    switch (rt.op) {
    case operation::generate:
        if (!is_json)
            return wrong_type("application/json");
        result = check_generation(*body);
        break;
    case operation::edit:
        if (is_json)
            result = check_edit_json(*body);
        else if (is_form)
            result = check_edit_multipart(*form);
        else
            return wrong_type("multipart/form-data or application/json");
        break;
    case operation::variation:
        if (!is_form)
            return wrong_type("multipart/form-data");
        result = check_variation(*form);
        break;
    }
    if (auto* e = std::get_if<api_error>(&result))
        return error_reply(*e);
    const image_job& job = std::get<image_job>(result);
    stream = job.stream;
    try {
        return job_reply(job, req, state, tokens);
    } catch (const std::invalid_argument& ex) {
        api_error e;
        e.message = std::string("The emulator cannot produce this image: ") + ex.what();
        e.param = "size";
        return error_reply(e);
    }
}

bool key_matches(const std::string& a, const std::string& b) {
    // Constant time in the length of the expected key.
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Authentication: "none" (no credential), "bearer", "api-key"; ok says whether it passes.
std::string_view auth_scheme(const received_request& req, const emulator_state& state, bool& ok) {
    const std::string* authz = req.header("authorization");
    const std::string* api_key = req.header("api-key");
    std::string_view scheme = "none";
    std::string presented;
    if (authz) {
        std::string_view v = trim(*authz);
        if (v.size() > 7 && lower(v.substr(0, 7)) == "bearer ") {
            scheme = "bearer";
            presented = std::string(trim(v.substr(7)));
        } else {
            scheme = "other";
        }
    } else if (api_key) {
        scheme = "api-key";
        presented = std::string(trim(*api_key));
    }
    ok = !state.opts.api_key || ((scheme == "bearer" || scheme == "api-key") &&
                                 key_matches(presented, *state.opts.api_key));
    return scheme;
}

reply introspection(const target_parts& t, const received_request& req, emulator_state& state) {
    std::string_view path = t.path;
    path.remove_prefix(std::string_view("/v1/_emulator/").size());
    if (path == "stats" && req.method == "GET")
        return json_reply(200, state.stats.to_json());
    if (path.starts_with("requests")) {
        request_log::query q;
        if (path.starts_with("requests/"))
            q.request_id = std::string(path.substr(9));
        else if (path != "requests")
            return error_reply(invalid_url(req.method, t.path));
        if (req.method == "DELETE" && !q.request_id) {
            state.log.clear();
            return json_reply(200, json::object{{"cleared", true}});
        }
        if (req.method != "GET")
            return error_reply(invalid_url(req.method, t.path));
        if (auto* key = query_value(t, "fault_key"))
            q.fault_key = *key;
        if (auto* id = query_value(t, "request_id"))
            q.request_id = *id;
        if (auto* limit = query_value(t, "limit"))
            q.limit = static_cast<std::size_t>(std::strtoull(limit->c_str(), nullptr, 10));
        json::array found = state.log.find(q);
        if (path.starts_with("requests/")) {
            if (found.empty()) {
                api_error e = invalid_url(req.method, t.path);
                e.message = "No logged request has the id '" + *q.request_id + "'.";
                return error_reply(e);
            }
            return json_reply(200, found.back());
        }
        json::object o;
        o["requests"] = std::move(found);
        return json_reply(200, o);
    }
    return error_reply(invalid_url(req.method, t.path));
}

} // namespace

const std::string* received_request::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n == name)
            return &v;
    return nullptr;
}

emulator_state::emulator_state(options o, image_source source)
    : opts(std::move(o))
    , images(std::move(source))
    , faults(opts.faults)
    , log(opts.log_capacity)
    , urls(opts.url_ttl)
    , limits(opts.rate_limit_requests, opts.rate_limit_tokens)
    , id_salt_(std::random_device{}() ^ (std::uint64_t(std::random_device{}()) << 32)) {}

std::string emulator_state::next_request_id() {
    std::uint64_t n = request_counter_.fetch_add(1, std::memory_order_relaxed) + 1;
    // A bijective mix of the counter: unique ids that do not look sequential.
    std::uint64_t x = (n ^ id_salt_) * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    static constexpr char digits[] = "0123456789abcdef";
    std::string id = "req_";
    for (std::uint64_t v : {x, n}) {
        for (int shift = 60; shift >= 0; shift -= 4)
            id += digits[(v >> shift) & 0xf];
    }
    return id;
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

body_policy classify(std::string_view method, std::string_view target,
                     std::string_view content_type) {
    body_policy p;
    std::string ct = lower(trim(content_type.substr(0, content_type.find(';'))));
    if (ct == "application/json")
        p.kind = received_request::body_kind::json;
    else if (ct == "multipart/form-data")
        p.kind = received_request::body_kind::multipart;
    else
        p.kind = received_request::body_kind::other;
    auto path = target.substr(0, target.find('?'));
    p.heavy = method == "POST" && match_route(std::string(path)).has_value();
    return p;
}

namespace {

// The request's prompt for faults keyed by prompt: the JSON member (`parsed`: the JSON body)
// or the multipart field.
std::string request_prompt(const received_request& req, const std::optional<json::value>& parsed) {
    if (parsed) {
        if (const auto* o = parsed->if_object())
            if (const auto* p = o->if_contains("prompt"); p && p->is_string())
                return std::string(p->as_string());
    } else if (req.kind == received_request::body_kind::multipart) {
        if (const auto* f = req.form.data.field("prompt"))
            return f->value;
    }
    return {};
}

} // namespace

handled handle_request(const received_request& req, emulator_state& state) {
    handled out;
    target_parts t = split_target(req.target);
    std::string request_id = state.next_request_id();
    auto finish_headers = [&](reply& r, std::uint64_t tokens) {
        r.headers.emplace(r.headers.begin(), "x-request-id", request_id);
        r.headers.emplace_back("openai-version", "2020-10-01");
        r.headers.emplace_back("openai-processing-ms", std::to_string(state.opts.latency.count()));
        for (auto& h : state.limits.record(rate_limits::clock::now(), tokens))
            r.headers.push_back(std::move(h));
    };

    if (t.path.starts_with("/v1/_emulator/")) {
        out.r = introspection(t, req, state);
        out.r.headers.emplace_back("x-request-id", request_id);
        out.r.headers.emplace_back("cache-control", "no-store");
        return out;
    }

    json::object record;
    record["request_id"] = request_id;
    record["time_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    record["method"] = req.method;
    record["path"] = t.path;
    json::object query;
    for (const auto& [k, v] : t.query)
        query[k] = v;
    record["query"] = std::move(query);
    record["headers"] = headers_json(req);
    record["body_bytes"] = req.body_size;
    std::optional<json::value> parsed;
    if (req.kind == received_request::body_kind::json) {
        boost::system::error_code ec;
        json::value v = json::parse(req.json_text, ec);
        if (!ec)
            parsed = std::move(v);
    }
    record["body"] = body_json(req, parsed);
    const std::string* fault_key = req.header("x-emulator-fault-key");
    record["fault_key"] = fault_key ? json::value(*fault_key) : json::value(nullptr);

    auto done = [&](reply r, std::uint64_t tokens, bool stream) {
        finish_headers(r, tokens);
        record["status"] = r.status;
        record["stream"] = stream;
        record["fault"] = out.fault ? json::value(out.fault->text) : json::value(nullptr);
        state.log.add(std::move(record));
        out.r = std::move(r);
        return std::move(out);
    };

    // Faults first: they stand for failures in front of the API (proxies, overload).
    std::vector<fault_spec> header_specs;
    for (const auto& [name, value] : req.headers) {
        if (name != "x-emulator-fault")
            continue;
        std::string error;
        auto spec = parse_fault_spec(value, error);
        if (!spec) {
            api_error e;
            e.message = "Invalid x-emulator-fault header: " + error;
            e.param = "x-emulator-fault";
            e.code = "invalid_fault";
            return done(error_reply(e), 0, false);
        }
        header_specs.push_back(std::move(*spec));
    }
    std::string prompt;
    if (state.faults.uses_prompt(header_specs))
        prompt = request_prompt(req, parsed);
    out.fault =
        state.faults.choose(header_specs, fault_key ? *fault_key : std::string_view{}, prompt);
    if (out.fault) {
        state.stats.faults_fired.fetch_add(1, std::memory_order_relaxed);
        if (auto r = fault_reply(*out.fault))
            return done(std::move(*r), 0, false);
    }

    // URL results: no authentication (like the API's signed URLs).
    if (req.method == "GET" &&
        (t.path.starts_with("/files/") || t.path.starts_with("/v1/files/"))) {
        std::string name = t.path.substr(t.path.rfind('/') + 1);
        reply r;
        if (auto img = state.urls.get(name, url_store::clock::now())) {
            r.content_type = img->content_type;
            r.body.add(img->bytes);
        } else {
            api_error e;
            e.status = 404;
            e.message = "The file '" + name + "' does not exist or its URL has expired.";
            e.code = "file_not_found";
            r = error_reply(e);
        }
        if (out.fault)
            add_retry_headers(r, *out.fault);
        return done(std::move(r), 0, false);
    }

    std::optional<route> rt = match_route(t.path);
    if (!rt || req.method != "POST")
        return done(error_reply(invalid_url(req.method, t.path)), 0, false);
    if (rt->azure) {
        json::object az;
        az["deployment"] = rt->deployment;
        const std::string* version = query_value(t, "api-version");
        az["api_version"] = version ? json::value(*version) : json::value(nullptr);
        record["azure"] = std::move(az);
        if (!version || version->empty()) {
            api_error e;
            e.status = 404;
            e.type = "invalid_request_error";
            e.message = "Resource not found: Azure OpenAI paths need the api-version query "
                        "parameter.";
            e.code = "404";
            return done(error_reply(e), 0, false);
        }
    }

    bool auth_ok = false;
    record["auth"] = auth_scheme(req, state, auth_ok);
    if (!auth_ok) {
        bool missing = !req.header("authorization") && !req.header("api-key");
        return done(error_reply(bad_api_key(missing)), 0, false);
    }

    std::uint64_t tokens = 0;
    bool stream = false;
    reply r = api_reply(*rt, req, state, tokens, stream, std::move(parsed));
    if (out.fault)
        add_retry_headers(r, *out.fault);
    return done(std::move(r), tokens, stream);
}

} // namespace openai::emulator
