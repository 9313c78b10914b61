// The engine of `openai-images loadtest`: starts requests in closed loop (N workers, each
// starting its next request when the last one ended) or open loop (at the intended start times
// of a rate schedule, whatever the server does, under a hard cap on requests in flight), makes
// them through the library's public API, and records each one's phase times with the harness's
// own steady_clock readings around the calls (the library's request-written time when it has
// one). One io_context on this thread; a status line on a terminal; SIGINT stops starting work
// (a second one abandons the requests in flight).
#pragma once

#include "loadtest_schedule.hpp"
#include "loadtest_stats.hpp"

#include <openai/client_config.hpp>
#include <openai/requests.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

namespace openai::cli::loadtest {

// What to send: generation or edit requests (cycled in order), unary or streamed.
struct workload {
    bool edit = false;
    bool stream = false;
    std::vector<generate_request> generations;
    std::vector<edit_request> edits;

    std::size_t size() const noexcept { return edit ? edits.size() : generations.size(); }
};

struct run_options {
    enum class loop { closed, open };
    loop mode = loop::closed;
    unsigned concurrency = 1; // closed loop
    rate_schedule schedule;   // open loop
    arrival_model arrival = arrival_model::constant;
    std::uint64_t seed = 1;              // poisson arrivals
    std::optional<nanoseconds> duration; // measured time (after the warm-up)
    std::optional<std::size_t> requests; // measured requests
    nanoseconds warmup{0};               // before the measured time, excluded
    std::size_t max_in_flight = 1024;    // open loop
    bool status_line = false;            // redraw a status line on stderr
    std::optional<std::filesystem::path> save_images;
};

struct run_result {
    std::vector<request_record> records; // every request started, in order
    clock::time_point origin{};          // the run's start (warm-up included)
    clock::time_point measure_start{};   // origin + warm-up
    summary stats;
    bool interrupted = false;
};

// Runs the load. The client is made from `config` (its pool sized for the load).
run_result run_load(client_config config, const workload& work, const run_options& options);

} // namespace openai::cli::loadtest
