// The handlers without sockets: routing, authentication, faults and their key counting, the
// reply bodies (unary, url, stream events with usage), Azure paths, the request log and stats.
#include "emulator/files_api.hpp"
#include "emulator/handler.hpp"
#include "emulator_test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace em = openai::emulator;
namespace et = openai::emulator::test;
namespace json = boost::json;

namespace {

// Images are recorded, not drawn: the bytes name the spec so that the tests can see which image
// went where.
struct fake_images {
    std::mutex mutex;
    std::vector<em::image_spec> asked;

    em::image_payload operator()(const em::image_spec& s) {
        std::lock_guard lock(mutex);
        asked.push_back(s);
        em::image_payload p;
        std::string tag = s.prompt + "|" + std::to_string(s.width) + "x" +
                          std::to_string(s.height) + "|" + std::to_string(s.index) + "|" +
                          std::to_string(s.partial_index) + "/" + std::to_string(s.partial_count);
        p.bytes = std::make_shared<const std::string>(tag);
        p.base64 = std::make_shared<const std::string>("B64[" + tag + "]");
        p.format = s.format;
        p.width = s.width;
        p.height = s.height;
        return p;
    }
};

struct fixture {
    std::shared_ptr<fake_images> images = std::make_shared<fake_images>();
    em::options opts;
    std::unique_ptr<em::emulator_state> state;

    explicit fixture(em::options o = {}) {
        opts = std::move(o);
        auto img = images;
        state = std::make_unique<em::emulator_state>(
            opts, [img](const em::image_spec& s) { return (*img)(s); });
        state->port = 4242;
    }

    em::handled send(std::string method, std::string target, std::string json_body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
        em::received_request req;
        req.method = std::move(method);
        req.target = std::move(target);
        req.headers = std::move(headers);
        if (!json_body.empty()) {
            req.headers.emplace_back("content-type", "application/json");
            req.kind = em::received_request::body_kind::json;
            req.json_text = json_body;
            req.body_size = json_body.size();
        }
        return em::handle_request(req, *state);
    }

    em::handled send_form(std::string target, const std::vector<et::form_part>& parts,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
        em::received_request req;
        req.method = "POST";
        req.target = std::move(target);
        req.headers = std::move(headers);
        req.headers.emplace_back("content-type", et::multipart_content_type());
        req.kind = em::received_request::body_kind::multipart;
        std::string body = et::multipart_body(parts);
        req.body_size = body.size();
        req.form = et::read_form(body);
        return em::handle_request(req, *state);
    }

