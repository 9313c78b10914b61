// The Files and Batch APIs of the emulator over TLS: upload, retrieve, list, delete and download
// files; batches of image requests run to completion with real images, out of input order;
// validation failures naming lines; cancel and expiry keeping partial results; pagination; and
// the batch faults (first poll 5xx, truncated downloads, failing requests).
#include "emulator/decode.hpp"
#include "emulator/emulator_test_support.hpp"
#include "emulator_fixture.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace ot = openai::test;
namespace et = openai::emulator::test;
namespace json = boost::json;

namespace {

// Uploads `content` as a file; returns the file object.
json::object upload(ot::raw_client& c, const std::string& content,
                    const std::string& filename = "input.jsonl",
                    const std::string& purpose = "batch") {
    auto r =
        c.request("POST", "/v1/files",
                  et::multipart_body({et::field("purpose", purpose),
                                      et::file("file", filename, "application/jsonl", content)}),
                  et::multipart_content_type());
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().as_object();
}

std::string generation_line(const std::string& custom_id, const std::string& prompt,
                            const std::string& extra = "") {
    return R"({"custom_id":")" + custom_id +
           R"(","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1",)"
           R"("prompt":")" +
           prompt + R"(","size":"1024x1024","quality":"low")" + extra + "}}\n";
}

json::object create_batch(ot::raw_client& c, const std::string& file_id,
                          const std::string& endpoint = "/v1/images/generations",
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto r = c.request("POST", "/v1/batches",
                       R"({"input_file_id":")" + file_id + R"(","endpoint":")" + endpoint +
                           R"(","completion_window":"24h","metadata":{"run":"t"}})",
                       "application/json", headers);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().as_object();
}

bool final_status(std::string_view s) {
    return s == "completed" || s == "failed" || s == "expired" || s == "cancelled";
}

// Polls until the batch reaches a final status.
json::object wait_final(ot::raw_client& c, const std::string& id) {
    for (int i = 0; i < 1000; ++i) {
        auto r = c.request("GET", "/v1/batches/" + id);
        if (r.status == 200u) {
            auto b = r.json().as_object();
            if (final_status(b.at("status").as_string()))
                return b;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_FAIL("the batch never finished");
    return {};
}

std::vector<json::object> jsonl(const std::string& text) {
    std::vector<json::object> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(json::parse(line).as_object());
    return out;
}

std::string content(ot::raw_client& c, const json::value& file_id) {
    auto r = c.request("GET", "/v1/files/" + std::string(file_id.as_string()) + "/content");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.body;
}

// The resident set of a process in bytes (Linux), 0 when unknown. (Unused under sanitizers.)
[[maybe_unused]] std::uint64_t resident_bytes(::pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            std::uint64_t kb = 0;
            in >> kb;
            return kb * 1024;
        }
        in.ignore(4096, '\n');
    }
    return 0;
}

std::int64_t stat(ot::raw_client& c, const char* name) {
    return ot::num(c.request("GET", "/v1/_emulator/stats").json().at(name));
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_batches)

