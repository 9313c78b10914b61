// The asynchronous engine of `openai-images batch`: starts the requests of a batch under its
// concurrency limit, rate limits and the shared pause gate, writes each result (images first,
// then its manifest record), and handles SIGINT/SIGTERM: stop starting work, give the requests
// in flight a grace period, then cancel them (per-operation cancellation of the library call).
#pragma once

#include "batch_input.hpp"
#include "batch_manifest.hpp"
#include "batch_progress.hpp"
#include "batch_report.hpp"

#include <openai/client_config.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <functional>
#include <vector>

namespace openai::cli::batch {

struct runner_options {
    std::filesystem::path out_dir;
    unsigned concurrency = 4;
    double requests_per_minute = 0; // 0: no limit
    double images_per_minute = 0;   // 0: no limit
    std::chrono::milliseconds grace{std::chrono::seconds{30}};
    // Called (on a file thread) after each record reached the manifest: the contact sheet.
    std::function<void()> on_record;
};

struct run_outcome {
    progress_counts counts;
    bool interrupted = false;    // a signal stopped the run
    std::size_t not_started = 0; // items never started because of it
    unsigned pauses = 0;         // times the pause gate closed (429s, exhausted limits)
    std::exception_ptr fatal;    // writing results failed: the run stopped
};

// Runs `items` (each ok()) on an io_context of its own, on this thread, and returns when every
// started request has finished or been cancelled. `counts` comes in with what is already known
// (total, earlier runs, invalid lines) and goes out updated.
run_outcome run_items(client_config config, const runner_options& options,
                      const std::vector<batch_item>& items, manifest_writer& manifest,
                      reporter& report, progress_counts counts);

} // namespace openai::cli::batch
