// client.files() and client.batches() against the emulator over TLS: uploads streamed from disk
// and their content streamed back, atomic content downloads (a cut body never leaves half a
// file), batches created, polled, cancelled and listed, their output read line by line through
// openai::batch_output_reader, and the billing rule of batches.create (a lost answer is not
// retried: a second batch would be billed).
#include "client_fixture.hpp"
#include "emulator/image_probe.hpp"

#include <openai/batches.hpp>
#include <openai/client.hpp>
#include <openai/files.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace asio = boost::asio;
namespace em = openai::emulator;
namespace fs = std::filesystem;
using namespace openai::test;

namespace {

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("openai-batch-api-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::size_t entries() const {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(path))
            ++n;
        return n;
    }
};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

// A JSONL file of `lines` generation requests, custom ids "req-0" ...
std::string generation_lines(int lines, const std::string& prompt = "a lighthouse") {
    std::string out;
    for (int i = 0; i < lines; ++i)
        out += R"({"custom_id":"req-)" + std::to_string(i) +
               R"(","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1",)"
               R"("prompt":")" +
               prompt + " " + std::to_string(i) + R"(","size":"1024x1024","quality":"low"}})" +
               "\n";
    return out;
}

// A big file of pseudo-random bytes (not compressible, every byte value).
std::string big_bytes(std::size_t n) {
    std::string s(n, '\0');
    std::mt19937 rng(42);
    for (auto& c : s)
        c = static_cast<char>(rng());
    return s;
}

asio::awaitable<void> sleep_ms(int ms) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
    co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<openai::batch> wait_terminal(openai::batches batches, std::string id,
                                             openai::request_options options = {}) {
    for (int i = 0; i < 3000; ++i) {
        auto b = co_await batches.retrieve(id, options);
        if (b.is_terminal())
            co_return b;
        co_await sleep_ms(10);
    }
    throw std::runtime_error("the batch never finished");
}

// Reads a whole content stream.
asio::awaitable<std::string> read_all(openai::file_content_stream& s) {
    std::string out;
    char buf[7000]; // an odd size: reads split anywhere
    for (;;) {
        const auto n = co_await s.read_some(asio::buffer(buf));
        if (n == 0)
            break;
        out.append(buf, n);
    }
    co_return out;
}

asio::awaitable<openai::batch> create_generation_batch(openai::client& client, int lines,
                                                       openai::request_options create_options = {},
                                                       const std::string& prompt = "a lighthouse") {
    auto files = client.files();
    auto input = co_await files.upload(
        openai::file_upload::from_bytes(generation_lines(lines, prompt), "input.jsonl"));
    openai::batch_create_request req;
    req.input_file_id = input.id;
    req.metadata["test"] = "batch_api_test";
    co_return co_await client.batches().create(req, std::move(create_options));
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_api)

BOOST_AUTO_TEST_CASE(upload_retrieve_content_roundtrip_of_a_big_file) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    scratch dir;
    const auto bytes = big_bytes(24u << 20); // 24 MiB, streamed both ways
    write(dir.path / "big.jsonl", bytes);
    run(ioc, [&]() -> asio::awaitable<void> {
        auto files = client.files();
        auto f = co_await files.upload(openai::file_upload::from_path(
            dir.path / "big.jsonl", openai::file_purposes::user_data));
        BOOST_TEST(f.id.starts_with("file-"));
        BOOST_TEST(f.bytes == bytes.size());
        BOOST_TEST(f.filename == "big.jsonl");
        BOOST_TEST(f.purpose == openai::file_purposes::user_data);
        BOOST_TEST(f.meta.http_status == 200);

        auto again = co_await files.retrieve(f.id);
        BOOST_TEST(again.id == f.id);
        BOOST_TEST(again.bytes == bytes.size());

        auto content = co_await files.content(f.id);
        BOOST_TEST_REQUIRE(content.valid());
        BOOST_TEST(content.size().value_or(0) == bytes.size());
        // An empty buffer reads nothing.
        BOOST_TEST(co_await content.read_some(asio::mutable_buffer()) == 0u);
        BOOST_TEST(content.bytes_received() == 0u);
        auto back = co_await read_all(content);
        BOOST_TEST(back.size() == bytes.size());
        BOOST_TEST((back == bytes));
        BOOST_TEST(content.bytes_received() == bytes.size());
        // After the end: 0 again.
        char b[16];
        BOOST_TEST(co_await content.read_some(asio::buffer(b)) == 0u);

        auto written = co_await files.download_content(f.id, dir.path / "copy.bin");
        BOOST_TEST(written.size == bytes.size());
        BOOST_TEST((read(dir.path / "copy.bin") == bytes));

        auto gone = co_await files.remove(f.id);
        BOOST_TEST(gone.deleted);
        BOOST_TEST(gone.id == f.id);
        openai::error_info info;
        auto [ec, none] = co_await files.retrieve(f.id, info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec == openai::errc::not_found);
        BOOST_TEST(info.http_status == 404);
        BOOST_TEST_REQUIRE(info.api.has_value());
        BOOST_TEST(info.api->message.value_or("") == "No such File object: " + f.id);
        BOOST_TEST(info.message.find("No such File object") != std::string::npos, info.message);
        check_no_secret(info);
    }());
    // Nothing left beside the file and its copy (no temporaries).
    BOOST_TEST(dir.entries() == 2u);
}

