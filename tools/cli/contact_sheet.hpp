// DIR/index.html, the contact sheet of a batch run: one static page (inline CSS, no script, no
// external asset) with every line's images (thumbnails by relative path), id, prompt, model, size,
// status, usage, and for failed lines the error with its type, code and request id. Failures and
// unknown outcomes stand out; radio buttons filter by status with CSS alone.
//
// The page is made from DIR/results.jsonl alone (the last record of each id, in line order), so
// `openai-images batch report DIR` rebuilds exactly what a run keeps current while it works.
#pragma once

#include "batch_input.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::batch {

// Adds what the sheet shows about the request (prompt, model, size) to a line's record.
void describe_request(boost::json::object& record, const batch_item& item);

// The last record of each id in the manifest text, ordered by line number (lines that are no
// records are skipped).
std::vector<boost::json::object> latest_records(std::string_view manifest_text);

// The page for `records` (see latest_records); `title` names the run.
std::string render_contact_sheet(const std::vector<boost::json::object>& records,
                                 std::string_view title);

// Reads DIR/results.jsonl and writes DIR/index.html atomically (temporary file, fsync, rename):
// a browser reloading it never sees half a page. Returns the number of lines shown. Throws
// std::runtime_error naming the file that cannot be read or written.
std::size_t write_contact_sheet(const std::filesystem::path& dir);

// Keeps DIR/index.html current during a run: record_added() (from any thread) rewrites it when
// `interval` has passed since the last write; flush() rewrites it now. A sheet that cannot be
// written is reported once on stderr and never stops the run.
class contact_sheet_updater {
public:
    explicit contact_sheet_updater(std::filesystem::path dir,
                                   std::chrono::milliseconds interval = std::chrono::seconds{1});
    void record_added();
    void flush();

private:
    void write_locked();

    std::filesystem::path dir_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point last_{};
    bool written_ = false;
    bool warned_ = false;
};

} // namespace openai::cli::batch
