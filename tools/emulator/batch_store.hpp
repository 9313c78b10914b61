// The Batch API's batches and their lifecycle: validating -> in_progress -> finalizing ->
// completed, or failed (input validation), expired, cancelling -> cancelled. One step at a
// time through a scheduler (the server's timers, then its worker pool), so a batch never
// blocks other requests and `request_counts` move while it runs. Sans-I/O: the scheduler and
// the runner of one request are given, so tests can step a batch by hand.
#pragma once

#include "emulator/api_errors.hpp"
#include "emulator/batch_lines.hpp"
#include "emulator/byte_list.hpp"
#include "emulator/file_store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace openai::emulator {

/// The batch behaviour the command line chooses (see options.hpp).
struct batch_settings {
    /// Time per step: validation, each request, finalization.
    std::chrono::milliseconds per_request{10};
    /// Expire a batch once this many of its requests were processed.
    std::optional<std::uint64_t> expire_after;
    /// Requests after the first K of a batch fail with a 500 (counted as failed).
    std::optional<std::uint64_t> fail_after;
    /// The first GET of each batch answers 500.
    bool first_poll_5xx = false;
};

/// What running one request gave: the HTTP status, its request id, the JSON body, and the
/// token usage it reports (added to the batch's `usage`).
struct batch_line_result {
    unsigned status = 200;
    std::string request_id;
    byte_list body;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
};

class batch_store {
public:
    /// Runs `work` after `delay`, anywhere but the caller's stack.
    using scheduler = std::function<void(std::chrono::milliseconds, std::function<void()>)>;
    /// Runs one request of a batch (its endpoint and body).
    using runner = std::function<batch_line_result(const std::string& endpoint,
                                                   const boost::json::value& body)>;

    batch_store(file_store& files, batch_settings settings);
    ~batch_store(); // where `record` is complete
    batch_store(const batch_store&) = delete;
    batch_store& operator=(const batch_store&) = delete;

    /// Until a scheduler is set, batches stay `validating`. Set before serving; cleared (empty)
    /// after the last step can run.
    void set_scheduler(scheduler s);
    void set_runner(runner r);

    struct create_params {
        std::string endpoint;
        std::string input_file_id;
        std::string completion_window = "24h";
        boost::json::value metadata;                      // object or null
        std::optional<std::int64_t> output_expires_after; // seconds after the output's creation
        /// This batch's faults instead of the process's (the `batch-*` fault items).
        std::optional<batch_settings> settings;
    };
    /// Checks the parameters like the API (400s naming them) and starts the batch.
    std::variant<boost::json::object, error_reply> create(const create_params& p);

    /// The batch object, or the API's 404. `poll`: a GET from a client (the first-poll fault).
    std::variant<boost::json::object, error_reply> retrieve(const std::string& id, bool poll);
    std::variant<boost::json::object, error_reply> cancel(const std::string& id);

    struct page {
        std::vector<boost::json::object> data;
        bool has_more = false;
    };
    /// Newest first, after the batch `after` (exclusive), at most `limit`.
    page list(std::size_t limit, const std::string* after) const;

    std::uint64_t created() const;
    /// Requests of all batches that ran (successfully or not).
    std::uint64_t requests_processed() const;

    const batch_settings& settings() const noexcept { return settings_; }

private:
    struct record;
    void schedule(const std::string& id);
    void step(const std::string& id);
    // Applies the input file, read and checked without the lock (`in`), to a validating batch.
    void validated(record& b, batch_input in);
    // Ends a batch whose remaining requests will not run (`status`: cancelled or expired).
    void stop_early(record& b, const char* status, std::string_view code, std::string_view message);
    void write_files(record& b);
    boost::json::object to_json(const record& b) const;
    error_reply not_found(const std::string& id) const;

    file_store& files_;
    batch_settings settings_;
    mutable std::mutex mutex_;
    scheduler scheduler_;
    runner runner_;
    std::mt19937_64 random_;
    std::uint64_t sequence_ = 0;
    std::uint64_t processed_ = 0;
    std::map<std::uint64_t, record> batches_; // by creation sequence
    std::map<std::string, std::uint64_t> by_id_;
};

} // namespace openai::emulator