BOOST_AUTO_TEST_CASE(file_upload_retrieve_content_list_delete) {
    ot::emulator_process emu;
    ot::raw_client c(emu);
    std::string data = generation_line("a", "one") + generation_line("b", "two");
    auto f = upload(c, data);
    std::string id(f.at("id").as_string());
    BOOST_TEST(id.starts_with("file-"));
    BOOST_TEST(f.at("object").as_string() == "file");
    BOOST_TEST(ot::num(f.at("bytes")) == static_cast<std::int64_t>(data.size()));
    BOOST_TEST(f.at("filename").as_string() == "input.jsonl");
    BOOST_TEST(f.at("purpose").as_string() == "batch");
    BOOST_TEST(ot::num(f.at("created_at")) > 0);

    auto got = c.request("GET", "/v1/files/" + id);
    BOOST_TEST_REQUIRE(got.status == 200u);
    BOOST_TEST(got.json().as_object() == f);
    BOOST_TEST(content(c, f.at("id")) == data);

    auto second = upload(c, "{}\n", "notes.jsonl", "user_data");
    auto list = c.request("GET", "/v1/files?limit=1").json().as_object();
    BOOST_TEST(list.at("object").as_string() == "list");
    BOOST_TEST(list.at("data").as_array().size() == 1u);
    BOOST_TEST(list.at("data").at(0).at("id") == second.at("id")); // newest first
    BOOST_TEST(list.at("has_more").as_bool());
    auto rest = c.request("GET", "/v1/files?after=" + std::string(second.at("id").as_string()))
                    .json()
                    .as_object();
    BOOST_TEST(rest.at("data").as_array().size() == 1u);
    BOOST_TEST(rest.at("data").at(0).at("id") == f.at("id"));
    BOOST_TEST(!rest.at("has_more").as_bool());
    auto oldest = c.request("GET", "/v1/files?order=asc&limit=1").json();
    BOOST_TEST(oldest.at("data").at(0).at("id") == f.at("id"));
    BOOST_TEST(oldest.at("has_more").as_bool());
    ot::api_error_of(c.request("GET", "/v1/files?order=sideways"), 400);
    auto batch_only = c.request("GET", "/v1/files?purpose=batch").json();
    BOOST_TEST(batch_only.at("data").as_array().size() == 1u);

    auto del = c.request("DELETE", "/v1/files/" + id);
    BOOST_TEST_REQUIRE(del.status == 200u);
    BOOST_TEST(del.json().at("deleted").as_bool());
    BOOST_TEST(del.json().at("object").as_string() == "file");
    auto gone = ot::api_error_of(c.request("GET", "/v1/files/" + id), 404);
    BOOST_TEST(gone.at("message").as_string() == "No such File object: " + id);
    BOOST_TEST(gone.at("param").as_string() == "id");
    ot::api_error_of(c.request("GET", "/v1/files/" + id + "/content"), 404);
    ot::api_error_of(c.request("DELETE", "/v1/files/" + id), 404);

    // Missing parameters and a wrong purpose.
    auto no_purpose = ot::api_error_of(
        c.request("POST", "/v1/files",
                  et::multipart_body({et::file("file", "x.jsonl", "application/jsonl", "{}")}),
                  et::multipart_content_type()),
        400);
    BOOST_TEST(no_purpose.at("param").as_string() == "purpose");
    auto no_file = ot::api_error_of(c.request("POST", "/v1/files",
                                              et::multipart_body({et::field("purpose", "batch")}),
                                              et::multipart_content_type()),
                                    400);
    BOOST_TEST(no_file.at("param").as_string() == "file");
    auto bad_purpose = ot::api_error_of(
        c.request("POST", "/v1/files",
                  et::multipart_body({et::field("purpose", "nope"),
                                      et::file("file", "x.jsonl", "application/jsonl", "{}")}),
                  et::multipart_content_type()),
        400);
    BOOST_TEST(bad_purpose.at("param").as_string() == "purpose");
    BOOST_TEST(stat(c, "files_created") == 2);
}

