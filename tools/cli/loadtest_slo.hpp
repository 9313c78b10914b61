// `--slo 'p99(complete)<30s,errors<1%'`: service-level objectives a load test must meet, for CI
// gates. Pure: text in, terms out; a summary in, the verdict of each term out.
//
// Terms, comma-separated:
//   pQ(PHASE) OP DURATION     a percentile of a phase: p50(head)<2s, p99.9(service_complete)<=40s
//   mean(PHASE) / max(PHASE) OP DURATION
//   errors OP RATIO           failed / measured requests: errors<1%, errors<=0.05
//   throughput OP NUMBER      successful requests per second: throughput>=2
//   ipm OP NUMBER             images per minute: ipm>100
// OP is <, <=, > or >=; PHASE is one of the load test's phases (head, first_partial,
// partial_gap, complete, queue, service_head, service_first_partial, service_complete).
#pragma once

#include "loadtest_stats.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::loadtest {

struct slo_term {
    enum class metric { percentile, mean, max, errors, throughput, ipm };
    enum class comparison { less, less_equal, greater, greater_equal };

    std::string text; // as written, for messages
    metric what = metric::percentile;
    double quantile = 0; // percentile: 0..100
    std::string phase;
    comparison op = comparison::less;
    double threshold = 0; // seconds for durations, a ratio for errors, a number otherwise
};

// nullopt and a message naming the bad term in `error` otherwise.
std::optional<std::vector<slo_term>> parse_slo(std::string_view text, std::string& error);

struct slo_verdict {
    const slo_term* term = nullptr;
    bool met = false;
    std::optional<double> measured; // nullopt when there was nothing to measure (not met)
    std::string describe() const;   // "p99(complete)<30s: met (measured 1.23 s)"
};

std::vector<slo_verdict> evaluate(const std::vector<slo_term>& terms, const summary& s);

} // namespace openai::cli::loadtest