    json::object last_logged() {
        auto all = state->log.find({});
        BOOST_TEST_REQUIRE(!all.empty());
        return all.back().as_object();
    }
};

std::string header(const em::reply& r, std::string_view name) {
    for (const auto& [n, v] : r.headers)
        if (n == name)
            return v;
    return "<absent>";
}

json::object body(const em::reply& r) {
    return json::parse(r.body.flatten()).as_object();
}

json::object error_of(const em::reply& r, unsigned status) {
    BOOST_TEST(r.status == status);
    auto b = body(r);
    BOOST_TEST_REQUIRE(b.contains("error"));
    auto e = b.at("error").as_object();
    for (const char* key : {"message", "type", "param", "code"})
        BOOST_TEST(e.contains(key), key);
    return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(handler)

BOOST_AUTO_TEST_CASE(gpt_generation_reply) {
    fixture f;
    auto h = f.send("POST", "/v1/images/generations",
                    R"({"model":"gpt-image-1","prompt":"fox","n":2,"quality":"low",
                        "size":"1024x1536"})",
                    {{"authorization", "Bearer sk-anything"}});
    BOOST_TEST(h.r.status == 200u);
    BOOST_TEST(!h.fault.has_value());
    auto b = body(h.r);
    BOOST_TEST(b.at("data").as_array().size() == 2u);
    BOOST_TEST(b.at("data").at(0).at("b64_json").as_string() == "B64[fox|1024x1536|0|0/0]");
    BOOST_TEST(b.at("data").at(1).at("b64_json").as_string() == "B64[fox|1024x1536|1|0/0]");
    BOOST_TEST(b.at("created").is_int64());
    BOOST_TEST(b.at("size").as_string() == "1024x1536");
    BOOST_TEST(b.at("quality").as_string() == "low");
    BOOST_TEST(b.at("background").as_string() == "opaque");
    BOOST_TEST(b.at("output_format").as_string() == "png");
    auto& u = b.at("usage").as_object();
    BOOST_TEST(u.at("output_tokens").to_number<std::int64_t>() == 2 * 408);
    BOOST_TEST(u.at("input_tokens_details").at("text_tokens").to_number<std::int64_t>() == 1);
    BOOST_TEST(u.at("total_tokens").to_number<std::int64_t>() ==
               u.at("input_tokens").to_number<std::int64_t>() +
                   u.at("output_tokens").to_number<std::int64_t>());
    // The API's headers.
    BOOST_TEST(header(h.r, "x-request-id").starts_with("req_"));
    BOOST_TEST(header(h.r, "x-ratelimit-limit-requests") == "10000");
    BOOST_TEST(header(h.r, "x-ratelimit-remaining-requests") == "9999");
    for (const char* name : {"x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                             "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"})
        BOOST_TEST(header(h.r, name) != "<absent>", name);
    // Deterministic usage: the same request reports the same numbers.
    auto again = f.send("POST", "/v1/images/generations",
                        R"({"model":"gpt-image-1","prompt":"fox","n":2,"quality":"low",
                            "size":"1024x1536"})");
    BOOST_TEST(json::serialize(body(again.r).at("usage")) == json::serialize(u));
    BOOST_TEST(header(again.r, "x-ratelimit-remaining-requests") == "9998");
}

BOOST_AUTO_TEST_CASE(dall_e_url_results_expire) {
    em::options o;
    o.url_ttl = std::chrono::milliseconds(150);
    fixture f(o);
    auto h = f.send("POST", "/v1/images/generations",
                    R"({"model":"dall-e-2","prompt":"cat","size":"256x256"})",
                    {{"host", "localhost:9999"}});
    auto b = body(h.r);
    BOOST_TEST(!b.contains("usage"));
    std::string url(b.at("data").at(0).at("url").as_string());
    BOOST_TEST(url.starts_with("http://localhost:9999/files/img-"));
    BOOST_TEST(url.ends_with(".png"));
    std::string path = url.substr(url.find("/files/"));
    auto got = f.send("GET", path);
    BOOST_TEST(got.r.status == 200u);
    BOOST_TEST(got.r.content_type == "image/png");
    BOOST_TEST(got.r.body.flatten() == "cat|256x256|0|0/0");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto gone = f.send("GET", path);
    error_of(gone.r, 404);
    // Without a Host header the URL names the bound address.
    auto h2 = f.send("POST", "/v1/images/generations", R"({"model":"dall-e-2","prompt":"c"})");
    BOOST_TEST(std::string(body(h2.r).at("data").at(0).at("url").as_string())
                   .starts_with("http://127.0.0.1:4242/files/"));
}

BOOST_AUTO_TEST_CASE(dall_e_3_revised_prompt) {
    fixture f;
    auto b = body(f.send("POST", "/v1/images/generations",
                         R"({"model":"dall-e-3","prompt":"owl","response_format":"b64_json"})")
                      .r);
    BOOST_TEST(b.at("data").at(0).at("revised_prompt").as_string().size() > 3u);
    BOOST_TEST(b.at("data").at(0).at("b64_json").as_string() == "B64[owl|1024x1024|0|0/0]");
}

BOOST_AUTO_TEST_CASE(stream_events) {
    em::options o;
    o.partial_interval = std::chrono::milliseconds(7);
    fixture f(o);
    auto h = f.send("POST", "/v1/images/generations",
                    R"({"model":"gpt-image-1","prompt":"sea","stream":true,"partial_images":2,
                        "output_format":"webp"})");
    BOOST_TEST(h.r.stream);
    BOOST_TEST(h.r.content_type.starts_with("text/event-stream"));
    BOOST_TEST(h.r.event_interval.count() == 7);
    BOOST_TEST_REQUIRE(h.r.events.size() == 3u);
    for (int k = 0; k < 2; ++k) {
        BOOST_TEST(h.r.events[k].name == "image_generation.partial_image");
        BOOST_TEST(h.r.events[k].partial);
        auto d = json::parse(h.r.events[k].data.flatten()).as_object();
        BOOST_TEST(d.at("type").as_string() == "image_generation.partial_image");
        BOOST_TEST(d.at("partial_image_index").to_number<std::int64_t>() == k);
        BOOST_TEST(d.at("b64_json").as_string() ==
                   "B64[sea|1024x1024|0|" + std::to_string(k) + "/2]");
        BOOST_TEST(d.at("output_format").as_string() == "webp");
    }
    auto done = json::parse(h.r.events[2].data.flatten()).as_object();
    BOOST_TEST(done.at("type").as_string() == "image_generation.completed");
    BOOST_TEST(done.at("b64_json").as_string() == "B64[sea|1024x1024|0|0/0]");
    for (const char* key : {"created_at", "size", "quality", "background", "output_format"})
        BOOST_TEST(done.contains(key), key);
    BOOST_TEST(done.at("usage").at("output_tokens").to_number<std::int64_t>() == 1056 + 200);
    BOOST_TEST(json::parse(h.r.stream_error_json).as_object().contains("error"));
    // Without partial images: one completed event.
    auto single = f.send("POST", "/v1/images/generations",
                         R"({"model":"gpt-image-1","prompt":"sea","stream":true})");
    BOOST_TEST_REQUIRE(single.r.events.size() == 1u);
    BOOST_TEST(single.r.events[0].name == "image_generation.completed");
    BOOST_TEST(f.last_logged().at("stream").as_bool());
}