BOOST_AUTO_TEST_CASE(batch_runs_to_completion_out_of_order) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.005"});
    ot::raw_client c(emu);
    std::string input;
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        ids.push_back("req-" + std::to_string(i));
        input += generation_line(ids.back(), "picture " + std::to_string(i));
    }
    auto f = upload(c, input);
    auto created = create_batch(c, std::string(f.at("id").as_string()));
    std::string id(created.at("id").as_string());
    BOOST_TEST(id.starts_with("batch_"));
    BOOST_TEST(created.at("object").as_string() == "batch");
    BOOST_TEST(created.at("status").as_string() == "validating");
    BOOST_TEST(created.at("endpoint").as_string() == "/v1/images/generations");
    BOOST_TEST(created.at("completion_window").as_string() == "24h");
    BOOST_TEST(created.at("metadata").at("run").as_string() == "t");
    BOOST_TEST(created.at("output_file_id").is_null());
    BOOST_TEST(ot::num(created.at("expires_at")) == ot::num(created.at("created_at")) + 86400);
    for (const char* key : {"errors", "error_file_id", "in_progress_at", "finalizing_at",
                            "completed_at", "failed_at", "expired_at", "cancelling_at",
                            "cancelled_at", "request_counts", "usage", "input_file_id"})
        BOOST_TEST(created.contains(key), key);

    // request_counts move while it runs.
    bool seen_partial = false;
    json::object b;
    for (int i = 0; i < 1000; ++i) {
        b = c.request("GET", "/v1/batches/" + id).json().as_object();
        auto done = ot::num(b.at("request_counts").at("completed"));
        if (b.at("status").as_string() == "in_progress" && done > 0 && done < 20)
            seen_partial = true;
        if (final_status(b.at("status").as_string()))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    BOOST_TEST(seen_partial);
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    BOOST_TEST(ot::num(b.at("request_counts").at("total")) == 20);
    BOOST_TEST(ot::num(b.at("request_counts").at("completed")) == 20);
    BOOST_TEST(ot::num(b.at("request_counts").at("failed")) == 0);
    BOOST_TEST(b.at("error_file_id").is_null());
    BOOST_TEST(b.at("model").as_string() == "gpt-image-1");
    BOOST_TEST(ot::num(b.at("usage").at("total_tokens")) > 0);
    for (const char* key : {"in_progress_at", "finalizing_at", "completed_at"})
        BOOST_TEST(b.at(key).is_int64(), key);

    auto out_file =
        c.request("GET", "/v1/files/" + std::string(b.at("output_file_id").as_string())).json();
    BOOST_TEST(out_file.at("purpose").as_string() == "batch_output");
    auto lines = jsonl(content(c, b.at("output_file_id")));
    BOOST_TEST_REQUIRE(lines.size() == 20u);
    std::vector<std::string> order;
    std::set<std::string> line_ids;
    for (const auto& line : lines) {
        order.emplace_back(line.at("custom_id").as_string());
        BOOST_TEST(line.at("id").as_string().starts_with("batch_req_"));
        line_ids.insert(std::string(line.at("id").as_string()));
        BOOST_TEST(line.at("error").is_null());
        const auto& resp = line.at("response");
        BOOST_TEST(ot::num(resp.at("status_code")) == 200);
        BOOST_TEST(resp.at("request_id").as_string().starts_with("req_"));
        auto png = ot::b64_decode(resp.at("body").at("data").at(0).at("b64_json").as_string());
        auto img = et::decode_png(png);
        BOOST_TEST(img.width == 1024u);
        BOOST_TEST(img.height == 1024u);
    }
    BOOST_TEST(line_ids.size() == 20u);
    std::vector<std::string> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::string> expected = ids;
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(sorted == expected, "every custom_id exactly once");
    BOOST_TEST(order != ids, "the output is not in input order");

    BOOST_TEST(stat(c, "batches_created") == 1);
    BOOST_TEST(stat(c, "batch_requests_processed") == 20);
}

BOOST_AUTO_TEST_CASE(bad_lines_go_to_the_error_file) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001"});
    ot::raw_client c(emu);
    auto f = upload(c, generation_line("ok", "fine") +
                           generation_line("bad", "wrong size", R"(,"n":"two")"));
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    BOOST_TEST(ot::num(b.at("request_counts").at("completed")) == 1);
    BOOST_TEST(ot::num(b.at("request_counts").at("failed")) == 1);
    auto out = jsonl(content(c, b.at("output_file_id")));
    BOOST_TEST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].at("custom_id").as_string() == "ok");
    auto err = jsonl(content(c, b.at("error_file_id")));
    BOOST_TEST_REQUIRE(err.size() == 1u);
    BOOST_TEST(err[0].at("custom_id").as_string() == "bad");
    BOOST_TEST(ot::num(err[0].at("response").at("status_code")) == 400);
    BOOST_TEST(err[0].at("response").at("body").at("error").at("param").as_string() == "n");
    BOOST_TEST(err[0].at("error").is_null());
}

