#include "emulator/handler.hpp"

#include "emulator/api_errors.hpp"
#include "emulator/authentication.hpp"
#include "emulator/batches_api.hpp"
#include "emulator/files_api.hpp"
#include "emulator/introspection.hpp"
#include "emulator/request_checks.hpp"
#include "emulator/routing.hpp"
#include "emulator/usage.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

namespace openai::emulator {
namespace {

namespace json = boost::json;

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
                std::uint64_t& tokens, image_usage* usage_out) {
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
    if (usage_out && job.gpt)
        *usage_out = usage;
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
        error_reply e = error_for_status(500);
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
                std::uint64_t& tokens, bool& stream, std::optional<json::value> body,
                image_usage* usage_out = nullptr) {
    if (!req.body_error.empty()) {
        error_reply e;
        e.status = req.body_error_status;
        e.message = req.body_error;
        return to_reply(e);
    }
    check_result result = error_reply{};
    bool is_json = req.kind == received_request::body_kind::json;
    bool is_form = req.kind == received_request::body_kind::multipart;
    if (is_json && !body)
        return to_reply(invalid_json_body());
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
        error_reply e;
        e.message = "Invalid Content-Type '" + content_type + "': /images/" +
                    std::string(op_name(rt.op)) + " expects " + std::string(expected) + ".";
        e.code = "invalid_content_type";
        return to_reply(e);
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
    if (auto* e = std::get_if<error_reply>(&result))
        return to_reply(*e);
    const image_job& job = std::get<image_job>(result);
    stream = job.stream;
    try {
        return job_reply(job, req, state, tokens, usage_out);
    } catch (const std::invalid_argument& ex) {
        error_reply e;
        e.message = std::string("The emulator cannot produce this image: ") + ex.what();
        e.param = "size";
        return to_reply(e);
    }
}

} // namespace

const std::string* received_request::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n == name)
            return &v;
    return nullptr;
}

namespace {

batch_settings batch_settings_of(const options& o) {
    batch_settings b;
    b.per_request = o.batch_per_request;
    b.expire_after = o.batch_expire_after;
    b.fail_after = o.batch_fail_after;
    b.first_poll_5xx = o.batch_first_poll_5xx;
    return b;
}

} // namespace

emulator_state::emulator_state(options o, image_source source)
    : opts(std::move(o))
    , images(std::move(source))
    , faults(opts.faults)
    , log(opts.log_capacity)
    , urls(opts.url_ttl)
    , limits(opts.rate_limit_requests, opts.rate_limit_tokens)
    , batches(files, batch_settings_of(opts))
    , id_salt_(std::random_device{}() ^ (std::uint64_t(std::random_device{}()) << 32)) {
    batches.set_runner([this](const std::string& endpoint, const json::value& body) {
        return run_batch_request(endpoint, body, *this);
    });
}

namespace {

// A batch line carries no headers: only `--fault` specs with `prompt-contains` pick lines of a
// batch (by their prompt), like the requests of the CLI's batch runs.
std::optional<fault_spec> line_fault(const json::value& body, emulator_state& state) {
    if (!state.faults.has_global() || !state.faults.uses_prompt({}))
        return std::nullopt;
    std::string prompt;
    if (const auto* o = body.if_object())
        if (const auto* p = o->if_contains("prompt"); p && p->is_string())
            prompt = std::string(p->as_string());
    auto f = state.faults.choose({}, {}, prompt);
    if (!f || !f->prompt_contains)
        return std::nullopt;
    state.stats.faults_fired.fetch_add(1, std::memory_order_relaxed);
    return f;
}

} // namespace

batch_line_result run_batch_request(const std::string& endpoint, const json::value& body,
                                    emulator_state& state) {
    batch_line_result out;
    out.request_id = state.next_request_id();
    reply r;
    const json::value* stream_flag =
        body.is_object() ? body.as_object().if_contains("stream") : nullptr;
    std::optional<route> rt = match_route(endpoint);
    if (stream_flag && stream_flag->is_bool() && stream_flag->as_bool()) {
        error_reply e;
        e.message = "Streaming is not supported by the Batch API.";
        e.param = "stream";
        e.code = "invalid_value";
        r = to_reply(e);
    } else if (!rt) {
        r = to_reply(invalid_url("POST", endpoint));
    } else if (auto f = line_fault(body, state); f && f->status) {
        r = to_reply(error_for_status(*f->status));
    } else {
        received_request req;
        req.method = "POST";
        req.target = endpoint;
        req.kind = received_request::body_kind::json;
        std::uint64_t tokens = 0;
        bool stream = false;
        image_usage usage;
        r = api_reply(*rt, req, state, tokens, stream, body, &usage);
        out.input_tokens = usage.input_tokens();
        out.output_tokens = usage.output_tokens;
    }
    out.status = r.status;
    out.body = std::move(r.body);
    return out;
}

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
            error_reply e;
            e.message = "Invalid x-emulator-fault header: " + error;
            e.param = "x-emulator-fault";
            e.code = "invalid_fault";
            return done(to_reply(e), 0, false);
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

    // The Files and Batch APIs.
    if (is_files_path(t.path) || is_batches_path(t.path)) {
        bool auth_ok = false;
        record["auth"] = auth_scheme(req, state, auth_ok);
        if (!auth_ok) {
            bool missing = !req.header("authorization") && !req.header("api-key");
            return done(to_reply(bad_api_key(missing)), 0, false);
        }
        reply r = is_files_path(t.path)
                      ? files_api(req, t, state)
                      : batches_api(req, t, state, parsed, out.fault ? &*out.fault : nullptr);
        if (out.fault)
            add_retry_headers(r, *out.fault);
        return done(std::move(r), 0, false);
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
            error_reply e;
            e.status = 404;
            e.message = "The file '" + name + "' does not exist or its URL has expired.";
            e.code = "file_not_found";
            r = to_reply(e);
        }
        if (out.fault)
            add_retry_headers(r, *out.fault);
        return done(std::move(r), 0, false);
    }

    std::optional<route> rt = match_route(t.path);
    if (!rt || req.method != "POST")
        return done(to_reply(invalid_url(req.method, t.path)), 0, false);
    if (rt->azure) {
        json::object az;
        az["deployment"] = rt->deployment;
        const std::string* version = query_value(t, "api-version");
        az["api_version"] = version ? json::value(*version) : json::value(nullptr);
        record["azure"] = std::move(az);
        if (!version || version->empty()) {
            error_reply e;
            e.status = 404;
            e.type = "invalid_request_error";
            e.message = "Resource not found: Azure OpenAI paths need the api-version query "
                        "parameter.";
            e.code = "404";
            return done(to_reply(e), 0, false);
        }
    }

    bool auth_ok = false;
    record["auth"] = auth_scheme(req, state, auth_ok);
    if (!auth_ok) {
        bool missing = !req.header("authorization") && !req.header("api-key");
        return done(to_reply(bad_api_key(missing)), 0, false);
    }

    std::uint64_t tokens = 0;
    bool stream = false;
    reply r = api_reply(*rt, req, state, tokens, stream, std::move(parsed));
    if (out.fault)
        add_retry_headers(r, *out.fault);
    return done(std::move(r), tokens, stream);
}

} // namespace openai::emulator