BOOST_AUTO_TEST_CASE(unknown_ids_are_404_with_the_apis_message) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    scratch dir;
    run(ioc, [&]() -> asio::awaitable<void> {
        openai::error_info info;
        auto [ec, b] =
            co_await client.batches().retrieve("batch_nope", info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec == openai::errc::not_found);
        BOOST_TEST(info.outcome == openai::request_outcome::refused);
        BOOST_TEST_REQUIRE(info.api.has_value());
        BOOST_TEST(info.api->message.value_or("") == "No such Batch object: batch_nope");
        BOOST_TEST(info.attempts == 1u);

        auto [ec2, s] =
            co_await client.files().content("file-nope", info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec2 == openai::errc::not_found);
        BOOST_TEST(!s.valid());

        auto [ec3, d] = co_await client.files().download_content(
            "file-nope", dir.path / "x.bin", info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec3 == openai::errc::not_found);
        BOOST_TEST(!fs::exists(dir.path / "x.bin"));

        auto [ec4, c] =
            co_await client.batches().cancel("batch_nope", info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec4 == openai::errc::not_found);

        bool thrown = false;
        try {
            co_await client.files().remove("file-nope");
        } catch (const openai::request_error& e) {
            thrown = true;
            BOOST_TEST(e.code() == openai::errc::not_found);
            BOOST_TEST(e.http_status() == 404);
        }
        BOOST_TEST(thrown);
    }());
    BOOST_TEST(dir.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(batch_runs_and_its_output_reads_line_by_line) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        auto created = co_await create_generation_batch(client, 20);
        BOOST_TEST(created.id.starts_with("batch_"));
        BOOST_TEST(created.endpoint == "/v1/images/generations");
        BOOST_TEST(created.completion_window == "24h");
        BOOST_TEST(created.metadata.at("test") == "batch_api_test");
        BOOST_TEST(!created.is_terminal());
        auto done = co_await wait_terminal(client.batches(), created.id);
        BOOST_TEST(done.status == openai::batch_statuses::completed);
        BOOST_TEST_REQUIRE(done.request_counts.has_value());
        BOOST_TEST(done.request_counts->total == 20);
        BOOST_TEST(done.request_counts->completed == 20);
        BOOST_TEST(done.request_counts->failed == 0);
        BOOST_TEST(done.completed_at.has_value());
        BOOST_TEST(done.in_progress_at.has_value());
        BOOST_TEST(done.finalizing_at.has_value());
        BOOST_TEST_REQUIRE(done.output_file_id.has_value());

        std::map<std::string, int> seen;
        std::vector<std::string> order;
        openai::batch_output_reader reader;
        const auto lines = co_await openai::read_file_results(
            client.files(), *done.output_file_id, reader, [&](openai::batch_result&& r) {
                BOOST_TEST(r.ok(), r.error.message);
                if (!r.ok())
                    return;
                ++seen[r.custom_id];
                order.push_back(r.custom_id);
                BOOST_TEST_REQUIRE(r.response->data.size() == 1u);
                const auto info = em::probe(r.response->data[0].bytes.value_or(""));
                BOOST_TEST(info.format == em::image_format::png);
                BOOST_TEST(info.width == 1024u);
                BOOST_TEST(info.height == 1024u);
            });
        BOOST_TEST(lines == 20u);
        BOOST_TEST(seen.size() == 20u);
        for (int i = 0; i < 20; ++i)
            BOOST_TEST(seen["req-" + std::to_string(i)] == 1);
        // The API answers in its own order, not the input's.
        std::vector<std::string> input_order;
        for (int i = 0; i < 20; ++i)
            input_order.push_back("req-" + std::to_string(i));
        BOOST_TEST((order != input_order));
    }());
}

