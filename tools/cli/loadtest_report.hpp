// The results of `openai-images loadtest`: the final table for people, the --json summary (with
// the histograms' buckets, so that runs on several machines merge by adding them), and the
// --csv file of one row per request.
#pragma once

#include "loadtest_slo.hpp"
#include "loadtest_stats.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace openai::cli::loadtest {

// The table per phase (count, mean, p50, p90, p95, p99, p99.9, max in milliseconds), then the
// counts, throughput, images per minute, rate-limit headers last seen. Phases with no data are
// left out.
std::string format_report(const summary& s, const std::string& run_line);

// {"unit":"us","precision_bits":7,"relative_error":...,"count","min_us","max_us","mean_us",
//  "sum_us","p50_us",...,"buckets":[[lower_us, upper_us, count], ...]}
boost::json::object histogram_json(const latency_histogram& h);

// Reads histogram_json() back (to merge summaries); throws std::runtime_error when malformed.
latency_histogram histogram_from_json(const boost::json::object& o);

// The whole summary: `run` (the settings), counts, outcomes, throughput, rate limits, every
// phase's histogram, and the SLO verdicts.
boost::json::object summary_json(const summary& s, const boost::json::object& run,
                                 const std::vector<slo_verdict>& verdicts);

// One row per request (warm-up rows included, flagged), times in milliseconds from `origin`.
std::string csv_header();
std::string csv_row(const request_record& r, clock::time_point origin);

// Writes the CSV file; throws std::runtime_error naming the path on failure.
void write_csv(const std::filesystem::path& path, const std::vector<request_record>& records,
               clock::time_point origin);

} // namespace openai::cli::loadtest