BOOST_AUTO_TEST_CASE(edits_with_json_bodies) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001"});
    ot::raw_client c(emu);
    std::string png = et::image_bytes(32, 32);
    std::string line =
        R"({"custom_id":"e1","method":"POST","url":"/v1/images/edits","body":{"model":"gpt-image-1","prompt":"hat","size":"1024x1024","quality":"low","images":[{"image_url":"data:image/png;base64,)" +
        openai::codec::base64_encode(png) + R"("},{"file_id":"file-abc"}]}})" + "\n";
    auto f = upload(c, line);
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string()), "/v1/images/edits")
                           .at("id")
                           .as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    auto out = jsonl(content(c, b.at("output_file_id")));
    BOOST_TEST_REQUIRE(out.size() == 1u);
    auto img = et::decode_png(ot::b64_decode(
        out[0].at("response").at("body").at("data").at(0).at("b64_json").as_string()));
    BOOST_TEST(img.width == 1024u);
}

BOOST_AUTO_TEST_CASE(validation_failure_lists_lines) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001"});
    ot::raw_client c(emu);
    std::string input =
        generation_line("a", "ok") + "this is not json\n" +
        R"({"method":"POST","url":"/v1/images/generations","body":{}})" + "\n" +
        generation_line("a", "duplicate") +
        R"({"custom_id":"e","method":"POST","url":"/v1/images/edits","body":{}})" + "\n" +
        R"({"custom_id":"g","method":"GET","url":"/v1/images/generations","body":{}})" + "\n";
    auto f = upload(c, input);
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "failed");
    BOOST_TEST(b.at("failed_at").is_int64());
    BOOST_TEST(b.at("output_file_id").is_null());
    BOOST_TEST(b.at("errors").at("object").as_string() == "list");
    std::map<std::int64_t, std::string> by_line;
    for (const auto& e : b.at("errors").at("data").as_array()) {
        BOOST_TEST(e.at("message").is_string());
        by_line[ot::num(e.at("line"))] = std::string(e.at("code").as_string());
    }
    BOOST_TEST(by_line.size() == 5u);
    BOOST_TEST(by_line[2] == "invalid_json_line");
    BOOST_TEST(by_line[3] == "missing_required_parameter");
    BOOST_TEST(by_line[4] == "duplicate_custom_id");
    BOOST_TEST(by_line[5] == "invalid_url");
    BOOST_TEST(by_line[6] == "invalid_value");
    BOOST_TEST(!by_line.contains(1));
}

BOOST_AUTO_TEST_CASE(create_errors) {
    ot::raw_client c(ot::shared_emulator());
    auto f = upload(c, generation_line("a", "x"));
    std::string fid(f.at("id").as_string());
    auto endpoint = ot::api_error_of(
        c.request("POST", "/v1/batches",
                  R"({"input_file_id":")" + fid +
                      R"(","endpoint":"/v1/chat/completions","completion_window":"24h"})"),
        400);
    BOOST_TEST(endpoint.at("param").as_string() == "endpoint");
    auto window = ot::api_error_of(
        c.request("POST", "/v1/batches",
                  R"({"input_file_id":")" + fid +
                      R"(","endpoint":"/v1/images/generations","completion_window":"1h"})"),
        400);
    BOOST_TEST(window.at("param").as_string() == "completion_window");
    auto missing = ot::api_error_of(
        c.request("POST", "/v1/batches",
                  R"({"endpoint":"/v1/images/generations","completion_window":"24h"})"),
        400);
    BOOST_TEST(missing.at("param").as_string() == "input_file_id");
    auto unknown_file = ot::api_error_of(
        c.request("POST", "/v1/batches",
                  R"({"input_file_id":"file-nope","endpoint":"/v1/images/generations",)"
                  R"("completion_window":"24h"})"),
        400);
    BOOST_TEST(unknown_file.at("param").as_string() == "input_file_id");
    auto not_found = ot::api_error_of(c.request("GET", "/v1/batches/batch_nope"), 404);
    BOOST_TEST(not_found.at("message").as_string() == "No such Batch object: batch_nope");
    ot::api_error_of(c.request("POST", "/v1/batches/batch_nope/cancel"), 404);
}