BOOST_AUTO_TEST_CASE(cancel_keeps_partial_results) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        auto created = co_await create_generation_batch(client, 200);
        // Cancel once some requests ran (a batch cancelled while validating has no lines).
        for (int i = 0; i < 1000; ++i) {
            auto b = co_await client.batches().retrieve(created.id);
            if (b.request_counts && b.request_counts->completed >= 3)
                break;
            co_await sleep_ms(5);
        }
        auto cancelling = co_await client.batches().cancel(created.id);
        BOOST_TEST(cancelling.id == created.id);
        BOOST_TEST((cancelling.status == openai::batch_statuses::cancelling ||
                    cancelling.status == openai::batch_statuses::cancelled),
                   cancelling.status.str());
        auto done = co_await wait_terminal(client.batches(), created.id);
        BOOST_TEST(done.status == openai::batch_statuses::cancelled);
        BOOST_TEST(done.cancelled_at.has_value());
        BOOST_TEST(done.cancelling_at.has_value());
        BOOST_TEST_REQUIRE(done.error_file_id.has_value());
        std::size_t cancelled_lines = 0, ok_lines = 0;
        openai::batch_output_reader reader;
        co_await openai::read_file_results(
            client.files(), *done.error_file_id, reader, [&](openai::batch_result&& r) {
                BOOST_TEST((r.kind == openai::batch_result_kind::batch_error));
                if (r.error.api && r.error.api->code == "batch_cancelled")
                    ++cancelled_lines;
            });
        if (done.output_file_id) {
            openai::batch_output_reader out;
            co_await openai::read_file_results(client.files(), *done.output_file_id, out,
                                               [&](openai::batch_result&& r) {
                                                   BOOST_TEST(r.ok());
                                                   ++ok_lines;
                                               });
        }
        BOOST_TEST(cancelled_lines > 0u);
        BOOST_TEST(cancelled_lines + ok_lines == 200u);
        BOOST_TEST(done.request_counts->completed == static_cast<std::int64_t>(ok_lines));
    }());
}

BOOST_AUTO_TEST_CASE(list_pages_through_every_batch) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        std::set<std::string> mine;
        for (int i = 0; i < 5; ++i)
            mine.insert((co_await create_generation_batch(client, 1)).id);
        std::set<std::string> listed;
        std::optional<std::string> after;
        int pages = 0;
        for (;;) {
            openai::batch_list_request req;
            req.limit = 2;
            req.after = after;
            auto page = co_await client.batches().list(req);
            ++pages;
            BOOST_TEST(page.data.size() <= 2u);
            for (const auto& b : page.data) {
                BOOST_TEST(listed.insert(b.id).second, "listed twice: " << b.id);
            }
            if (!page.has_more)
                break;
            BOOST_TEST_REQUIRE(page.last_id.has_value());
            BOOST_TEST(*page.last_id == page.data.back().id);
            after = page.last_id;
        }
        BOOST_TEST(pages >= 3);
        for (const auto& id : mine)
            BOOST_TEST(listed.count(id) == 1u, id);
        // The newest first: the first page starts with the last one created.
        auto first = co_await client.batches().list();
        BOOST_TEST_REQUIRE(!first.data.empty());
        BOOST_TEST(mine.count(first.data.front().id) == 1u);
    }());
}

BOOST_AUTO_TEST_CASE(a_5xx_on_the_first_poll_is_retried) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("first-poll");
    run(ioc, [&]() -> asio::awaitable<void> {
        auto created =
            co_await create_generation_batch(client, 2, tagged(key, "batch-first-poll-5xx"));
        auto polled = co_await client.batches().retrieve(created.id, tagged(key));
        BOOST_TEST(polled.id == created.id);
        BOOST_TEST(polled.meta.attempts == 2u);
        auto done = co_await wait_terminal(client.batches(), created.id);
        BOOST_TEST(done.status == openai::batch_statuses::completed);
    }());
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 3u); // create, the failed poll, its retry
    BOOST_TEST(log[1].at("status").as_int64() == 500);
    BOOST_TEST(log[2].at("status").as_int64() == 200);
}

