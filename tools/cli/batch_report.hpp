// What a batch run tells while it works: on a terminal a status line redrawn in place (done,
// failed, in flight, rate, ETA) with failures printed above it; in a log one plain line per
// finished request; with --json one JSON object per line on stdout.
#pragma once

#include "batch_progress.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace openai::cli::batch {

enum class report_style {
    terminal, // status line on stderr, redrawn
    plain,    // a line per finished request on stdout
    json,     // JSON lines on stdout
};

class reporter {
public:
    reporter(report_style style, std::FILE* out, std::FILE* err)
        : style_(style)
        , out_(out)
        , err_(err) {}
    ~reporter();

    report_style style() const noexcept { return style_; }

    // A line finished (or was found invalid): its manifest record.
    void record(const boost::json::object& record, const progress_counts& counts,
                std::optional<double> per_second);
    // Redraws the status line (terminal style only).
    void status(const progress_counts& counts, std::optional<double> per_second);
    // Something people should know (interruption, a skipped torn manifest line).
    void notice(const std::string& text);
    void summary(const progress_counts& counts, std::chrono::duration<double> elapsed,
                 bool interrupted, std::size_t not_started, const std::string& manifest);

private:
    void clear_status();

    report_style style_;
    std::FILE* out_;
    std::FILE* err_;
    bool status_shown_ = false;
};

} // namespace openai::cli::batch
