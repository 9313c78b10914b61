// openai-images batch --via batch-api against the emulator process: a 1,000-line batch end to
// end (every image once, out-of-order output matched by custom_id); a run killed with SIGKILL
// while polling and resumed re-attaches to its batch (the emulator created ONE); an expiring
// batch keeps its finished lines and --resume --resubmit-missing sends only the rest; an output
// download cut mid-line is read again, never leaving half an image; the sans-I/O pieces.
#include "batch_api.hpp"
#include "cli_process.hpp"
#include "integration/raw_client.hpp"
#include "support/emulator_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;
namespace cb = openai::cli::batch;
using openai::test::cli_process;
using openai::test::emulator_process;
using namespace std::chrono_literals;

namespace {

struct workspace {
    fs::path path;
    workspace() {
        std::string tmpl = (fs::temp_directory_path() / "batch-api-e2e-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~workspace() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string small_line(const std::string& id, const std::string& prompt) {
    return json::serialize(json::object{{"id", id},
                                        {"prompt", prompt},
                                        {"model", "dall-e-2"},
                                        {"size", "256x256"},
                                        {"response_format", "b64_json"}});
}

void write_input(const fs::path& p, std::size_t lines) {
    std::ofstream out(p, std::ios::binary);
    for (std::size_t i = 0; i < lines; ++i)
        out << small_line("k" + std::to_string(i), "a kite " + std::to_string(i)) << '\n';
}

std::vector<json::object> records(const fs::path& dir) {
    std::vector<json::object> out;
    std::ifstream in(dir / "results.jsonl", std::ios::binary);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(json::parse(line).as_object());
    return out;
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool is_png(const fs::path& p) {
    auto bytes = cli_process::slurp(p);
    return bytes.size() > 8 && bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0;
}

std::int64_t stat(const emulator_process& emu, std::string_view key) {
    openai::test::raw_client raw(emu);
    auto r = raw.request("GET", "/v1/_emulator/stats");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().at(key).to_number<std::int64_t>();
}

std::vector<std::string> batch_args(const emulator_process& emu, const fs::path& input,
                                    const fs::path& out, std::vector<std::string> more = {}) {
    std::vector<std::string> a{
        "batch",     input.string(),        "--out", out.string(), "--via",
        "batch-api", "--poll-seconds",      "0.02",  "--base-url", emu.base_url() + "/v1",
        "--ca-file", emu.ca_file().string()};
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

int run(const std::vector<std::string>& args, const workspace& ws, const std::string& tag,
        std::string* err = nullptr) {
    cli_process p(args, ws.path, tag, {"OPENAI_API_KEY=sk-e2e"});
    const int status = p.wait(std::chrono::seconds{300});
    BOOST_TEST_MESSAGE(tag << " exited " << status << "; stderr: " << p.err().substr(0, 3000));
    if (err)
        *err = p.err();
    return status;
}

// Every line k0..k{n-1} has exactly one ok record (the last record of its id) with a PNG.
void check_complete(const fs::path& out, std::size_t n) {
    std::map<std::string, json::object> last;
    for (auto& r : records(out))
        last[str(r, "id")] = r;
    BOOST_TEST(last.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = "k" + std::to_string(i);
        const auto it = last.find(id);
        BOOST_TEST_REQUIRE((it != last.end()), id);
        BOOST_TEST(str(it->second, "status") == "ok", id);
        BOOST_TEST(str(it->second, "batch_id").starts_with("batch_"), id);
        BOOST_TEST(is_png(out / id / "image-1.png"), id);
        BOOST_TEST(!fs::exists(out / id / "image-2.png"), id);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_api_unit)

BOOST_AUTO_TEST_CASE(batches_file_round_trips) {
    cb::api_batches_file f;
    f.batches.push_back(
        {"collected", "batch_1", "file-1", "completed", "file-out", "file-err", {"a", "b"}});
    f.batches.push_back({"creating", "", "file-2", "", "", "", {"c"}});
    const auto back = cb::decode_batches_file(cb::encode_batches_file(f));
    BOOST_TEST_REQUIRE(back.batches.size() == 2u);
    BOOST_TEST(back.batches[0].batch_id == "batch_1");
    BOOST_TEST(back.batches[0].ids.size() == 2u);
    BOOST_TEST(back.batches[0].output_file_id == "file-out");
    BOOST_TEST(back.batches[0].error_file_id == "file-err");
    BOOST_TEST(back.batches[1].state == "creating");
    BOOST_CHECK_THROW(cb::decode_batches_file("{\"x\":1}"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(input_lines_and_splits) {
    std::vector<cb::batch_item> items;
    for (int i = 0; i < 10; ++i) {
        cb::batch_item item;
        item.id = "i" + std::to_string(i);
        item.request = openai::generate_request{};
        item.request->prompt = "p";
        items.push_back(item);
    }
    const auto line = cb::api_input_line(items[0]);
    const auto o = json::parse(line).as_object();
    BOOST_TEST(str(o, "custom_id") == "i0");
    BOOST_TEST(str(o, "method") == "POST");
    BOOST_TEST(str(o, "url") == "/v1/images/generations");
    BOOST_TEST(o.at("body").at("prompt").as_string() == "p");
    BOOST_TEST(line.back() == '\n');
    BOOST_TEST(cb::split_for_api(items, 4).size() == 3u);
    BOOST_TEST(cb::split_for_api(items, 100, line.size() * 5).size() == 2u);
    BOOST_TEST(cb::split_for_api(items).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(batch_api_e2e, *boost::unit_test::label("e2e"))

BOOST_AUTO_TEST_CASE(a_thousand_lines_end_to_end) {
    emulator_process emu({"--batch-seconds-per-request", "0.001"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 1000);
    const auto out = ws.path / "out";
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out), ws, "thousand") == 0);
    check_complete(out, 1000);
    // The output came in the API's order, not the input's; every record names its batch.
    std::vector<std::string> order;
    for (const auto& r : records(out))
        order.push_back(str(r, "id"));
    BOOST_TEST(order.size() == 1000u);
    BOOST_TEST(order.front() != "k0");
    BOOST_TEST(stat(emu, "batches_created") == 1);
    const auto state = cb::decode_batches_file(cli_process::slurp(out / "batches.json"));
    BOOST_TEST_REQUIRE(state.batches.size() == 1u);
    BOOST_TEST(state.batches[0].state == "collected");
    BOOST_TEST(state.batches[0].status == "completed");
}

BOOST_AUTO_TEST_CASE(killed_while_polling_then_resumed_creates_one_batch) {
    emulator_process emu({"--batch-seconds-per-request", "0.02"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 100);
    const auto out = ws.path / "out";
    {
        cli_process first(batch_args(emu, ws.path / "in.jsonl", out), ws.path, "first",
                          {"OPENAI_API_KEY=sk-e2e"});
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        for (;;) {
            const auto text = fs::exists(out / "batches.json")
                                  ? cli_process::slurp(out / "batches.json")
                                  : std::string();
            if (text.find("\"created\"") != std::string::npos)
                break;
            BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline));
            std::this_thread::sleep_for(5ms);
        }
        std::this_thread::sleep_for(100ms); // polling
        first.signal(SIGKILL);
        BOOST_TEST(first.wait() == 128 + SIGKILL);
    }
    BOOST_TEST(records(out).size() < 100u);
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume"}), ws, "resumed") == 0);
    check_complete(out, 100);
    BOOST_TEST(stat(emu, "batches_created") == 1);
}

BOOST_AUTO_TEST_CASE(expired_batches_keep_results_and_resubmit_only_the_rest) {
    // Every batch expires after 6 of its requests: each run finishes 6 lines.
    emulator_process emu({"--batch-seconds-per-request", "0.001", "--batch-expire-after", "6"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 15);
    const auto out = ws.path / "out";
    std::string err;
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out), ws, "expiring", &err) == 1);
    BOOST_TEST(err.find("9 line(s) without a result") != std::string::npos, err);
    std::size_t ok = 0;
    for (const auto& r : records(out))
        ok += str(r, "status") == "ok";
    BOOST_TEST(ok == 6u);
    // --resume alone creates nothing: the lines belong to the expired batch.
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume"}), ws, "resume-only",
                   &err) == 1);
    BOOST_TEST(stat(emu, "batches_created") == 1);
    BOOST_TEST(err.find("--resubmit-missing") != std::string::npos, err);
    // Each resubmission sends only the lines without a result: 9, then 3.
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume", "--resubmit-missing"}),
                   ws, "resubmit-1") == 1);
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume", "--resubmit-missing"}),
                   ws, "resubmit-2") == 0);
    BOOST_TEST(stat(emu, "batches_created") == 3);
    const auto state = cb::decode_batches_file(cli_process::slurp(out / "batches.json"));
    BOOST_TEST_REQUIRE(state.batches.size() == 3u);
    BOOST_TEST(state.batches[0].ids.size() == 15u);
    BOOST_TEST(state.batches[1].ids.size() == 9u);
    BOOST_TEST(state.batches[2].ids.size() == 3u);
    check_complete(out, 15);
}