BOOST_AUTO_TEST_CASE(edit_and_variation) {
    fixture f;
    std::string a = et::image_bytes(32, 32);
    auto edit = f.send_form(
        "/v1/images/edits",
        {et::field("model", "gpt-image-1"), et::field("prompt", "hat"), et::field("stream", "true"),
         et::field("partial_images", "1"), et::file("image[]", "a.png", "image/png", a),
         et::file("image[]", "b.png", "image/png", a), et::file("mask", "m.png", "image/png", a)});
    BOOST_TEST(edit.r.status == 200u);
    BOOST_TEST_REQUIRE(edit.r.events.size() == 2u);
    BOOST_TEST(edit.r.events[0].name == "image_edit.partial_image");
    BOOST_TEST(edit.r.events[1].name == "image_edit.completed");
    auto usage = json::parse(edit.r.events[1].data.flatten()).at("usage");
    BOOST_TEST(usage.at("input_tokens_details").at("image_tokens").to_number<std::int64_t>() > 0);
    // The log shows the parts in order.
    auto rec = f.last_logged();
    auto& parts = rec.at("body").at("parts").as_array();
    BOOST_TEST_REQUIRE(parts.size() == 7u);
    BOOST_TEST(parts[4].at("name").as_string() == "image[]");
    BOOST_TEST(parts[4].at("filename").as_string() == "a.png");
    BOOST_TEST(parts[4].at("content_type").as_string() == "image/png");
    BOOST_TEST(parts[4].at("size").to_number<std::int64_t>() ==
               static_cast<std::int64_t>(a.size()));
    BOOST_TEST(parts[4].at("image").at("width").to_number<std::int64_t>() == 32);
    BOOST_TEST(parts[6].at("name").as_string() == "mask");
    BOOST_TEST(parts[1].at("value").as_string() == "hat");

    auto variation =
        f.send_form("/v1/images/variations", {et::file("image", "a.png", "image/png", a),
                                              et::field("response_format", "b64_json")});
    BOOST_TEST(variation.r.status == 200u);
    std::string b64(body(variation.r).at("data").at(0).at("b64_json").as_string());
    BOOST_TEST(b64.starts_with("B64[variation:"));
    BOOST_TEST(f.send_form("/v1/images/variations", {et::file("image", "a.png", "image/png", a)})
                   .r.status == 200u);
}

BOOST_AUTO_TEST_CASE(content_types_per_endpoint) {
    fixture f;
    auto gen_form = f.send_form("/v1/images/generations", {et::field("prompt", "p")});
    BOOST_TEST(error_of(gen_form.r, 400).at("code").as_string() == "invalid_content_type");
    auto var_json = f.send("POST", "/v1/images/variations", R"({"model":"dall-e-2"})");
    error_of(var_json.r, 400);
    auto bad_json = f.send("POST", "/v1/images/generations", R"({"prompt":"p",})");
    BOOST_TEST(error_of(bad_json.r, 400).at("param").is_null());
    auto empty = f.send("POST", "/v1/images/generations");
    error_of(empty.r, 400);
}

