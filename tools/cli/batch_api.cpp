// The Batch API mode of `openai-images batch`: see batch_api.hpp.
#include "batch_api.hpp"

#include "output.hpp"

#include <openai/batches.hpp>
#include <openai/client.hpp>
#include <openai/files.hpp>
#include <openai/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace openai::cli::batch {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

// ---- pure parts

std::string encode_batches_file(const api_batches_file& f) {
    json::array list;
    for (const auto& e : f.batches) {
        json::array ids;
        for (const auto& id : e.ids)
            ids.emplace_back(id);
        list.push_back(json::object{{"state", e.state},
                                    {"batch_id", e.batch_id},
                                    {"input_file_id", e.input_file_id},
                                    {"status", e.status},
                                    {"output_file_id", e.output_file_id},
                                    {"error_file_id", e.error_file_id},
                                    {"ids", std::move(ids)}});
    }
    return json::serialize(json::object{{"batches", std::move(list)}}) + "\n";
}

api_batches_file decode_batches_file(std::string_view text) {
    api_batches_file out;
    try {
        const auto root = json::parse(text);
        for (const auto& v : root.at("batches").as_array()) {
            const auto& o = v.as_object();
            api_batch_entry e;
            e.state = json::value_to<std::string>(o.at("state"));
            e.batch_id = json::value_to<std::string>(o.at("batch_id"));
            e.input_file_id = json::value_to<std::string>(o.at("input_file_id"));
            e.status = json::value_to<std::string>(o.at("status"));
            if (const auto* f = o.if_contains("output_file_id"))
                e.output_file_id = json::value_to<std::string>(*f);
            if (const auto* f = o.if_contains("error_file_id"))
                e.error_file_id = json::value_to<std::string>(*f);
            for (const auto& id : o.at("ids").as_array())
                e.ids.push_back(json::value_to<std::string>(id));
            out.batches.push_back(std::move(e));
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("batches.json is not what this program writes: ") +
                                 e.what());
    }
    return out;
}

std::string api_input_line(const batch_item& item) {
    json::object line{{"custom_id", item.id},
                      {"method", "POST"},
                      {"url", "/v1/images/generations"},
                      {"body", to_json(*item.request)}};
    return json::serialize(line) + "\n";
}

std::vector<std::vector<batch_item>> split_for_api(const std::vector<batch_item>& items,
                                                   std::size_t max_lines, std::size_t max_bytes) {
    std::vector<std::vector<batch_item>> out;
    std::size_t bytes = 0;
    for (const auto& item : items) {
        const auto size = api_input_line(item).size();
        if (out.empty() || out.back().size() >= max_lines || bytes + size > max_bytes) {
            out.emplace_back();
            bytes = 0;
        }
        out.back().push_back(item);
        bytes += size;
    }
    return out;
}