BOOST_AUTO_TEST_CASE(cancel_keeps_partial_results) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.05"});
    ot::raw_client c(emu);
    std::string input;
    for (int i = 0; i < 10; ++i)
        input += generation_line("c" + std::to_string(i), "cancel " + std::to_string(i));
    auto f = upload(c, input);
    std::string id(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string());
    for (int i = 0; i < 500; ++i) {
        auto b = c.request("GET", "/v1/batches/" + id).json();
        if (ot::num(b.at("request_counts").at("completed")) >= 2)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto cancelling = c.request("POST", "/v1/batches/" + id + "/cancel");
    BOOST_TEST_REQUIRE(cancelling.status == 200u, cancelling.body);
    BOOST_TEST(cancelling.json().at("status").as_string() == "cancelling");
    BOOST_TEST(cancelling.json().at("cancelling_at").is_int64());
    auto b = wait_final(c, id);
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "cancelled");
    BOOST_TEST(b.at("cancelled_at").is_int64());
    auto done = ot::num(b.at("request_counts").at("completed"));
    BOOST_TEST(done >= 2);
    BOOST_TEST(done < 10);
    auto out = jsonl(content(c, b.at("output_file_id")));
    auto err = jsonl(content(c, b.at("error_file_id")));
    BOOST_TEST(static_cast<std::int64_t>(out.size()) == done);
    BOOST_TEST(out.size() + err.size() == 10u);
    std::set<std::string> all;
    for (const auto& l : out)
        all.insert(std::string(l.at("custom_id").as_string()));
    for (const auto& l : err) {
        all.insert(std::string(l.at("custom_id").as_string()));
        BOOST_TEST(l.at("response").is_null());
        BOOST_TEST(l.at("error").at("code").as_string() == "batch_cancelled");
    }
    BOOST_TEST(all.size() == 10u);
    // A finished batch cannot be cancelled.
    ot::api_error_of(c.request("POST", "/v1/batches/" + id + "/cancel"), 400);
}

BOOST_AUTO_TEST_CASE(expire_after_k) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001", "--batch-expire-after", "3"});
    ot::raw_client c(emu);
    std::string input;
    for (int i = 0; i < 8; ++i)
        input += generation_line("x" + std::to_string(i), "expire " + std::to_string(i));
    auto f = upload(c, input);
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "expired");
    BOOST_TEST(b.at("expired_at").is_int64());
    BOOST_TEST(ot::num(b.at("request_counts").at("completed")) == 3);
    BOOST_TEST(ot::num(b.at("request_counts").at("failed")) == 5);
    BOOST_TEST(jsonl(content(c, b.at("output_file_id"))).size() == 3u);
    auto err = jsonl(content(c, b.at("error_file_id")));
    BOOST_TEST_REQUIRE(err.size() == 5u);
    for (const auto& l : err)
        BOOST_TEST(l.at("error").at("code").as_string() == "batch_expired");
}

BOOST_AUTO_TEST_CASE(fail_after_k) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001", "--batch-fail-after", "2"});
    ot::raw_client c(emu);
    std::string input;
    for (int i = 0; i < 5; ++i)
        input += generation_line("f" + std::to_string(i), "fail " + std::to_string(i));
    auto f = upload(c, input);
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    BOOST_TEST(ot::num(b.at("request_counts").at("completed")) == 2);
    BOOST_TEST(ot::num(b.at("request_counts").at("failed")) == 3);
    auto err = jsonl(content(c, b.at("error_file_id")));
    BOOST_TEST_REQUIRE(err.size() == 3u);
    for (const auto& l : err)
        BOOST_TEST(ot::num(l.at("response").at("status_code")) == 500);
}