BOOST_AUTO_TEST_CASE(a_truncated_content_download_is_reported_never_half_a_file) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    scratch dir;
    const auto bytes = big_bytes(3u << 20);
    const auto key = unique_key("truncated");
    run(ioc, [&]() -> asio::awaitable<void> {
        auto files = client.files();
        auto f = co_await files.upload(openai::file_upload::from_bytes(bytes, "data.jsonl"));
        const auto target = dir.path / "content.jsonl";

        // Without retries: the cut is reported and nothing is at the target.
        auto once = tagged(key, "truncate-body");
        once.max_retries = 0;
        openai::error_info info;
        auto [ec, r] = co_await files.download_content(f.id, target, once, info,
                                                       asio::as_tuple(asio::deferred));
        BOOST_TEST((ec == openai::errc::truncated_body || ec == openai::errc::connection_closed),
                   info.message);
        BOOST_TEST(!fs::exists(target));
        BOOST_TEST(dir.entries() == 0u);

        // With retries, a cut that happens once is recovered from whole.
        auto retried = tagged(key + "-r", "truncate-body;times=1");
        auto whole = co_await files.download_content(f.id, target, retried);
        BOOST_TEST(whole.size == bytes.size());
        BOOST_TEST(whole.meta.attempts == 2u);
        BOOST_TEST((read(target) == bytes));

        // A content stream cut mid-way: the bytes so far, then the error (never a clean end).
        auto stream = co_await files.content(f.id, tagged(key + "-s", "reset-after-bytes=1000000"));
        std::string got;
        char buf[65536];
        openai::error_info sinfo;
        for (;;) {
            auto [sec, n] =
                co_await stream.read_some(asio::buffer(buf), sinfo, asio::as_tuple(asio::deferred));
            if (sec) {
                BOOST_TEST(
                    (sec == openai::errc::truncated_body || sec == openai::errc::connection_closed),
                    sinfo.message);
                break;
            }
            BOOST_TEST_REQUIRE(n > 0u, "a clean end after a cut body");
            got.append(buf, n);
        }
        BOOST_TEST(got.size() < bytes.size());
        BOOST_TEST((got == bytes.substr(0, got.size())));
        // Closed after the failure.
        auto [cec, cn] =
            co_await stream.read_some(asio::buffer(buf), sinfo, asio::as_tuple(asio::deferred));
        BOOST_TEST(cec == openai::errc::stream_closed);
        BOOST_TEST(cn == 0u);
    }());
    BOOST_TEST(dir.entries() == 1u);
}

BOOST_AUTO_TEST_CASE(a_truncated_output_keeps_whole_lines_only) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("truncated-output");
    run(ioc, [&]() -> asio::awaitable<void> {
        auto created = co_await create_generation_batch(client, 4);
        auto done = co_await wait_terminal(client.batches(), created.id);
        BOOST_TEST_REQUIRE(done.output_file_id.has_value());
        const auto output = co_await client.files().retrieve(*done.output_file_id);
        const auto cut = "reset-after-bytes=" + std::to_string(output.bytes / 2);
        openai::batch_output_reader reader;
        std::size_t results = 0;
        bool failed = false;
        try {
            co_await openai::read_file_results(
                client.files(), *done.output_file_id, reader,
                [&](openai::batch_result&& r) {
                    BOOST_TEST(r.ok(), r.error.message);
                    ++results;
                },
                tagged(key, cut));
        } catch (const openai::request_error& e) {
            failed = true;
            BOOST_TEST((e.code() == openai::errc::truncated_body ||
                        e.code() == openai::errc::connection_closed),
                       e.what());
        }
        BOOST_TEST(failed);
        BOOST_TEST(results < 4u);
    }());
}

