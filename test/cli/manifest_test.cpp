// The batch manifest: records carry what the issue asks (status, files, usage, request id or the
// error), a manifest is read back with its last record per id winning and a torn tail dropped,
// resume settles exactly the lines it should, and files are written atomically.
#include "batch_manifest.hpp"

#include <openai/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace b = openai::cli::batch;
namespace fs = std::filesystem;

namespace {

b::batch_item item(std::string id, std::size_t line, std::string text = "{\"prompt\":\"x\"}") {
    b::batch_item it;
    it.id = std::move(id);
    it.line = line;
    it.fingerprint = b::fingerprint(text);
    it.request = openai::generate_request{};
    it.request->prompt = "x";
    return it;
}

std::string line_of(const boost::json::object& record) {
    return b::encode_record(record);
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "batch-test-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

openai::error_info http_error(int status, openai::errc code) {
    openai::error_info info;
    info.code = code;
    info.http_status = status;
    info.message = "HTTP " + std::to_string(status);
    info.request_id = "req_1";
    info.attempts = 3;
    return info;
}

} // namespace

BOOST_AUTO_TEST_SUITE(manifest_records)

BOOST_AUTO_TEST_CASE(an_ok_record) {
    openai::images_response r;
    r.created = 1700000000;
    r.data.resize(2);
    r.usage = openai::image_usage{};
    r.usage->total_tokens = 300;
    r.meta.request_id = "req_abc";
    r.meta.attempts = 2;
    auto rec = b::ok_record(item("fox", 3), r, {"fox/image-1.png", "fox/image-2.png"}, {10, 20});
    auto parsed = boost::json::parse(line_of(rec)).as_object();
    BOOST_TEST(parsed.at("id").as_string() == "fox");
    BOOST_TEST(parsed.at("line").to_number<int>() == 3);
    BOOST_TEST(parsed.at("status").as_string() == "ok");
    BOOST_TEST(parsed.at("files").as_array().size() == 2u);
    BOOST_TEST(parsed.at("files").as_array()[1].as_string() == "fox/image-2.png");
    BOOST_TEST(parsed.at("usage").at("total_tokens").to_number<int>() == 300);
    BOOST_TEST(parsed.at("request_id").as_string() == "req_abc");
    BOOST_TEST(parsed.at("attempts").to_number<int>() == 2);
    BOOST_TEST(parsed.at("started_ms").to_number<int>() == 10);
    BOOST_TEST(parsed.at("finished_ms").to_number<int>() == 20);
    BOOST_TEST(!parsed.contains("type"));
    BOOST_TEST(parsed.at("input_hash").as_string().size() == 16u);
}

BOOST_AUTO_TEST_CASE(an_error_record) {
    auto info = http_error(429, openai::errc::rate_limited);
    info.retry_after = std::chrono::milliseconds(1500);
    auto rec = b::error_record(item("7", 7), info, {1, 2});
    const std::string text = line_of(rec);
    BOOST_TEST(text.back() == '\n');
    BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 1);
    auto parsed = boost::json::parse(text).as_object();
    BOOST_TEST(parsed.at("status").as_string() == "error");
    BOOST_TEST(parsed.at("retryable").as_bool());
    BOOST_TEST(parsed.at("request_id").as_string() == "req_1");
    BOOST_TEST(parsed.at("attempts").to_number<int>() == 3);
    const auto& e = parsed.at("error").as_object();
    BOOST_TEST(e.at("status").to_number<int>() == 429);
    BOOST_TEST(e.at("message").as_string() == "HTTP 429");
    BOOST_TEST(e.at("retry_after_ms").to_number<int>() == 1500);
    BOOST_TEST(e.at("outcome").as_string() == "not_sent");
}

BOOST_AUTO_TEST_CASE(invalid_and_cancelled_records) {
    b::batch_item bad;
    bad.id = "4";
    bad.line = 4;
    bad.error_code = "invalid_json";
    bad.message = "line 4: invalid JSON: syntax error";
    auto rec = boost::json::parse(line_of(b::invalid_record(bad))).as_object();
    BOOST_TEST(rec.at("status").as_string() == "error");
    BOOST_TEST(!rec.at("retryable").as_bool());
    BOOST_TEST(rec.at("error").at("error_code").as_string() == "invalid_json");
    BOOST_TEST(rec.at("error").at("param").is_null());
    BOOST_TEST(rec.at("error").at("outcome").as_string() == "not_sent");
    auto c =
        boost::json::parse(
            line_of(b::cancelled_record(item("x", 1), openai::request_outcome::unknown, {5, 6})))
            .as_object();
    BOOST_TEST(c.at("status").as_string() == "cancelled");
    BOOST_TEST(c.at("retryable").as_bool());
    BOOST_TEST(c.at("outcome").as_string() == "unknown");
    auto s = boost::json::parse(line_of(b::started_record(item("y", 2), {7, 0}))).as_object();
    BOOST_TEST(s.at("status").as_string() == "started");
    BOOST_TEST(s.at("started_ms").to_number<int>() == 7);
    BOOST_TEST(s.at("input_hash").as_string().size() == 16u);
}