BOOST_AUTO_TEST_CASE(list_pagination) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001"});
    ot::raw_client c(emu);
    auto f = upload(c, generation_line("p", "page"));
    std::vector<std::string> created;
    for (int i = 0; i < 5; ++i)
        created.emplace_back(
            create_batch(c, std::string(f.at("id").as_string())).at("id").as_string());
    std::vector<std::string> seen;
    std::string after;
    for (int page = 0; page < 10; ++page) {
        auto r = c.request("GET", "/v1/batches?limit=2" + (after.empty() ? "" : "&after=" + after));
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        auto o = r.json().as_object();
        BOOST_TEST(o.at("object").as_string() == "list");
        auto& data = o.at("data").as_array();
        BOOST_TEST(data.size() <= 2u);
        for (const auto& b : data)
            seen.emplace_back(b.at("id").as_string());
        if (!data.empty()) {
            BOOST_TEST(o.at("first_id") == data.front().at("id"));
            BOOST_TEST(o.at("last_id") == data.back().at("id"));
        }
        if (!o.at("has_more").as_bool())
            break;
        after = std::string(o.at("last_id").as_string());
    }
    std::vector<std::string> newest_first(created.rbegin(), created.rend());
    BOOST_TEST(seen == newest_first);
    ot::api_error_of(c.request("GET", "/v1/batches?limit=0"), 400);
    BOOST_TEST(stat(c, "batches_created") == 5);
}

BOOST_AUTO_TEST_CASE(first_poll_5xx) {
    ot::emulator_process emu({"--batch-seconds-per-request", "0.001", "--batch-first-poll-5xx"});
    ot::raw_client c(emu);
    auto f = upload(c, generation_line("q", "poll"));
    std::string id(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string());
    auto first = ot::api_error_of(c.request("GET", "/v1/batches/" + id), 500);
    BOOST_TEST(first.at("type").as_string() == "server_error");
    auto second = c.request("GET", "/v1/batches/" + id);
    BOOST_TEST(second.status == 200u);
    BOOST_TEST(wait_final(c, id).at("status").as_string() == "completed");
}

BOOST_AUTO_TEST_CASE(truncated_content) {
    ot::emulator_process emu({"--truncate-file-content", "10"});
    ot::raw_client c(emu);
    std::string data = generation_line("t", "truncate me");
    auto f = upload(c, data);
    std::string path = "/v1/files/" + std::string(f.at("id").as_string()) + "/content";
    c.write(ot::raw_client::request_bytes("GET", path));
    auto raw = c.read_until_end();
    BOOST_TEST(!raw.timed_out);
    auto r = ot::parse_response(raw.bytes);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->status == 200u);
    BOOST_TEST(r->header("content-length") == std::to_string(data.size()));
    BOOST_TEST(!r->complete);
    BOOST_TEST(raw.bytes.size() - r->head_size == 10u);
    // The next download is whole.
    ot::raw_client again(emu);
    BOOST_TEST(again.request("GET", path).body == data);
}

BOOST_AUTO_TEST_CASE(per_batch_fault_items) {
    // The shared emulator has no batch options: the fault header shapes one batch only.
    ot::raw_client c(ot::shared_emulator());
    std::string input;
    for (int i = 0; i < 4; ++i)
        input += generation_line("h" + std::to_string(i), "header fault " + std::to_string(i));
    auto f = upload(c, input);
    std::string fid(f.at("id").as_string());
    std::string faulted(
        create_batch(c, fid, "/v1/images/generations",
                     {{"x-emulator-fault", "batch-expire-after=1;batch-first-poll-5xx"}})
            .at("id")
            .as_string());
    ot::api_error_of(c.request("GET", "/v1/batches/" + faulted), 500);
    auto b = wait_final(c, faulted);
    BOOST_TEST(b.at("status").as_string() == "expired");
    BOOST_TEST(ot::num(b.at("request_counts").at("completed")) == 1);
    BOOST_TEST(ot::num(b.at("request_counts").at("failed")) == 3);
    std::string plain(create_batch(c, fid).at("id").as_string());
    BOOST_TEST(c.request("GET", "/v1/batches/" + plain).status == 200u);
    BOOST_TEST(wait_final(c, plain).at("status").as_string() == "completed");
    ot::api_error_of(c.request("POST", "/v1/batches", "{}", "application/json",
                               {{"x-emulator-fault", "batch-expire-after=x"}}),
                     400);
}