BOOST_AUTO_TEST_CASE(an_output_download_cut_mid_line_is_read_again) {
    emulator_process emu(
        {"--batch-seconds-per-request", "0.001", "--truncate-file-content", "150000"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 30);
    const auto out = ws.path / "out";
    std::string err;
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out), ws, "cut", &err) == 0);
    BOOST_TEST(err.find("reading it again") != std::string::npos, err);
    check_complete(out, 30);
    // One record per line: the lines read before the cut were not written twice.
    BOOST_TEST(records(out).size() == 30u);
    for (std::size_t i = 0; i < 30; ++i)
        for (const auto& e : fs::directory_iterator(out / ("k" + std::to_string(i))))
            BOOST_TEST(e.path().filename() == "image-1.png");
}

BOOST_AUTO_TEST_CASE(an_unknown_create_outcome_stops_a_resume) {
    emulator_process emu({"--batch-seconds-per-request", "0.001"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 3);
    const auto out = ws.path / "out";
    fs::create_directories(out);
    // What a run leaves when it died after recording the batch and before its create answered.
    cb::api_batches_file f;
    f.batches.push_back({"creating", "", "file-lost", "", "", "", {"k0", "k1", "k2"}});
    cb::write_file_atomically(out, "batches.json", cb::encode_batches_file(f));
    std::string err;
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume"}), ws, "unknown", &err) ==
               1);
    BOOST_TEST(err.find("outcome of that call is unknown") != std::string::npos, err);
    BOOST_TEST(stat(emu, "batches_created") == 0);
    BOOST_TEST(stat(emu, "files_created") == 0);
    // Without --resume an existing batches.json is not overwritten either.
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out), ws, "no-resume", &err) != 0);
    BOOST_TEST(stat(emu, "batches_created") == 0);
}