BOOST_AUTO_TEST_CASE(what_would_fail_again) {
    BOOST_TEST(!b::retryable(http_error(400, openai::errc::bad_request)));
    BOOST_TEST(!b::retryable(http_error(401, openai::errc::authentication_error)));
    BOOST_TEST(!b::retryable(http_error(403, openai::errc::permission_denied)));
    BOOST_TEST(!b::retryable(http_error(422, openai::errc::unprocessable_entity)));
    BOOST_TEST(!b::retryable(http_error(0, openai::errc::invalid_request)));
    BOOST_TEST(b::retryable(http_error(429, openai::errc::rate_limited)));
    BOOST_TEST(b::retryable(http_error(409, openai::errc::conflict)));
    BOOST_TEST(b::retryable(http_error(500, openai::errc::server_error)));
    BOOST_TEST(b::retryable(http_error(0, openai::errc::connect_failed)));
    BOOST_TEST(b::retryable(http_error(0, openai::errc::request_timeout)));
    openai::error_info aborted;
    aborted.code = boost::asio::error::operation_aborted;
    BOOST_TEST(b::retryable(aborted));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(manifest_reading)

BOOST_AUTO_TEST_CASE(last_record_wins_and_torn_tail_is_dropped) {
    auto a = item("a", 1);
    auto bb = item("b", 2);
    std::string text = line_of(b::error_record(a, http_error(500, openai::errc::server_error), {}));
    text += line_of(b::ok_record(a, {}, {"a/image-1.png"}, {}));
    text += line_of(b::cancelled_record(bb, openai::request_outcome::not_sent, {}));
    const std::size_t whole = text.size();
    text += "{\"id\":\"b\",\"status\":\"o"; // died mid-write
    auto scan = b::scan_manifest(text);
    BOOST_TEST(scan.valid_length == whole);
    BOOST_TEST(scan.records == 3u);
    BOOST_TEST(scan.unreadable_lines == 0u);
    BOOST_TEST(scan.ids.at("a").status == "ok");
    BOOST_TEST(scan.ids.at("a").records == 2u);
    BOOST_TEST(scan.ids.at("b").status == "cancelled");
    BOOST_TEST((b::on_resume(scan, a, false) == b::resume_action::done));
    // Cancelled before it was sent: try again.
    BOOST_TEST((b::on_resume(scan, bb, false) == b::resume_action::run));
    BOOST_TEST((b::on_resume(scan, item("c", 3), false) == b::resume_action::run));
}

BOOST_AUTO_TEST_CASE(garbage_lines_are_counted_not_fatal) {
    std::string text =
        "not json\n{\"no\":\"id\"}\n\n" + line_of(b::ok_record(item("z", 1), {}, {}, {}));
    auto scan = b::scan_manifest(text);
    BOOST_TEST(scan.unreadable_lines == 2u);
    BOOST_TEST(scan.records == 1u);
    BOOST_TEST(scan.valid_length == text.size());
    BOOST_TEST(b::scan_manifest("").valid_length == 0u);
}

BOOST_AUTO_TEST_CASE(permanent_errors_settle_until_the_line_is_edited) {
    b::batch_item bad;
    bad.id = "4";
    bad.line = 4;
    bad.fingerprint = b::fingerprint("{\"prompt\": oops");
    bad.error_code = "invalid_json";
    auto refused = item("5", 5, "{\"prompt\":\"x\",\"size\":\"7x7\"}");
    auto overloaded = item("6", 6);
    std::string text = line_of(b::invalid_record(bad));
    text += line_of(b::error_record(refused, http_error(400, openai::errc::bad_request), {}));
    text += line_of(b::error_record(overloaded, http_error(503, openai::errc::server_error), {}));
    auto scan = b::scan_manifest(text);
    BOOST_TEST((b::on_resume(scan, bad, false) == b::resume_action::failed_for_good));
    BOOST_TEST((b::on_resume(scan, refused, false) == b::resume_action::failed_for_good));
    // A 503 may pass next time (refused: nothing was made, so nothing was billed).
    BOOST_TEST((b::on_resume(scan, overloaded, false) == b::resume_action::run));
    // The same ids with edited lines are tried again.
    auto fixed = item("4", 4, "{\"prompt\":\"fixed\"}");
    BOOST_TEST((b::on_resume(scan, fixed, false) == b::resume_action::run));
    auto refixed = item("5", 5, "{\"prompt\":\"x\",\"size\":\"1024x1024\"}");
    BOOST_TEST((b::on_resume(scan, refixed, false) == b::resume_action::run));
}

// The lines whose request may have been billed without a result: an unknown outcome (an error
// or a cancellation after the request left), or a "started" record with nothing after it (the
// run died). Held back unless --retry-unknown; sent when the line was edited (a new request).
BOOST_AUTO_TEST_CASE(lines_that_may_have_been_billed_are_held_back) {
    auto lost = item("lost", 1);
    auto cut = item("cut", 2);
    auto died = item("died", 3);
    auto not_sent = item("not-sent", 4);
    auto finished = item("finished", 5);
    auto timeout = http_error(0, openai::errc::first_byte_timeout);
    timeout.outcome = openai::request_outcome::unknown;
    auto refused_connect = http_error(0, openai::errc::connect_failed);
    refused_connect.outcome = openai::request_outcome::not_sent;
    std::string text = line_of(b::started_record(lost, {}));
    text += line_of(b::error_record(lost, timeout, {}));
    text += line_of(b::started_record(cut, {}));
    text += line_of(b::cancelled_record(cut, openai::request_outcome::unknown, {}));
    text += line_of(b::started_record(died, {}));
    text += line_of(b::started_record(not_sent, {}));
    text += line_of(b::error_record(not_sent, refused_connect, {}));
    text += line_of(b::started_record(finished, {}));
    text += line_of(b::ok_record(finished, {}, {}, {}));
    const auto scan = b::scan_manifest(text);
    BOOST_TEST(scan.ids.at("died").status == "started");
    BOOST_TEST(scan.ids.at("died").may_have_been_billed);
    for (const auto* held : {&lost, &cut, &died}) {
        BOOST_TEST((b::on_resume(scan, *held, false) == b::resume_action::held_unknown), held->id);
        BOOST_TEST((b::on_resume(scan, *held, true) == b::resume_action::run), held->id);
    }
    BOOST_TEST((b::on_resume(scan, not_sent, false) == b::resume_action::run));
    BOOST_TEST((b::on_resume(scan, finished, false) == b::resume_action::done));
    BOOST_TEST((b::on_resume(scan, finished, true) == b::resume_action::done));
    // Edited: a different request, which nothing has been paid for yet.
    BOOST_TEST((b::on_resume(scan, item("died", 3, "{\"prompt\":\"other\"}"), false) ==
                b::resume_action::run));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(manifest_files)

BOOST_AUTO_TEST_CASE(appends_whole_lines_and_cuts_a_torn_tail) {
    temp_dir dir;
    const auto path = dir.path / "results.jsonl";
    {
        b::manifest_writer w(path);
        w.append(b::ok_record(item("a", 1), {}, {}, {}));
        w.append(b::ok_record(item("b", 2), {}, {}, {}));
    }
    std::string text = slurp(path);
    BOOST_TEST(b::scan_manifest(text).records == 2u);
    const auto whole = text.size();
    {
        std::ofstream torn(path, std::ios::app | std::ios::binary);
        torn << "{\"id\":\"c\",\"sta";
    }
    auto scan = b::scan_manifest(slurp(path));
    BOOST_TEST(scan.valid_length == whole);
    {
        b::manifest_writer w(path, scan.valid_length);
        w.append(b::ok_record(item("c", 3), {}, {}, {}));
    }
    auto after = b::scan_manifest(slurp(path));
    BOOST_TEST(after.records == 3u);
    BOOST_TEST(after.unreadable_lines == 0u);
    BOOST_TEST(after.valid_length == slurp(path).size());
}

BOOST_AUTO_TEST_CASE(unwritable_paths_are_named) {
    try {
        b::manifest_writer w("/nonexistent-dir/results.jsonl");
        BOOST_FAIL("opened a file in a missing directory");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/results.jsonl") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(atomic_files_replace_and_leave_no_temporaries) {
    temp_dir dir;
    const auto sub = dir.path / "fox";
    b::write_file_atomically(sub, "image-1.png", "first");
    b::write_file_atomically(sub, "image-1.png", "second");
    BOOST_TEST(slurp(sub / "image-1.png") == "second");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(sub))
        ++entries;
    BOOST_TEST(entries == 1u);
}

BOOST_AUTO_TEST_CASE(unrecorded_files_are_removed_and_others_kept) {
    temp_dir dir;
    b::write_file_atomically(dir.path, "image-1.png", "a");
    b::write_file_atomically(dir.path, "image-2.webp", "b");
    b::write_file_atomically(dir.path, ".image-3.png.0123.tmp", "c");
    b::write_file_atomically(dir.path, "notes.txt", "keep");
    b::remove_unrecorded_files(dir.path);
    BOOST_TEST(!fs::exists(dir.path / "image-1.png"));
    BOOST_TEST(!fs::exists(dir.path / "image-2.webp"));
    BOOST_TEST(!fs::exists(dir.path / ".image-3.png.0123.tmp"));
    BOOST_TEST(fs::exists(dir.path / "notes.txt"));
    b::remove_unrecorded_files(dir.path / "missing"); // nothing to do, no throw
    BOOST_TEST(b::image_file_name(3, "webp") == "image-3.webp");
}

BOOST_AUTO_TEST_SUITE_END()