BOOST_AUTO_TEST_CASE(routing) {
    fixture f;
    auto e = error_of(f.send("POST", "/v1/images/generate", R"({"prompt":"p"})").r, 404);
    BOOST_TEST(e.at("message").as_string() == "Invalid URL (POST /v1/images/generate)");
    error_of(f.send("GET", "/v1/images/generations").r, 404);
    error_of(f.send("GET", "/files/img-nothing.png").r, 404);
    BOOST_TEST(f.send("POST", "/v1/images/generations?x=1", R"({"prompt":"p"})").r.status == 200u);
}

BOOST_AUTO_TEST_CASE(authentication) {
    em::options o;
    o.api_key = "sk-right";
    fixture f(o);
    std::string req = R"({"prompt":"p"})";
    auto missing = error_of(f.send("POST", "/v1/images/generations", req).r, 401);
    BOOST_TEST(missing.at("message").as_string().find("didn't provide") != std::string::npos);
    auto wrong = error_of(
        f.send("POST", "/v1/images/generations", req, {{"authorization", "Bearer sk-wrong"}}).r,
        401);
    BOOST_TEST(wrong.at("code").as_string() == "invalid_api_key");
    BOOST_TEST(wrong.at("message").as_string().find("sk-wrong") == std::string::npos);
    error_of(f.send("POST", "/v1/images/generations", req, {{"authorization", "Basic sk-right"}}).r,
             401);
    BOOST_TEST(f.send("POST", "/v1/images/generations", req, {{"authorization", "Bearer sk-right"}})
                   .r.status == 200u);
    BOOST_TEST(f.send("POST", "/v1/images/generations", req, {{"api-key", "sk-right"}}).r.status ==
               200u);
    // The key never reaches the log.
    auto rec = f.last_logged();
    BOOST_TEST(json::serialize(rec).find("sk-right") == std::string::npos);
    BOOST_TEST(rec.at("auth").as_string() == "api-key");
    // Introspection needs no key.
    BOOST_TEST(f.send("GET", "/v1/_emulator/stats").r.status == 200u);
}

BOOST_AUTO_TEST_CASE(fault_header_and_key) {
    fixture f;
    std::vector<std::pair<std::string, std::string>> hdr{
        {"x-emulator-fault", "status=429;retry-after-ms=200;times=2"},
        {"x-emulator-fault-key", "k1"}};
    for (int i = 0; i < 2; ++i) {
        auto h = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})", hdr);
        auto e = error_of(h.r, 429);
        BOOST_TEST(e.at("code").as_string() == "rate_limit_exceeded");
        BOOST_TEST(header(h.r, "retry-after-ms") == "200");
        BOOST_TEST(header(h.r, "x-request-id").starts_with("req_"));
        BOOST_TEST(h.fault.has_value());
    }
    auto third = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})", hdr);
    BOOST_TEST(third.r.status == 200u);
    BOOST_TEST(!third.fault.has_value());
    // The log tells the story by key.
    em::request_log::query q;
    q.fault_key = "k1";
    auto logged = f.state->log.find(q);
    BOOST_TEST_REQUIRE(logged.size() == 3u);
    BOOST_TEST(logged[0].at("status").to_number<std::int64_t>() == 429);
    BOOST_TEST(logged[0].at("fault").as_string() == "status=429;retry-after-ms=200;times=2");
    BOOST_TEST(logged[2].at("status").to_number<std::int64_t>() == 200);
    BOOST_TEST(logged[2].at("fault").is_null());
    BOOST_TEST(f.state->stats.faults_fired.load() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_fault_header_is_a_400) {
    fixture f;
    auto h = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})",
                    {{"x-emulator-fault", "status=42"}});
    auto e = error_of(h.r, 400);
    BOOST_TEST(e.at("param").as_string() == "x-emulator-fault");
    BOOST_TEST(e.at("message").as_string().find("status=42") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(global_faults_and_byte_faults) {
    em::options o;
    std::string error;
    o.faults.push_back(*em::parse_fault_spec("html-502;times=1", error));
    fixture f(o);
    auto first = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})");
    BOOST_TEST(first.r.status == 502u);
    BOOST_TEST(first.r.content_type == "text/html");
    auto second = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})");
    BOOST_TEST(second.r.status == 200u);
    // Byte-level faults ride along with a normal reply.
    auto trunc = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})",
                        {{"x-emulator-fault", "truncate-body;x-should-retry=false"}});
    BOOST_TEST(trunc.r.status == 200u);
    BOOST_TEST_REQUIRE(trunc.fault.has_value());
    BOOST_TEST(trunc.fault->truncate_body);
    BOOST_TEST(header(trunc.r, "x-should-retry") == "false");
    auto gone = f.send("POST", "/v1/images/generations", R"({"prompt":"p"})",
                       {{"x-emulator-fault", "close-without-response"}});
    BOOST_TEST_REQUIRE(gone.fault.has_value());
    BOOST_TEST(em::make_wire_plan(gone.r, &*gone.fault, true).no_response);
}

