// DIR/results.jsonl, the manifest of a batch run: one JSON object per line, appended as each
// input line finishes, never rewritten. The last record of an id is its state.
//
//   {"id":"fox","line":3,"status":"ok","files":["fox/image-1.png"],"usage":{...},
//    "request_id":"req_...","attempts":1,"started_ms":...,"finished_ms":...,"input_hash":"..."}
//   {"id":"4","line":4,"status":"error","retryable":false,"error":{"error_code":"invalid_json",
//    "message":"line 4: invalid JSON: ...","outcome":"not_sent",...},"input_hash":"..."}
//
// `status` is "ok", "error", "cancelled" (stopped by SIGINT after the grace period, with the
// request's "outcome"), or "started": written and synced before a line's request is sent, so
// that a run killed with requests in flight leaves a trace of each. Files are relative to DIR.
//
// `--resume` (on_resume below) skips an id whose last record is "ok", or an error that would
// only happen again (the line is invalid, or the API refused it with a 4xx other than
// 408/409/429) while the line's text is unchanged. It holds back, and lists, the lines whose
// request may have been processed and billed without a result reaching us: outcome "unknown"
// (sent whole, then a timeout, a reset, a cut body) or a last record "started" (the run died
// with it in flight); `--retry-unknown` sends those again. Everything else is tried again.
//
// This file has the pure parts (building records, reading a manifest back) and the appending
// writer; `scan_manifest` is written for a file that an earlier run may have left with a torn
// last line (power loss): that tail is dropped, never glued to the next record.
#pragma once

#include "batch_input.hpp"

#include <openai/request_error.hpp>
#include <openai/responses.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::batch {

// Wall-clock times of one request, for the manifest (milliseconds since the Unix epoch).
struct timing {
    std::int64_t started_ms = 0;
    std::int64_t finished_ms = 0;
};

std::int64_t unix_ms(std::chrono::system_clock::time_point t);

// Would the same request fail the same way again? False for refusals of the request itself
// (validation, 400, 401, 403, 404, 422); true for rate limits, server and transport errors,
// timeouts and cancellations.
bool retryable(const error_info& info);

boost::json::object ok_record(const batch_item& item, const images_response& response,
                              const std::vector<std::string>& files, const timing& t);
boost::json::object error_record(const batch_item& item, const error_info& info, const timing& t);
// `outcome`: whether the cancelled request had reached the server whole.
boost::json::object cancelled_record(const batch_item& item, request_outcome outcome,
                                     const timing& t);
// Written before the request of `item` is sent (t.started_ms set).
boost::json::object started_record(const batch_item& item, const timing& t);
// A line that could not be read as a request (item.ok() is false).
boost::json::object invalid_record(const batch_item& item);

// The record as one line of the file, newline included.
std::string encode_record(const boost::json::object& record);

// What a manifest says about one id: its last record.
struct recorded_state {
    std::string status; // "ok", "error", "cancelled", "started"
    bool retryable = true;
    // The request may have been processed (and billed) with no result here: an "unknown"
    // outcome, or a "started" record that nothing followed.
    bool may_have_been_billed = false;
    std::uint64_t fingerprint = 0; // of the input line it was made from
    std::size_t records = 0;       // records of this id in the file
};

struct manifest_scan {
    std::map<std::string, recorded_state, std::less<>> ids;
    // Bytes of whole lines: the file should be cut to this length before appending.
    std::size_t valid_length = 0;
    std::size_t records = 0;
    std::size_t unreadable_lines = 0; // whole lines that are not records (skipped)
};

manifest_scan scan_manifest(std::string_view text);

// What a resumed run does with a line: see the file comment.
enum class resume_action {
    run,             // never tried, or failed in a way worth trying again
    done,            // finished: its images exist
    failed_for_good, // failed in a way that would only fail again (the line is unchanged)
    held_unknown,    // may have been processed and billed: sent again only with --retry-unknown
};

resume_action on_resume(const manifest_scan& scan, const batch_item& item, bool retry_unknown);

// Appends records to DIR/results.jsonl: each with one write() to a file opened with O_APPEND
// (several shards may share it on a local file system) and an fsync before returning, so a
// record that was reported is on disk.
class manifest_writer {
public:
    // Opens (creating) `path`; when `truncate_to` is set, first cuts the file to that length (a
    // torn last line). Throws std::runtime_error naming the path.
    explicit manifest_writer(const std::filesystem::path& path,
                             std::optional<std::size_t> truncate_to = {});
    ~manifest_writer();
    manifest_writer(const manifest_writer&) = delete;
    manifest_writer& operator=(const manifest_writer&) = delete;

    // Throws std::runtime_error when the record cannot be written.
    void append(const boost::json::object& record);

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    // Appends come from several file threads: a record cut short by a full disk is cut off
    // again, which is only safe when no other append of this process runs meanwhile.
    std::mutex append_mutex_;
};

// Writes `bytes` to DIR/NAME through a temporary file, fsync and rename (replacing an older file
// of that name), then fsyncs DIR: after it returns the image survives a crash, and no reader ever
// sees half of it. Creates DIR. Throws std::runtime_error naming the path.
void write_file_atomically(const std::filesystem::path& dir, const std::string& name,
                           std::string_view bytes);

// Removes what an unrecorded attempt may have left in an id's directory (images it wrote before
// the run died, temporaries): the directory's regular files whose names this program makes.
void remove_unrecorded_files(const std::filesystem::path& dir);

// "image-K.EXT", K from 1.
std::string image_file_name(std::size_t k, const std::string& extension);

} // namespace openai::cli::batch