BOOST_AUTO_TEST_CASE(failed_lines_are_recorded_with_their_batch_and_resubmitted) {
    // The requests of each batch after its first 4 answer 500 (in its error file).
    emulator_process emu({"--batch-seconds-per-request", "0.001", "--batch-fail-after", "4"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 7);
    const auto out = ws.path / "out";
    std::string err;
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--json"}), ws, "failing", &err) ==
               1);
    std::size_t ok = 0, failed = 0;
    std::string batch_id;
    for (const auto& r : records(out)) {
        batch_id = str(r, "batch_id");
        BOOST_TEST(batch_id.starts_with("batch_"));
        if (str(r, "status") == "ok") {
            ++ok;
        } else {
            ++failed;
            BOOST_TEST(str(r, "status") == "error");
            BOOST_TEST(r.at("error").at("status").to_number<int>() == 500, json::serialize(r));
            BOOST_TEST(r.at("retryable").as_bool());
        }
    }
    BOOST_TEST(ok == 4u);
    BOOST_TEST(failed == 3u);
    const auto state = cb::decode_batches_file(cli_process::slurp(out / "batches.json"));
    BOOST_TEST_REQUIRE(state.batches.size() == 1u);
    BOOST_TEST(state.batches[0].error_file_id.starts_with("file-"));
    BOOST_TEST(state.batches[0].output_file_id.starts_with("file-"));
    BOOST_TEST(run(batch_args(emu, ws.path / "in.jsonl", out, {"--resume", "--resubmit-missing"}),
                   ws, "resubmitted") == 0);
    const auto after = cb::decode_batches_file(cli_process::slurp(out / "batches.json"));
    BOOST_TEST_REQUIRE(after.batches.size() == 2u);
    BOOST_TEST(after.batches[1].ids.size() == 3u);
    check_complete(out, 7);
}