BOOST_AUTO_TEST_CASE(azure_paths) {
    fixture f;
    auto h =
        f.send("POST", "/openai/deployments/gpt-image-1/images/generations?api-version=2025-04-01",
               R"({"prompt":"azure"})", {{"api-key", "k"}});
    BOOST_TEST(h.r.status == 200u);
    auto rec = f.last_logged();
    BOOST_TEST(rec.at("azure").at("deployment").as_string() == "gpt-image-1");
    BOOST_TEST(rec.at("azure").at("api_version").as_string() == "2025-04-01");
    BOOST_TEST(rec.at("auth").as_string() == "api-key");
    BOOST_TEST(body(h.r).contains("usage")); // the deployment's model, a GPT image model
    std::string a = et::image_bytes(16, 16);
    auto edit = f.send_form("/openai/deployments/my-images/images/edits?api-version=2025-04-01",
                            {et::field("model", "gpt-image-1"), et::field("prompt", "p"),
                             et::file("image[]", "a.png", "image/png", a)});
    BOOST_TEST(edit.r.status == 200u);
    error_of(
        f.send("POST", "/openai/deployments/gpt-image-1/images/generations", R"({"prompt":"p"})").r,
        404);
    error_of(
        f.send("POST", "/openai/deployments/x/images/variations?api-version=1", R"({"prompt":"p"})")
            .r,
        404);
}

BOOST_AUTO_TEST_CASE(introspection) {
    fixture f;
    f.send("POST", "/v1/images/generations", R"({"prompt":"one","user":"u"})",
           {{"x-test", "yes"}, {"authorization", "Bearer sk-secret"}});
    auto id =
        header(f.send("POST", "/v1/images/generations", R"({"prompt":"two"})").r, "x-request-id");
    auto list = body(f.send("GET", "/v1/_emulator/requests").r);
    auto& reqs = list.at("requests").as_array();
    BOOST_TEST_REQUIRE(reqs.size() == 2u);
    BOOST_TEST(reqs[0].at("body").at("prompt").as_string() == "one");
    BOOST_TEST(reqs[0].at("body").at("user").as_string() == "u");
    BOOST_TEST(reqs[0].at("headers").at("x-test").as_string() == "yes");
    BOOST_TEST(!reqs[0].at("headers").as_object().contains("authorization"));
    BOOST_TEST(reqs[0].at("auth").as_string() == "bearer");
    BOOST_TEST(reqs[0].at("method").as_string() == "POST");
    BOOST_TEST(reqs[0].at("path").as_string() == "/v1/images/generations");
    auto one = body(f.send("GET", "/v1/_emulator/requests/" + id).r);
    BOOST_TEST(one.at("body").at("prompt").as_string() == "two");
    auto by_query = body(f.send("GET", "/v1/_emulator/requests?request_id=" + id).r);
    BOOST_TEST(by_query.at("requests").as_array().size() == 1u);
    auto limited = body(f.send("GET", "/v1/_emulator/requests?limit=1").r);
    BOOST_TEST(limited.at("requests").at(0).at("request_id").as_string() == id);
    error_of(f.send("GET", "/v1/_emulator/requests/req_unknown").r, 404);
    BOOST_TEST(f.send("DELETE", "/v1/_emulator/requests").r.status == 200u);
    BOOST_TEST(body(f.send("GET", "/v1/_emulator/requests").r).at("requests").as_array().empty());
    auto stats = body(f.send("GET", "/v1/_emulator/stats").r);
    for (const char* key : {"connections_accepted", "connections_open", "requests_served",
                            "streams_open", "faults_fired"})
        BOOST_TEST(stats.contains(key), key);
    // Long strings are summarised in the log.
    std::string long_prompt(5000, 'z');
    f.send("POST", "/v1/images/generations",
           R"({"model":"gpt-image-1","prompt":")" + long_prompt + R"("})");
    auto rec = f.last_logged();
    BOOST_TEST(rec.at("body").at("prompt").at("$string").at("length").to_number<std::int64_t>() ==
               5000);
}

