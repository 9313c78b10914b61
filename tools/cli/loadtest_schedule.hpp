// When `openai-images loadtest` starts requests in open loop: the rate schedule (`--rate 10`,
// `--rate 1:60s,2:60s,4:60s`, ramps `--rate 1..8:2m`), the arrival model (constant spacing or a
// Poisson process) and the intended start times they give. Pure: no clocks, offsets from the
// start of the run in, so the exact counts are unit-tested.
//
// Arrivals follow the cumulative rate Λ(t) (time rescaling): the k-th constant arrival is at
// Λ(t) = k (k = 0, 1, ...), Poisson arrivals at Λ(t) = E1 + E2 + ... with Ei ~ Exp(1). A run of
// T seconds at a constant rate R therefore has exactly ceil(R * T) intended starts (R * T when
// that is whole), whatever the floating point of the individual times.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::loadtest {

using nanoseconds = std::chrono::nanoseconds;

// "250ms", "30s", "1.5s", "2m", "1h", "1m30s"; a plain number is seconds. nullopt otherwise (and
// for negative values).
std::optional<nanoseconds> parse_duration(std::string_view text);

// "1.5 s", "250 ms", "2 min": for messages and tables.
std::string format_duration(nanoseconds d);

// One step of a schedule: `from` requests per second rising (or falling) linearly to `to` over
// `length`; `from == to` for a constant step. Only the last step may have no length (it lasts
// until --duration or --requests ends the run).
struct rate_step {
    double from = 0;
    double to = 0;
    std::optional<nanoseconds> length;
};

struct rate_schedule {
    std::vector<rate_step> steps;

    // The sum of the lengths, or nullopt when the last step is open-ended.
    std::optional<nanoseconds> length() const;
    // "10/s" or "1/s for 60 s, then 2/s for 60 s": for the report.
    std::string describe() const;
};

// "10", "0.5", "30/m" (per minute), "1:60s,2:60s,4:60s", "1..8:2m,8:1m". A rate is per second
// unless it ends in "/m" or "/min"; it must be above 0 (a ramp may start or end at 0). nullopt
// and a message naming the fault in `error` otherwise.
std::optional<rate_schedule> parse_rate_schedule(std::string_view text, std::string& error);

enum class arrival_model { constant, poisson };

// "constant" or "poisson".
std::optional<arrival_model> parse_arrival(std::string_view text);

// The intended start offsets of a schedule, in order. `total` bounds the run: a longer schedule
// is cut there, a shorter one holds its last rate until then; without `total` the schedule's own
// length (unbounded when its last step is open-ended).
class arrival_generator {
public:
    arrival_generator(rate_schedule schedule, arrival_model model, std::optional<nanoseconds> total,
                      std::uint64_t seed = 1);

    // The next intended start, or nullopt once the schedule is over.
    std::optional<nanoseconds> next();

    // The end of the schedule (nullopt: unbounded).
    std::optional<nanoseconds> end() const noexcept { return end_; }

private:
    struct segment {
        double r0, r1;
        double start;  // seconds
        double length; // seconds, +inf for open-ended
        double mass;   // Λ over the segment (+inf for open-ended)
    };
    std::vector<segment> segments_;
    arrival_model model_;
    std::mt19937_64 rng_;
    std::optional<nanoseconds> end_;
    std::size_t index_ = 0;
    double mass_before_ = 0; // Λ at the start of segments_[index_]
    double target_ = 0;      // Λ of the next arrival
    bool first_ = true;
};

} // namespace openai::cli::loadtest