namespace {

template <class T>
T wait(asio::io_context& ioc, asio::awaitable<T> aw) {
    auto f = asio::co_spawn(ioc, std::move(aw), asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
}

std::optional<std::string> read_text(const fs::path& p) {
    std::error_code ec;
    if (!fs::exists(p, ec))
        return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

api_batches_file load(const fs::path& dir) {
    auto text = read_text(dir / "batches.json");
    return text ? decode_batches_file(*text) : api_batches_file{};
}

void save(const fs::path& dir, const api_batches_file& f) {
    write_file_atomically(dir, "batches.json", encode_batches_file(f));
}

// Prints a progress line (text on stderr, or a JSON line on stdout).
void progress(const api_run_options& options, const openai::batch& b) {
    const auto c = b.request_counts.value_or(openai::batch_request_counts{});
    if (options.json) {
        std::cout << json::serialize(json::object{{"type", "batch_progress"},
                                                  {"batch_id", b.id},
                                                  {"status", b.status.str()},
                                                  {"total", c.total},
                                                  {"completed", c.completed},
                                                  {"failed", c.failed}})
                  << std::endl;
    } else {
        std::cerr << "batch " << b.id << ": " << b.status.str() << ", " << c.completed << "/"
                  << c.total << " done, " << c.failed << " failed" << std::endl;
    }
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

struct collector {
    const api_run_options& options;
    manifest_writer& manifest;
    reporter& report;
    progress_counts& counts;
    std::map<std::string, const batch_item*> by_id;
    std::set<std::string> answered;  // a line of the output or error file
    std::set<std::string> succeeded; // with images

    void on_result(const std::string& batch_id, batch_result&& r) {
        auto it = by_id.find(r.custom_id);
        if (it == by_id.end())
            return; // a line settled by an earlier run (a resumed collection), or not ours
        const auto& item = *it->second;
        if (!answered.insert(item.id).second)
            return; // an output line and an error line for the same request: the first counts
        const timing t{unix_ms(std::chrono::system_clock::now()),
                       unix_ms(std::chrono::system_clock::now())};
        const auto dir = options.out_dir / item.id;
        remove_unrecorded_files(dir);
        json::object record;
        if (r.ok()) {
            std::vector<std::string> files;
            std::size_t k = 0;
            for (const auto& img : r.response->data) {
                if (!img.bytes)
                    continue;
                const auto name = image_file_name(++k, image_extension(*img.bytes).value_or("bin"));
                write_file_atomically(dir, name, *img.bytes);
                files.push_back(item.id + "/" + name);
            }
            record = ok_record(item, *r.response, files, t);
            succeeded.insert(item.id);
            ++counts.ok;
        } else {
            record = error_record(item, r.error, t);
            ++counts.failed;
        }
        record["batch_id"] = batch_id;
        manifest.append(record);
        if (options.on_record)
            options.on_record();
        report.record(record, counts, std::nullopt);
    }
};

asio::awaitable<void> collect(openai::client& client, const openai::batch& b, collector& c) {
    for (const auto& file : {b.output_file_id, b.error_file_id}) {
        if (!file)
            continue;
        for (int attempt = 0;; ++attempt) {
            openai::batch_output_reader reader;
            try {
                co_await openai::read_file_results(
                    client.files(), *file, reader,
                    [&](batch_result&& r) { c.on_result(b.id, std::move(r)); });
                break;
            } catch (const openai::request_error& e) {
                // A cut download: the whole lines so far are recorded; read again for the rest
                // (lines already recorded are skipped).
                if (attempt >= 3)
                    throw;
                c.report.notice("batch " + b.id + ": reading file " + *file + " failed (" +
                                e.what() + "); reading it again");
            }
        }
    }
}

} // namespace

int run_api_batches(client_config config, const api_run_options& options,
                    const std::vector<batch_item>& items, manifest_writer& manifest,
                    reporter& report, progress_counts counts) {
    const auto started = std::chrono::steady_clock::now();
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config);
    auto state = load(options.out_dir);
    if (!state.batches.empty() && !options.resume)
        throw std::runtime_error("'" + (options.out_dir / "batches.json").string() +
                                 "' exists: add --resume to re-attach to its batches");
    for (const auto& e : state.batches)
        if (e.state == "creating") {
            report.notice("a batch was being created for " + std::to_string(e.ids.size()) +
                          " line(s) from input file " + e.input_file_id +
                          " and the outcome of that call is unknown: it may exist and be billed. "
                          "Not creating another one. Check `openai-images batch status` or the "
                          "API's batch list, then remove that entry from batches.json to resend.");
            return 1;
        }

    collector c{options, manifest, report, counts, {}, {}, {}};
    for (const auto& item : items)
        c.by_id.emplace(item.id, &item);

    // Lines that belong to a recorded batch stay with it, unless it was collected and
    // --resubmit-missing asks to send its lines without a result again.
    std::set<std::string> bound;
    for (const auto& e : state.batches)
        if (e.state != "collected" || !options.resubmit_missing)
            bound.insert(e.ids.begin(), e.ids.end());
    std::vector<batch_item> fresh;
    std::size_t missing = 0;
    for (const auto& item : items) {
        if (!bound.count(item.id))
            fresh.push_back(item);
    }
    for (const auto& e : state.batches)
        if (e.state == "collected" && !options.resubmit_missing)
            for (const auto& id : e.ids)
                if (c.by_id.count(id))
                    ++missing;
    if (missing > 0)
        report.notice(std::to_string(missing) +
                      " line(s) of finished batches have no result; --resume --resubmit-missing "
                      "sends only those");

    int status = 0;
    try {
        wait(ioc, [&]() -> asio::awaitable<void> {
            // New batches: input file, record, create, record.
            std::size_t k = 0;
            for (const auto& group : split_for_api(fresh)) {
                const auto input_name = "batch-input-" + std::to_string(state.batches.size()) +
                                        "-" + std::to_string(k++) + ".jsonl";
                std::string text;
                for (const auto& item : group)
                    text += api_input_line(item);
                write_file_atomically(options.out_dir, input_name, text);
                auto uploaded = co_await client.files().upload(
                    openai::file_upload::from_path(options.out_dir / input_name));
                api_batch_entry entry;
                entry.state = "creating";
                entry.input_file_id = uploaded.id;
                for (const auto& item : group)
                    entry.ids.push_back(item.id);
                state.batches.push_back(entry);
                save(options.out_dir, state); // before the create call is sent
                openai::batch_create_request req;
                req.input_file_id = uploaded.id;
                req.metadata["openai_images_input"] = input_name;
                openai::error_info info;
                auto [ec, created] = co_await client.batches().create(
                    req, info, asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    if (info.outcome == openai::request_outcome::unknown) {
                        report.notice("creating the batch for " + input_name +
                                      " had an unknown outcome (" + info.message +
                                      "); it may exist. Not creating it again.");
                        status = 1;
                        co_return;
                    }
                    state.batches.pop_back();
                    save(options.out_dir, state);
                    throw openai::request_error(info);
                }
                state.batches.back().state = "created";
                state.batches.back().batch_id = created.id;
                state.batches.back().status = created.status.str();
                save(options.out_dir, state);
                report.notice("created batch " + created.id + " for " +
                              std::to_string(group.size()) + " line(s)");
            }
            // Poll every batch not collected yet until it ends, then collect it.
            for (;;) {
                bool pending = false;
                for (auto& e : state.batches) {
                    if (e.state != "created")
                        continue;
                    auto b = co_await client.batches().retrieve(e.batch_id);
                    progress(options, b);
                    e.status = b.status.str();
                    if (!b.is_terminal()) {
                        pending = true;
                        continue;
                    }
                    if (b.errors && !b.errors->empty()) {
                        for (const auto& err : *b.errors)
                            report.notice("batch " + b.id + " refused: line " +
                                          std::to_string(err.line.value_or(0)) + ": " +
                                          err.code.value_or("") + ": " + err.message.value_or(""));
                        status = 1;
                    }
                    e.output_file_id = b.output_file_id.value_or("");
                    e.error_file_id = b.error_file_id.value_or("");
                    save(options.out_dir, state); // the file ids, before reading them
                    co_await collect(client, b, c);
                    std::size_t without = 0;
                    for (const auto& id : e.ids)
                        if (!c.succeeded.count(id) && c.by_id.count(id))
                            ++without;
                    if (without > 0) {
                        report.notice("batch " + b.id + " ended " + b.status.str() + " with " +
                                      std::to_string(without) +
                                      " line(s) without a result (no image); --resume "
                                      "--resubmit-missing "
                                      "sends only those");
                        status = 1;
                    }
                    e.state = "collected";
                    save(options.out_dir, state);
                }
                if (!pending)
                    break;
                co_await sleep_for(options.poll_interval);
            }
        }());
    } catch (const openai::request_error& e) {
        report.notice(e.what());
        return 1;
    }
    report.summary(c.counts, std::chrono::steady_clock::now() - started, false, 0,
                   (options.out_dir / "results.jsonl").string());
    if (status != 0)
        return status;
    return c.counts.ok + c.counts.skipped == c.counts.total ? 0 : 1;
}

namespace {

int each_batch(client_config config, const fs::path& dir, bool json_out, bool cancel) {
    const auto state = load(dir);
    if (state.batches.empty())
        throw std::runtime_error("'" + (dir / "batches.json").string() +
                                 "' lists no batch: not the --out DIR of a --via batch-api run");
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config);
    int status = 0;
    wait(ioc, [&]() -> asio::awaitable<void> {
        for (const auto& e : state.batches) {
            if (e.batch_id.empty()) {
                std::cout << "(unknown batch: its create call's outcome is unknown; "
                          << e.ids.size() << " line(s), input file " << e.input_file_id << ")\n";
                continue;
            }
            openai::error_info info;
            // (No co_await inside ?: : g++ 12 miscompiles it.)
            std::tuple<boost::system::error_code, openai::batch> answer;
            if (cancel)
                answer = co_await client.batches().cancel(e.batch_id, info,
                                                          asio::as_tuple(asio::use_awaitable));
            else
                answer = co_await client.batches().retrieve(e.batch_id, info,
                                                            asio::as_tuple(asio::use_awaitable));
            auto& [ec, b] = answer;
            if (ec) {
                std::cerr << e.batch_id << ": " << info.message << "\n";
                status = 1;
                continue;
            }
            const auto c = b.request_counts.value_or(openai::batch_request_counts{});
            if (json_out)
                std::cout << json::serialize(json::object{{"batch_id", b.id},
                                                          {"status", b.status.str()},
                                                          {"total", c.total},
                                                          {"completed", c.completed},
                                                          {"failed", c.failed},
                                                          {"lines", e.ids.size()}})
                          << "\n";
            else
                std::cout << b.id << "  " << b.status.str() << "  " << c.completed << "/" << c.total
                          << " done, " << c.failed << " failed  (" << e.ids.size() << " line(s))\n";
        }
    }());
    return status;
}

} // namespace

int api_batches_status(client_config config, const fs::path& dir, bool json_out) {
    return each_batch(std::move(config), dir, json_out, false);
}

int api_batches_cancel(client_config config, const fs::path& dir, bool json_out) {
    return each_batch(std::move(config), dir, json_out, true);
}

} // namespace openai::cli::batch
