#include "loadtest_plot.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace openai::cli::loadtest {
namespace {

std::string gp_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += '\''; // gnuplot: '' inside single quotes
        out += c;
    }
    return out + "'";
}

double exact_percentile(std::vector<double>& v, double q) {
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(q / 100.0 * static_cast<double>(v.size())));
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
}

} // namespace

std::string plot_format(const std::filesystem::path& path) {
    auto ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png")
        return "png";
    if (ext == ".svg")
        return "svg";
    return {};
}

std::string plot_script(const std::filesystem::path& out,
                        const std::vector<request_record>& records, const summary& s,
                        clock::time_point origin) {
    std::string script;
    char buf[256];
    if (plot_format(out) == "svg")
        script += "set terminal svg size 1000,900 dynamic enhanced font 'Sans,11'\n";
    else
        script += "set terminal pngcairo size 1000,900 enhanced font 'Sans,10'\n";
    script += "set output " + gp_quoted(out.string()) + "\n";

    // Percentiles of the completion latency per window of intended start.
    double first = 1e300, last = -1e300;
    for (const auto& r : records)
        if (!r.warmup) {
            const double t = std::chrono::duration<double>(r.intended - origin).count();
            first = std::min(first, t);
            last = std::max(last, t);
        }
    script += "$over_time << EOD\n";
    if (first <= last) {
        const double span = std::max(last - first, 1e-3);
        const double width = std::max(1.0, std::ceil(span / 40.0));
        const auto bins = static_cast<std::size_t>(span / width) + 1;
        std::vector<std::vector<double>> lat(bins), svc(bins);
        for (const auto& r : records) {
            if (r.warmup || r.outcome != "ok" || !r.completed)
                continue;
            const double t = std::chrono::duration<double>(r.intended - origin).count();
            const auto b = std::min(bins - 1, static_cast<std::size_t>((t - first) / width));
            lat[b].push_back(
                std::chrono::duration<double, std::milli>(*r.completed - r.intended).count());
            svc[b].push_back(
                std::chrono::duration<double, std::milli>(*r.completed - r.service_start).count());
        }
        for (std::size_t b = 0; b < bins; ++b) {
            if (lat[b].empty())
                continue;
            std::snprintf(buf, sizeof buf, "%.3f %.3f %.3f %.3f %.3f\n",
                          first + (static_cast<double>(b) + 0.5) * width,
                          exact_percentile(lat[b], 50), exact_percentile(lat[b], 90),
                          exact_percentile(lat[b], 99), exact_percentile(svc[b], 50));
            script += buf;
        }
    }
    script += "EOD\n";

    // A CDF per phase from the histograms: (bucket upper bound, cumulative fraction).
    const char* cdf_phases[] = {"head", "first_partial", "complete", "service_complete"};
    std::vector<std::string> plotted;
    for (const char* phase : cdf_phases) {
        const auto& h = s.histogram(phase);
        if (h.empty())
            continue;
        script += std::string("$cdf_") + phase + " << EOD\n";
        std::uint64_t seen = 0;
        std::snprintf(buf, sizeof buf, "%.3f 0\n", static_cast<double>(h.min().count()) / 1000.0);
        script += buf; // the curve starts at 0 at the fastest request
        for (const auto& b : h.buckets()) {
            seen += b.count;
            std::snprintf(buf, sizeof buf, "%.3f %.6f\n",
                          static_cast<double>(std::min<std::uint64_t>(
                              b.upper, static_cast<std::uint64_t>(h.max().count()) + 1)) /
                              1000.0,
                          static_cast<double>(seen) / static_cast<double>(h.count()));
            script += buf;
        }
        script += "EOD\n";
        plotted.push_back(phase);
    }

    script += "set multiplot layout 2,1\n";
    script += "set grid\nset key outside right top\n";
    script += "set title 'completion latency by intended start (from the intended start; "
              "service p50 from the send)'\n";
    script += "set xlabel 'intended start (s into the run)'\nset ylabel 'ms'\n";
    script += "plot $over_time using 1:2 with linespoints title 'p50', "
              "'' using 1:3 with linespoints title 'p90', "
              "'' using 1:4 with linespoints title 'p99', "
              "'' using 1:5 with lines dashtype 2 title 'service p50'\n";
    script += "set title 'latency CDF per phase (from the intended start; service: from the "
              "send)'\n";
    script += "set logscale x\nset xlabel 'ms (log scale)'\nset ylabel 'fraction of requests'\n";
    script += "set yrange [0:1.02]\n";
    if (plotted.empty()) {
        script += "plot 0 notitle\n";
    } else {
        script += "plot ";
        for (std::size_t i = 0; i < plotted.size(); ++i) {
            if (i)
                script += ", ";
            std::string title = plotted[i];
            std::replace(title.begin(), title.end(), '_', ' ');
            script += "$cdf_" + plotted[i] + " using 1:2 with steps title " + gp_quoted(title);
        }
        script += "\n";
    }
    script += "unset multiplot\n";
    return script;
}

void write_plot(const std::filesystem::path& out, const std::vector<request_record>& records,
                const summary& s, clock::time_point origin) {
    const auto script_path = std::filesystem::path(out.string() + ".gnuplot.tmp");
    {
        std::ofstream f(script_path, std::ios::binary | std::ios::trunc);
        f << plot_script(out, records, s, origin);
        if (!f)
            throw std::runtime_error("cannot write '" + script_path.string() + "'");
    }
    std::string err_path = script_path.string() + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string prog = "gnuplot";
    std::string arg = script_path.string();
    char* argv[] = {prog.data(), arg.data(), nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    std::error_code ignored;
    if (rc != 0) {
        std::filesystem::remove(script_path, ignored);
        std::filesystem::remove(err_path, ignored);
        throw std::runtime_error(
            std::string("--plot needs gnuplot (Debian: apt-get install gnuplot-nox): ") +
            std::strerror(rc));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string errors;
    {
        std::ifstream e(err_path);
        std::getline(e, errors, '\0');
    }
    std::filesystem::remove(script_path, ignored);
    std::filesystem::remove(err_path, ignored);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("gnuplot could not draw '" + out.string() + "': " + errors);
}

} // namespace openai::cli::loadtest