BOOST_AUTO_TEST_CASE(files_and_batches_through_the_handler) {
    em::options o;
    o.api_key = "k";
    fixture f(o);
    std::deque<std::function<void()>> steps;
    f.state->batches.set_scheduler(
        [&steps](std::chrono::milliseconds, std::function<void()> w) { steps.push_back(w); });
    const std::vector<std::pair<std::string, std::string>> auth{{"authorization", "Bearer k"}};

    // The upload as the server reads it: the file's bytes kept.
    std::string jsonl =
        R"({"custom_id":"one","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1","prompt":"fox"}})"
        "\n";
    em::received_request up;
    up.method = "POST";
    up.target = "/v1/files";
    up.headers = auth;
    up.headers.emplace_back("content-type", et::multipart_content_type());
    up.kind = em::received_request::body_kind::multipart;
    em::form_intake intake(em::upload_limits());
    intake.start(et::multipart_content_type());
    intake.feed(et::multipart_body(
        {et::field("purpose", "batch"), et::file("file", "dir/in.jsonl", "", jsonl)}));
    up.form = intake.finish();
    auto uploaded = em::handle_request(up, *f.state);
    BOOST_TEST_REQUIRE(uploaded.r.status == 200u, uploaded.r.body.flatten());
    auto file = body(uploaded.r);
    BOOST_TEST(file.at("filename").as_string() == "in.jsonl"); // the basename only
    std::string file_id(file.at("id").as_string());
    BOOST_TEST(header(uploaded.r, "x-request-id").starts_with("req_"));

    // The key is required like everywhere; URL results under /v1/files/ stay the URL store's.
    error_of(f.send("GET", "/v1/files/" + file_id).r, 401);
    BOOST_TEST(error_of(f.send("GET", "/v1/files/img-nothing.png").r, 404).at("code") ==
               "file_not_found");
    BOOST_TEST(f.send("GET", "/v1/files/" + file_id + "/content", {}, auth).r.body.flatten() ==
               jsonl);

    auto created = f.send("POST", "/v1/batches",
                          R"({"input_file_id":")" + file_id +
                              R"(","endpoint":"/v1/images/generations","completion_window":"24h"})",
                          auth);
    BOOST_TEST_REQUIRE(created.r.status == 200u, created.r.body.flatten());
    std::string id(body(created.r).at("id").as_string());
    BOOST_TEST(f.last_logged().at("path").as_string() == "/v1/batches");
    while (!steps.empty()) {
        auto w = std::move(steps.front());
        steps.pop_front();
        w();
    }
    auto done = body(f.send("GET", "/v1/batches/" + id, {}, auth).r);
    BOOST_TEST_REQUIRE(done.at("status").as_string() == "completed");
    BOOST_TEST(done.at("usage").at("output_tokens").to_number<std::int64_t>() > 0);
    std::string out =
        f.send("GET",
               "/v1/files/" + std::string(done.at("output_file_id").as_string()) + "/content", {},
               auth)
            .r.body.flatten();
    auto line = json::parse(out).as_object();
    BOOST_TEST(line.at("custom_id").as_string() == "one");
    BOOST_TEST(line.at("response").at("body").at("data").at(0).at("b64_json").as_string() ==
               "B64[fox|1024x1024|0|0/0]");

    auto listed = body(f.send("GET", "/v1/batches?limit=5", {}, auth).r);
    BOOST_TEST(listed.at("data").as_array().size() == 1u);
    auto unknown = error_of(f.send("POST", "/v1/batches", R"({"bogus":1})", auth).r, 400);
    BOOST_TEST(unknown.at("code").as_string() == "unknown_parameter");
    error_of(f.send("PUT", "/v1/batches/" + id, {}, auth).r, 404);
}

BOOST_AUTO_TEST_SUITE_END()