BOOST_AUTO_TEST_CASE(usage_errors) {
    emulator_process emu({"--batch-seconds-per-request", "0.001"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 1);
    const auto out = ws.path / "out";
    auto with = [&](std::vector<std::string> more) {
        auto a = batch_args(emu, ws.path / "in.jsonl", out, std::move(more));
        return a;
    };
    std::string err;
    auto bogus = with({});
    bogus[5] = "carrier-pigeon"; // the value of --via
    BOOST_TEST(run(bogus, ws, "bogus-via", &err) == 2);
    BOOST_TEST(err.find("--via must be direct or batch-api") != std::string::npos, err);
    BOOST_TEST(run(with({"--resubmit-missing"}), ws, "resubmit-alone", &err) == 2);
    BOOST_TEST(run(with({"--shard", "0/2"}), ws, "shard", &err) == 2);
    BOOST_TEST(err.find("--shard") != std::string::npos, err);
    BOOST_TEST(stat(emu, "files_created") == 0);
}

BOOST_AUTO_TEST_CASE(status_and_cancel) {
    emulator_process emu({"--batch-seconds-per-request", "0.05"});
    workspace ws;
    write_input(ws.path / "in.jsonl", 200);
    const auto out = ws.path / "out";
    cli_process first(batch_args(emu, ws.path / "in.jsonl", out), ws.path, "long",
                      {"OPENAI_API_KEY=sk-e2e"});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!fs::exists(out / "batches.json") ||
           cli_process::slurp(out / "batches.json").find("\"created\"") == std::string::npos) {
        BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline));
        std::this_thread::sleep_for(5ms);
    }
    const std::vector<std::string> conn{"--base-url", emu.base_url() + "/v1", "--ca-file",
                                        emu.ca_file().string()};
    auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), conn.begin(), conn.end());
        return a;
    };
    {
        cli_process status(with({"batch", "status", out.string(), "--json"}), ws.path, "status",
                           {"OPENAI_API_KEY=sk-e2e"});
        BOOST_TEST(status.wait() == 0);
        BOOST_TEST(status.out().find("\"batch_id\":\"batch_") != std::string::npos, status.out());
    }
    {
        cli_process cancel(with({"batch", "cancel", out.string()}), ws.path, "cancel",
                           {"OPENAI_API_KEY=sk-e2e"});
        BOOST_TEST(cancel.wait() == 0);
        BOOST_TEST((cancel.out().find("cancelling") != std::string::npos ||
                    cancel.out().find("cancelled") != std::string::npos),
                   cancel.out());
    }
    // The running batch command sees the cancel and keeps the partial results.
    BOOST_TEST(first.wait(std::chrono::seconds{60}) == 1);
    BOOST_TEST(first.err().find("without a result") != std::string::npos, first.err());
}

BOOST_AUTO_TEST_SUITE_END()
