// The batch lifecycle stepped by hand (a queue instead of the server's timers, a fake runner
// instead of image synthesis): every status and timestamp, request_counts as it runs, the output
// and error files, out-of-order output, cancel, expiry, failing requests, the first-poll fault,
// validation failures and list pagination.
#include "emulator/batch_store.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <set>
#include <sstream>

namespace em = openai::emulator;
namespace json = boost::json;

namespace {

struct harness {
    em::file_store files;
    em::batch_store batches;
    std::deque<std::function<void()>> queue;
    std::vector<std::string> ran; // prompts, in running order

    explicit harness(em::batch_settings s = {})
        : batches(files, s) {
        batches.set_scheduler([this](std::chrono::milliseconds, std::function<void()> work) {
            queue.push_back(std::move(work));
        });
        batches.set_runner([this](const std::string&, const json::value& body) {
            em::batch_line_result r;
            std::string prompt(body.at("prompt").as_string());
            ran.push_back(prompt);
            r.request_id = "req_" + prompt;
            r.status = prompt.starts_with("bad") ? 400 : 200;
            r.body.add(json::serialize(json::object{{"prompt", prompt}}));
            r.input_tokens = 1;
            r.output_tokens = 10;
            return r;
        });
    }

    // Runs one scheduled step; false when none is pending.
    bool step() {
        if (queue.empty())
            return false;
        auto work = std::move(queue.front());
        queue.pop_front();
        work();
        return true;
    }
    void run_all() {
        while (step()) {
        }
    }

    std::string upload(const std::vector<std::string>& prompts) {
        std::string text;
        for (std::size_t i = 0; i < prompts.size(); ++i)
            text +=
                R"({"custom_id":"c)" + std::to_string(i) +
                R"(","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1","prompt":")" +
                prompts[i] + "\"}}\n";
        em::byte_list content;
        content.add(std::move(text));
        return files.add("in.jsonl", "batch", std::move(content), 1).id;
    }

    std::string create(const std::string& file_id,
                       std::optional<em::batch_settings> settings = std::nullopt) {
        em::batch_store::create_params p;
        p.endpoint = "/v1/images/generations";
        p.input_file_id = file_id;
        p.settings = settings;
        auto r = batches.create(p);
        BOOST_TEST_REQUIRE(std::holds_alternative<json::object>(r));
        return std::string(std::get<json::object>(r).at("id").as_string());
    }

    json::object get(const std::string& id) {
        auto r = batches.retrieve(id, false);
        BOOST_TEST_REQUIRE(std::holds_alternative<json::object>(r));
        return std::get<json::object>(r);
    }

    std::vector<json::object> lines(const json::value& file_id) {
        std::vector<json::object> out;
        if (file_id.is_null())
            return out;
        auto f = files.get(std::string(file_id.as_string()));
        BOOST_TEST_REQUIRE(f.has_value());
        BOOST_TEST(f->purpose == "batch_output");
        std::istringstream in(f->content.flatten());
        std::string l;
        while (std::getline(in, l))
            out.push_back(json::parse(l).as_object());
        return out;
    }
};

std::vector<std::string> prompts(int n, const std::string& prefix = "p") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(prefix + std::to_string(i));
    return out;
}

std::int64_t counts(const json::object& b, const char* which) {
    return b.at("request_counts").at(which).to_number<std::int64_t>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_batch_store)

BOOST_AUTO_TEST_CASE(lifecycle_to_completed) {
    harness h;
    std::string id = h.create(h.upload({"one", "bad two", "three"}));
    auto b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "validating");
    BOOST_TEST(b.at("in_progress_at").is_null());
    BOOST_TEST(b.at("errors").is_null());
    BOOST_TEST(counts(b, "total") == 0);

    BOOST_TEST(h.step()); // validation
    b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "in_progress");
    BOOST_TEST(b.at("in_progress_at").is_int64());
    BOOST_TEST(counts(b, "total") == 3);
    BOOST_TEST(b.at("model").as_string() == "gpt-image-1");

    BOOST_TEST(h.step()); // the first request
    b = h.get(id);
    BOOST_TEST(counts(b, "completed") + counts(b, "failed") == 1);
    BOOST_TEST(h.step());
    BOOST_TEST(h.step());
    BOOST_TEST(h.step()); // all ran: finalizing
    b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "finalizing");
    BOOST_TEST(b.at("finalizing_at").is_int64());
    BOOST_TEST(b.at("output_file_id").is_null());
    BOOST_TEST(h.step());
    BOOST_TEST(!h.step());
    b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "completed");
    BOOST_TEST(b.at("completed_at").is_int64());
    BOOST_TEST(counts(b, "completed") == 2);
    BOOST_TEST(counts(b, "failed") == 1);
    BOOST_TEST(b.at("usage").at("total_tokens").to_number<std::int64_t>() == 33);

    auto out = h.lines(b.at("output_file_id"));
    auto err = h.lines(b.at("error_file_id"));
    BOOST_TEST(out.size() == 2u);
    BOOST_TEST_REQUIRE(err.size() == 1u);
    BOOST_TEST(err[0].at("custom_id").as_string() == "c1");
    BOOST_TEST(err[0].at("response").at("status_code").to_number<std::int64_t>() == 400);
    BOOST_TEST(err[0].at("response").at("request_id").as_string() == "req_bad two");
    for (const auto& l : out)
        BOOST_TEST(l.at("response").at("body").at("prompt").as_string() != "bad two");
}