BOOST_AUTO_TEST_CASE(line_faults_by_prompt) {
    ot::emulator_process emu(
        {"--batch-seconds-per-request", "0.001", "--fault", "prompt-contains=[429];status=429"});
    ot::raw_client c(emu);
    auto f = upload(c, generation_line("fine", "a calm sea") +
                           generation_line("busy", "[429] a crowded street"));
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    auto out = jsonl(content(c, b.at("output_file_id")));
    BOOST_TEST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].at("custom_id").as_string() == "fine");
    auto err = jsonl(content(c, b.at("error_file_id")));
    BOOST_TEST_REQUIRE(err.size() == 1u);
    BOOST_TEST(err[0].at("custom_id").as_string() == "busy");
    BOOST_TEST(ot::num(err[0].at("response").at("status_code")) == 429);
    BOOST_TEST(err[0].at("response").at("body").at("error").at("code").as_string() ==
               "rate_limit_exceeded");
}

BOOST_AUTO_TEST_CASE(large_output_shares_its_images) {
    // 24 requests for the same 3 MB picture: about 100 MB of output text, whose base64 is the
    // image cache's, shared by every line and written from it, never copied.
    ot::emulator_process emu(
        {"--batch-seconds-per-request", "0.001", "--payload-bytes", "3000000"});
    ot::raw_client c(emu, std::chrono::seconds(120));
    std::string input;
    for (int i = 0; i < 24; ++i)
        input += generation_line("big-" + std::to_string(i), "the same picture");
    auto f = upload(c, input);
    [[maybe_unused]] std::uint64_t rss_before = resident_bytes(emu.pid());
    auto b = wait_final(
        c, std::string(create_batch(c, std::string(f.at("id").as_string())).at("id").as_string()));
    BOOST_TEST_REQUIRE(b.at("status").as_string() == "completed");
    // Connection: close and one parse at the end (read_response parses again per read).
    c.write(ot::raw_client::request_bytes(
        "GET", "/v1/files/" + std::string(b.at("output_file_id").as_string()) + "/content", {},
        "application/json", {{"connection", "close"}}));
    auto raw = c.read_until_end(std::chrono::seconds(120));
    BOOST_TEST_REQUIRE(!raw.timed_out);
    auto parsed = ot::parse_response(raw.bytes);
    BOOST_TEST_REQUIRE(parsed.has_value());
    auto& r = *parsed;
    BOOST_TEST_REQUIRE(r.status == 200u);
    BOOST_TEST(r.complete);
    BOOST_TEST(r.body.size() > 24u * 4'000'000u);
    auto lines = jsonl(r.body);
    BOOST_TEST_REQUIRE(lines.size() == 24u);
    auto png = ot::b64_decode(
        lines[0].at("response").at("body").at("data").at(0).at("b64_json").as_string());
    BOOST_TEST(png.size() >= 3'000'000u);
    BOOST_TEST((openai::emulator::probe(png).format == openai::emulator::image_format::png));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // Sanitizers keep freed memory in quarantine: the bound holds only in plain builds. The
    // growth, not the total, so that a sanitized emulator under a plain test (its shadow memory
    // is big from the start) still passes.
    std::uint64_t rss = resident_bytes(emu.pid());
    BOOST_TEST(rss_before > 0u);
    BOOST_TEST(rss - rss_before < r.body.size() / 2,
               "the emulator grew by " << rss - rss_before << " bytes for an output of "
                                       << r.body.size());
#endif
}

BOOST_AUTO_TEST_SUITE_END()
