// `--plot FILE.png|FILE.svg`: latency percentiles over the run and a latency CDF per phase,
// drawn by gnuplot (a Debian package the project already depends on) from a script written here.
#pragma once

#include "loadtest_stats.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace openai::cli::loadtest {

// "png" or "svg" from the path, or empty when it is neither.
std::string plot_format(const std::filesystem::path& path);

// The gnuplot script (data inline) for the plot. Pure, for tests.
std::string plot_script(const std::filesystem::path& out,
                        const std::vector<request_record>& records, const summary& s,
                        clock::time_point origin);

// Runs gnuplot on plot_script(); throws std::runtime_error when gnuplot is missing or fails.
void write_plot(const std::filesystem::path& out, const std::vector<request_record>& records,
                const summary& s, clock::time_point origin);

} // namespace openai::cli::loadtest