BOOST_AUTO_TEST_CASE(output_order_is_not_input_order) {
    for (int n : {2, 3, 20}) {
        harness h;
        auto ps = prompts(n);
        std::string id = h.create(h.upload(ps));
        h.run_all();
        auto out = h.lines(h.get(id).at("output_file_id"));
        BOOST_TEST_REQUIRE(out.size() == static_cast<std::size_t>(n));
        std::vector<std::string> order;
        std::set<std::string> ids;
        for (const auto& l : out) {
            order.emplace_back(l.at("response").at("body").at("prompt").as_string());
            ids.insert(std::string(l.at("custom_id").as_string()));
        }
        BOOST_TEST(order != ps);
        BOOST_TEST(ids.size() == static_cast<std::size_t>(n));
        BOOST_TEST(h.ran == order); // the output is the running order
    }
}

BOOST_AUTO_TEST_CASE(cancel_keeps_what_ran) {
    harness h;
    std::string id = h.create(h.upload(prompts(6)));
    h.step(); // validation
    h.step();
    h.step(); // two requests ran
    auto c = h.batches.cancel(id);
    BOOST_TEST_REQUIRE(std::holds_alternative<json::object>(c));
    BOOST_TEST(std::get<json::object>(c).at("status").as_string() == "cancelling");
    BOOST_TEST(std::get<json::object>(c).at("cancelling_at").is_int64());
    h.run_all();
    auto b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "cancelled");
    BOOST_TEST(b.at("cancelled_at").is_int64());
    BOOST_TEST(counts(b, "completed") == 2);
    BOOST_TEST(counts(b, "failed") == 4);
    BOOST_TEST(h.lines(b.at("output_file_id")).size() == 2u);
    auto err = h.lines(b.at("error_file_id"));
    BOOST_TEST_REQUIRE(err.size() == 4u);
    for (const auto& l : err) {
        BOOST_TEST(l.at("response").is_null());
        BOOST_TEST(l.at("error").at("code").as_string() == "batch_cancelled");
        BOOST_TEST(l.at("id").as_string().starts_with("batch_req_"));
    }
    BOOST_TEST(h.ran.size() == 2u);
    // Finished: no second cancel.
    BOOST_TEST(std::holds_alternative<em::error_reply>(h.batches.cancel(id)));
}

BOOST_AUTO_TEST_CASE(cancel_while_validating) {
    harness h;
    std::string id = h.create(h.upload(prompts(3)));
    h.batches.cancel(id);
    h.run_all();
    auto b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "cancelled");
    BOOST_TEST(b.at("output_file_id").is_null());
    BOOST_TEST(h.ran.empty());
}

BOOST_AUTO_TEST_CASE(expire_and_fail_after) {
    em::batch_settings s;
    s.expire_after = 2;
    harness h(s);
    std::string id = h.create(h.upload(prompts(5)));
    h.run_all();
    auto b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "expired");
    BOOST_TEST(b.at("expired_at").is_int64());
    BOOST_TEST(counts(b, "completed") == 2);
    auto err = h.lines(b.at("error_file_id"));
    BOOST_TEST_REQUIRE(err.size() == 3u);
    BOOST_TEST(err[0].at("error").at("code").as_string() == "batch_expired");

    // Per batch: another batch of the same store with its own settings.
    em::batch_settings f;
    f.fail_after = 1;
    std::string failing = h.create(h.upload(prompts(3)), f);
    h.run_all();
    b = h.get(failing);
    BOOST_TEST(b.at("status").as_string() == "completed");
    BOOST_TEST(counts(b, "completed") == 1);
    BOOST_TEST(counts(b, "failed") == 2);
    for (const auto& l : h.lines(b.at("error_file_id")))
        BOOST_TEST(l.at("response").at("status_code").to_number<std::int64_t>() == 500);
}

