// What `openai-images loadtest` measures: one record per request (the harness's own steady_clock
// readings around the public calls, plus the library's request-written time when it has one),
// the outcome class of a failure, and the summary: one latency histogram per phase, counts,
// throughput. Pure: records in, numbers out.
//
// Definitions (those of wrk2 / HdrHistogram for latency, of vLLM benchmark_serving and NVIDIA
// genai-perf for time to first token, here time to first partial image):
// - intended start: when the schedule meant the request to start (open loop); in closed loop the
//   moment a worker became free, which is also its actual start;
// - latency of a phase: from the intended start to the phase, so queueing behind a slow server
//   (and behind --max-in-flight) is counted, not omitted ("coordinated omission" corrected);
// - service time of a phase: from the send (the library's request_written time when it records
//   one, else the call) to the phase;
// - phases: head (response head), first_partial (first partial image), partial_gap (between
//   consecutive partial images), complete (the completed image or unary result), queue (intended
//   to actual start: the harness's own delay).
#pragma once

#include <openai/latency_histogram.hpp>
#include <openai/response_metadata.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai {
struct error_info;
}

namespace openai::cli::loadtest {

using clock = std::chrono::steady_clock;

struct request_record {
    std::size_t index = 0; // 0-based, in order of intended start
    bool warmup = false;
    bool waited = false; // its arrival found --max-in-flight requests in flight
    clock::time_point intended{};
    clock::time_point actual{};        // the call was made
    clock::time_point service_start{}; // request written (library) or the call
    bool service_start_from_library = false;
    std::optional<clock::time_point> head;
    std::vector<clock::time_point> partials; // each partial image event
    std::optional<clock::time_point> completed;
    clock::time_point finished{}; // the call or stream ended (either way)
    bool done = false;            // finished (false: still in flight when the run was stopped)
    std::uint64_t bytes = 0;      // body bytes (streams) or decoded image bytes (unary)
    unsigned attempts = 0;
    unsigned images = 0;
    std::string outcome; // see classify()
    int http_status = 0;
    std::string request_id;
    std::string error; // the library's message for a failure
};

// The outcome class of a failed call: "http_429", "http_500" ... (an error status),
// "timeout", "connection_error", "stream_error_event", "truncated_stream", "invalid_response",
// "refused_before_sending" (validation, unreadable input), "cancelled", "error" (anything else).
// Successful calls are "ok".
std::string classify(const error_info& info);

// The phases in report order, and which of them are measured from the intended start.
struct phase_info {
    std::string_view name;  // "complete", "service_complete", ...
    std::string_view label; // "complete", "complete (service)" for tables
    bool streaming_only;
};
const std::vector<phase_info>& phases();
bool known_phase(std::string_view name);

class summary {
public:
    explicit summary(unsigned precision_bits = latency_histogram::default_precision_bits);

    // Adds a finished request (warm-up requests only count in warmup()).
    void add(const request_record& r);
    // The last rate-limit headers seen, from the response that finished last.
    void saw_rate_limits(const rate_limits& limits, clock::time_point when);

    const latency_histogram& histogram(std::string_view phase) const;
    const std::map<std::string, latency_histogram, std::less<>>& histograms() const {
        return histograms_;
    }

    std::size_t sent() const noexcept { return sent_; }
    std::size_t ok() const noexcept { return ok_; }
    std::size_t failed() const noexcept { return sent_ - ok_; }
    std::size_t warmup() const noexcept { return warmup_; }
    std::size_t waited() const noexcept { return waited_; }
    std::uint64_t images() const noexcept { return images_; }
    std::uint64_t bytes() const noexcept { return bytes_; }
    const std::map<std::string, std::size_t>& outcomes() const noexcept { return outcomes_; }
    double error_ratio() const noexcept {
        return sent_ ? static_cast<double>(failed()) / static_cast<double>(sent_) : 0.0;
    }
    const std::optional<rate_limits>& last_rate_limits() const noexcept { return limits_; }

    // The measured window: from the first measured intended start to the last finish.
    void set_window(clock::duration d) noexcept { window_ = d; }
    double window_seconds() const noexcept;
    double images_per_minute() const noexcept;
    double throughput_per_second() const noexcept; // successful requests per second

private:
    std::map<std::string, latency_histogram, std::less<>> histograms_;
    latency_histogram none_;
    std::size_t sent_ = 0, ok_ = 0, warmup_ = 0, waited_ = 0;
    std::uint64_t images_ = 0, bytes_ = 0;
    std::map<std::string, std::size_t> outcomes_;
    std::optional<rate_limits> limits_;
    clock::time_point limits_at_{};
    clock::duration window_{};
};

} // namespace openai::cli::loadtest
