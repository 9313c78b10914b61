// The progress of a batch run, for people (a status line redrawn on a terminal, plain lines in a
// log) and for programs (--json). Pure: counters and times in, text and JSON out.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

namespace openai::cli::batch {

struct progress_counts {
    std::size_t total = 0;     // lines in this shard
    std::size_t skipped = 0;   // settled by an earlier run (--resume)
    std::size_t ok = 0;        // succeeded in this run
    std::size_t failed = 0;    // recorded as errors in this run (invalid lines included)
    std::size_t cancelled = 0; // stopped by SIGINT
    std::size_t in_flight = 0;

    std::size_t finished() const noexcept { return skipped + ok + failed + cancelled; }
    std::size_t remaining() const noexcept {
        const auto f = finished();
        return total > f ? total - f : 0;
    }
};

// Completions per second over the last `window` (or since the first one, when more recent).
class rate_meter {
public:
    using clock = std::chrono::steady_clock;
    explicit rate_meter(clock::duration window = std::chrono::seconds{60})
        : window_(window) {}

    void record(clock::time_point t);
    // nullopt until two completions give a span to measure.
    std::optional<double> per_second(clock::time_point now) const;

private:
    void trim(clock::time_point now) const;
    clock::duration window_;
    mutable std::deque<clock::time_point> times_;
};

// Seconds left at `per_second`, or nullopt when the rate is unknown or zero.
std::optional<std::chrono::seconds> eta(std::size_t remaining, std::optional<double> per_second);

// "0:42", "12:05", "3:02:07".
std::string format_duration(std::chrono::seconds d);

// "120/200 done (3 failed), 8 in flight, 9.8/s, ETA 0:08": the status line.
std::string format_status(const progress_counts& c, std::optional<double> per_second);

// The same facts as JSON: {"total","done","ok","failed","cancelled","skipped","in_flight",
// "rate_per_s","eta_s"} (rate and eta null while unknown).
boost::json::object status_json(const progress_counts& c, std::optional<double> per_second);

} // namespace openai::cli::batch