BOOST_AUTO_TEST_CASE(first_poll_fails_once) {
    em::batch_settings s;
    s.first_poll_5xx = true;
    harness h(s);
    std::string id = h.create(h.upload(prompts(1)));
    auto first = h.batches.retrieve(id, true);
    BOOST_TEST_REQUIRE(std::holds_alternative<em::error_reply>(first));
    BOOST_TEST(std::get<em::error_reply>(first).status == 500u);
    BOOST_TEST(std::holds_alternative<json::object>(h.batches.retrieve(id, true)));
}

BOOST_AUTO_TEST_CASE(validation_failure) {
    harness h;
    em::byte_list content;
    content.add(std::string("{\"custom_id\":\"a\"}\nnope\n"));
    std::string fid = h.files.add("in.jsonl", "batch", std::move(content), 1).id;
    std::string id = h.create(fid);
    h.run_all();
    auto b = h.get(id);
    BOOST_TEST(b.at("status").as_string() == "failed");
    BOOST_TEST(b.at("failed_at").is_int64());
    BOOST_TEST(b.at("errors").at("object").as_string() == "list");
    auto& data = b.at("errors").at("data").as_array();
    BOOST_TEST(data.size() == 4u); // line 1: method, url, body; line 2: not JSON
    BOOST_TEST(data.back().at("line").to_number<std::int64_t>() == 2);
    BOOST_TEST(data.back().at("code").as_string() == "invalid_json_line");
}

BOOST_AUTO_TEST_CASE(create_checks) {
    harness h;
    std::string fid = h.upload(prompts(1));
    em::batch_store::create_params p;
    p.input_file_id = fid;
    p.endpoint = "/v1/chat/completions";
    auto bad_endpoint = h.batches.create(p);
    BOOST_TEST_REQUIRE(std::holds_alternative<em::error_reply>(bad_endpoint));
    BOOST_TEST(*std::get<em::error_reply>(bad_endpoint).param == "endpoint");
    p.endpoint = "/v1/images/edits";
    p.completion_window = "48h";
    BOOST_TEST(*std::get<em::error_reply>(h.batches.create(p)).param == "completion_window");
    p.completion_window = "24h";
    p.input_file_id = "file-missing";
    BOOST_TEST(*std::get<em::error_reply>(h.batches.create(p)).param == "input_file_id");
    em::byte_list other;
    other.add(std::string("x"));
    p.input_file_id = h.files.add("a.png", "vision", std::move(other), 1).id;
    BOOST_TEST(*std::get<em::error_reply>(h.batches.create(p)).param == "input_file_id");
    p.input_file_id = fid;
    p.output_expires_after = 60;
    BOOST_TEST(std::holds_alternative<em::error_reply>(h.batches.create(p)));
    BOOST_TEST(h.batches.created() == 0u);
    auto missing = h.batches.retrieve("batch_x", false);
    BOOST_TEST(std::get<em::error_reply>(missing).status == 404u);
}

BOOST_AUTO_TEST_CASE(list_pages_newest_first) {
    harness h;
    std::string fid = h.upload(prompts(1));
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(h.create(fid));
    auto first = h.batches.list(2, nullptr);
    BOOST_TEST_REQUIRE(first.data.size() == 2u);
    BOOST_TEST(first.has_more);
    BOOST_TEST(first.data[0].at("id").as_string() == ids[4]);
    BOOST_TEST(first.data[1].at("id").as_string() == ids[3]);
    std::string after = ids[3];
    auto second = h.batches.list(2, &after);
    BOOST_TEST(second.data[0].at("id").as_string() == ids[2]);
    after = ids[1];
    auto last = h.batches.list(2, &after);
    BOOST_TEST_REQUIRE(last.data.size() == 1u);
    BOOST_TEST(!last.has_more);
    BOOST_TEST(last.data[0].at("id").as_string() == ids[0]);
}

BOOST_AUTO_TEST_CASE(no_scheduler_no_progress) {
    em::file_store files;
    em::batch_store batches(files, {});
    em::byte_list content;
    content.add(std::string(
        R"({"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{}})"));
    em::batch_store::create_params p;
    p.endpoint = "/v1/images/generations";
    p.input_file_id = files.add("in.jsonl", "batch", std::move(content), 1).id;
    auto r = batches.create(p);
    BOOST_TEST(std::get<json::object>(r).at("status").as_string() == "validating");
}

BOOST_AUTO_TEST_SUITE_END()