BOOST_AUTO_TEST_CASE(create_is_not_retried_after_a_reset_after_send) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto key = unique_key("create-reset");
    const auto before = emulator_stats(emulator()).at("batches_created").as_int64();
    run(ioc, [&]() -> asio::awaitable<void> {
        auto input = co_await client.files().upload(
            openai::file_upload::from_bytes(generation_lines(2), "input.jsonl"));
        openai::batch_create_request req;
        req.input_file_id = input.id;
        openai::error_info info;
        auto [ec, b] = co_await client.batches().create(req, tagged(key, "reset-after-bytes=0"),
                                                        info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec, "the reset must fail the call");
        BOOST_TEST(info.outcome == openai::request_outcome::unknown);
        BOOST_TEST(info.attempts == 1u);
        BOOST_TEST(info.message.find("not sent again") != std::string::npos, info.message);
        BOOST_TEST(info.message.find("batches.create") != std::string::npos, info.message);

        // A poll with the same fault is retried (it creates nothing).
        auto ok = co_await client.batches().list(
            {}, tagged(key + "-poll", "reset-after-bytes=0;times=1"));
        BOOST_TEST(ok.meta.attempts == 2u);

        // Opting in sends it again.
        auto opted = tagged(key + "-opt", "reset-after-bytes=0;times=1");
        opted.retry_unknown_outcome = true;
        auto created = co_await client.batches().create(req, opted);
        BOOST_TEST(created.meta.attempts == 2u);
    }());
    // One request for the faulted create: it was processed (its answer was reset), so exactly
    // one batch exists for it. The opt-in made two batches for one call: what the default avoids.
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST(log.size() == 1u);
    BOOST_TEST(logged_requests(emulator(), key + "-opt").size() == 2u);
    const auto after = emulator_stats(emulator()).at("batches_created").as_int64();
    BOOST_TEST(after - before == 3);
}

BOOST_AUTO_TEST_CASE(an_upload_from_disk_is_replayed_on_a_retry) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    scratch dir;
    const auto bytes = big_bytes(2u << 20);
    write(dir.path / "replay.jsonl", bytes);
    const auto key = unique_key("upload-503");
    run(ioc, [&]() -> asio::awaitable<void> {
        auto f = co_await client.files().upload(
            openai::file_upload::from_path(dir.path / "replay.jsonl"),
            tagged(key, "status=503;times=1"));
        BOOST_TEST(f.meta.attempts == 2u);
        BOOST_TEST(f.bytes == bytes.size());
        BOOST_TEST(f.purpose == openai::file_purposes::batch);
        auto content = co_await client.files().content(f.id);
        BOOST_TEST((co_await read_all(content) == bytes));
    }());
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 2u);
    // Both attempts carried the whole multipart body: purpose, then the file.
    for (const auto& r : log) {
        const auto& parts = r.at("body").at("parts").as_array();
        BOOST_TEST_REQUIRE(parts.size() == 2u);
        BOOST_TEST(parts[0].at("name").as_string() == "purpose");
        BOOST_TEST(parts[1].at("name").as_string() == "file");
        BOOST_TEST(parts[1].at("size").as_int64() == static_cast<std::int64_t>(bytes.size()));
    }
}

BOOST_AUTO_TEST_CASE(a_pending_read_is_cancelled_per_operation) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    const auto bytes = big_bytes(1u << 20);
    run(ioc, [&]() -> asio::awaitable<void> {
        auto f = co_await client.files().upload(openai::file_upload::from_bytes(bytes, "c.jsonl"));
        // The server sends slowly: the read waits, and a cancellation ends it.
        auto content = co_await client.files().content(
            f.id, tagged(unique_key("drip"), "drip-bytes-per-s=10"));
        asio::cancellation_signal signal;
        char buf[65536];
        openai::error_info info;
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        t.async_wait(
            [&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
        std::size_t total = 0;
        boost::system::error_code ec;
        for (;;) {
            auto [e, n] = co_await content.read_some(
                asio::buffer(buf), info,
                asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
            if (e) {
                ec = e;
                break;
            }
            total += n;
            BOOST_TEST_REQUIRE(total < bytes.size());
        }
        BOOST_TEST(ec == asio::error::operation_aborted, info.message);
        auto [again, n] =
            co_await content.read_some(asio::buffer(buf), info, asio::as_tuple(asio::deferred));
        BOOST_TEST(again == openai::errc::stream_closed);
        // The client stays usable.
        auto same = co_await client.files().retrieve(f.id);
        BOOST_TEST(same.id == f.id);
    }());
}

BOOST_AUTO_TEST_CASE(upload_of_a_missing_file_is_refused_before_sending) {
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(emulator()));
    run(ioc, [&]() -> asio::awaitable<void> {
        openai::error_info info;
        auto [ec, f] =
            co_await client.files().upload(openai::file_upload::from_path("/nonexistent/in.jsonl"),
                                           info, asio::as_tuple(asio::deferred));
        BOOST_TEST(ec == openai::errc::file_unreadable);
        BOOST_TEST(info.outcome == openai::request_outcome::not_sent);
        BOOST_TEST(info.message.find("in.jsonl") != std::string::npos, info.message);
    }());
}

BOOST_AUTO_TEST_SUITE_END()
