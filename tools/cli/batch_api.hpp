// `openai-images batch FILE --out DIR --via batch-api`: the lines go to the OpenAI Batch API
// (upload an input JSONL, create a batch, poll it, read its output and error files) instead of
// one request each. Results land in the same layout as direct mode (DIR/<id>/image-N.ext and
// DIR/results.jsonl records, plus "batch_id").
//
// DIR/batches.json records every batch this run created, written atomically (fsynced) BEFORE the
// create call is sent (state "creating", the input file and its line ids) and again once the
// batch id is known (state "created"), then when its results were collected ("collected"). So:
// - `--resume` re-attaches to the recorded batches and creates batches only for lines that
//   belong to none: never a second batch for the same lines;
// - a "creating" entry means the create call's outcome is unknown (the run died or the answer
//   was lost): --resume stops and says so instead of creating again;
// - lines of a collected (cancelled, expired) batch without a result are reported; `--resume
//   --resubmit-missing` sends only those.
#pragma once

#include "batch_input.hpp"
#include "batch_manifest.hpp"
#include "batch_report.hpp"

#include <openai/client_config.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace openai::cli::batch {

// ---- pure parts

// One batch of DIR/batches.json.
struct api_batch_entry {
    std::string state; // "creating", "created", "collected"
    std::string batch_id;
    std::string input_file_id;
    std::string status;         // the batch's last known status
    std::string output_file_id; // once the batch ended (empty: none)
    std::string error_file_id;
    std::vector<std::string> ids;
};

struct api_batches_file {
    std::vector<api_batch_entry> batches;
};

std::string encode_batches_file(const api_batches_file& f);
// Throws std::runtime_error on a file this program did not write.
api_batches_file decode_batches_file(std::string_view text);

// The Batch API's input line for `item` (custom_id = the item's id), newline included.
std::string api_input_line(const batch_item& item);

// Splits `items` into groups the API accepts: at most `max_lines` lines and `max_bytes` bytes of
// input file each.
std::vector<std::vector<batch_item>> split_for_api(const std::vector<batch_item>& items,
                                                   std::size_t max_lines = 50000,
                                                   std::size_t max_bytes = 200u << 20);

// ---- the run

struct api_run_options {
    std::filesystem::path out_dir;
    std::chrono::milliseconds poll_interval{std::chrono::seconds{10}};
    bool resume = false;
    bool resubmit_missing = false;
    bool json = false;
    // Called after each record reached the manifest (the contact sheet).
    std::function<void()> on_record;
};

// Runs the items (each ok(), none settled) through the Batch API; returns the exit status.
int run_api_batches(client_config config, const api_run_options& options,
                    const std::vector<batch_item>& items, manifest_writer& manifest,
                    reporter& report, progress_counts counts);

// `openai-images batch status DIR` / `batch cancel DIR`.
int api_batches_status(client_config config, const std::filesystem::path& dir, bool json);
int api_batches_cancel(client_config config, const std::filesystem::path& dir, bool json);

} // namespace openai::cli::batch
