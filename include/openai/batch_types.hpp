/// The objects of the Files and Batch APIs (FileObject, Batch, their lists) and their JSON codec,
/// without any I/O: see <openai/files.hpp> and <openai/batches.hpp> for the calls.
#pragma once

#include <openai/json.hpp>
#include <openai/open_string.hpp>
#include <openai/response_metadata.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace openai {

struct file_purpose_tag {};
/// The `purpose` of a file: an open string (values this library does not know round-trip).
using file_purpose = open_string<file_purpose_tag>;

namespace file_purposes {
inline constexpr open_string_constant<file_purpose_tag> batch{"batch"};
inline constexpr open_string_constant<file_purpose_tag> batch_output{"batch_output"};
inline constexpr open_string_constant<file_purpose_tag> assistants{"assistants"};
inline constexpr open_string_constant<file_purpose_tag> fine_tune{"fine-tune"};
inline constexpr open_string_constant<file_purpose_tag> vision{"vision"};
inline constexpr open_string_constant<file_purpose_tag> user_data{"user_data"};
inline constexpr open_string_constant<file_purpose_tag> evals{"evals"};
} // namespace file_purposes

/// The API's FileObject.
struct file_object {
    std::string id; ///< "file-..."
    std::uint64_t bytes = 0;
    std::int64_t created_at = 0; ///< Unix seconds
    std::optional<std::int64_t> expires_at;
    std::string filename;
    file_purpose purpose;
    std::optional<std::string> status;         ///< deprecated by the API, kept when sent
    std::optional<std::string> status_details; ///< idem
    response_metadata meta{};                  ///< of the call that returned it
};

/// The answer to `DELETE /v1/files/{id}`.
struct file_deleted {
    std::string id;
    bool deleted = false;
    response_metadata meta{};
};

/// What files::upload sends: the content (a path, streamed from disk with a known length and
/// re-read on a retry, or bytes in memory), its file name and purpose.
struct file_upload {
    std::variant<std::filesystem::path, std::shared_ptr<const std::string>> source;
    /// Sent as the part's filename (its last component only). Empty: the path's file name, or
    /// "upload.jsonl" for bytes. The API wants `.jsonl` files for the batch purpose.
    std::string filename;
    file_purpose purpose = file_purposes::batch;
    /// `expires_after[anchor]=created_at` and `expires_after[seconds]` when set.
    std::optional<std::int64_t> expires_after_seconds;

    static file_upload from_path(std::filesystem::path path,
                                 file_purpose purpose = file_purposes::batch) {
        file_upload u;
        u.source = std::move(path);
        u.purpose = std::move(purpose);
        return u;
    }
    static file_upload from_bytes(std::string bytes, std::string filename,
                                  file_purpose purpose = file_purposes::batch) {
        file_upload u;
        u.source = std::make_shared<const std::string>(std::move(bytes));
        u.filename = std::move(filename);
        u.purpose = std::move(purpose);
        return u;
    }
};

/// Decoders of the Files API's bodies (sans-I/O, src/codec/batch_json.cpp). Unknown keys are
/// ignored; a wrong type names its JSON path.
decode_result<file_object> decode_file_object(std::string_view body);
decode_result<file_deleted> decode_file_deleted(std::string_view body);

struct batch_status_tag {};
/// A batch's `status`: an open string, so a status this library does not know round-trips.
using batch_status = open_string<batch_status_tag>;

namespace batch_statuses {
inline constexpr open_string_constant<batch_status_tag> validating{"validating"};
inline constexpr open_string_constant<batch_status_tag> failed{"failed"};
inline constexpr open_string_constant<batch_status_tag> in_progress{"in_progress"};
inline constexpr open_string_constant<batch_status_tag> finalizing{"finalizing"};
inline constexpr open_string_constant<batch_status_tag> completed{"completed"};
inline constexpr open_string_constant<batch_status_tag> expired{"expired"};
inline constexpr open_string_constant<batch_status_tag> cancelling{"cancelling"};
inline constexpr open_string_constant<batch_status_tag> cancelled{"cancelled"};
} // namespace batch_statuses

namespace batch_endpoints {
inline constexpr std::string_view image_generations = "/v1/images/generations";
inline constexpr std::string_view image_edits = "/v1/images/edits";
} // namespace batch_endpoints

/// One entry of `errors.data`: a line of the input file the API refused.
struct batch_error {
    std::optional<std::string> code;
    std::optional<std::string> message;
    std::optional<std::string> param;
    std::optional<std::int64_t> line;
};

struct batch_request_counts {
    std::int64_t total = 0;
    std::int64_t completed = 0;
    std::int64_t failed = 0;
};

/// The API's Batch object. Unset ids and timestamps (JSON null or absent) are nullopt.
struct batch {
    std::string id; ///< "batch_..."
    std::string endpoint;
    std::optional<std::string> model;
    std::optional<std::vector<batch_error>> errors; ///< `errors.data`, when `errors` is set
    std::string input_file_id;
    std::string completion_window;
    batch_status status;
    std::optional<std::string> output_file_id;
    std::optional<std::string> error_file_id;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> in_progress_at;
    std::optional<std::int64_t> expires_at;
    std::optional<std::int64_t> finalizing_at;
    std::optional<std::int64_t> completed_at;
    std::optional<std::int64_t> failed_at;
    std::optional<std::int64_t> expired_at;
    std::optional<std::int64_t> cancelling_at;
    std::optional<std::int64_t> cancelled_at;
    std::optional<batch_request_counts> request_counts;
    /// `usage` as sent (its shape depends on the endpoint), when the API sent one.
    std::optional<boost::json::object> usage;
    std::map<std::string, std::string> metadata;
    response_metadata meta{}; ///< of the call that returned it (empty inside a batch_list)

    /// failed, completed, expired or cancelled: the status will not change any more.
    bool is_terminal() const noexcept {
        return status == batch_statuses::failed || status == batch_statuses::completed ||
               status == batch_statuses::expired || status == batch_statuses::cancelled;
    }
};

/// `POST /v1/batches`.
struct batch_create_request {
    std::string input_file_id;
    std::string endpoint = std::string(batch_endpoints::image_generations);
    std::string completion_window = "24h";
    std::map<std::string, std::string> metadata; ///< not sent when empty
    /// `output_expires_after: {anchor:"created_at", seconds}` when set.
    std::optional<std::int64_t> output_expires_after_seconds;
};

/// `GET /v1/batches` query.
struct batch_list_request {
    std::optional<int> limit;         ///< 1..100 (the API's default: 20)
    std::optional<std::string> after; ///< a batch id: the page after it
};

/// A page of batches, newest first.
struct batch_list {
    std::vector<batch> data;
    std::optional<std::string> first_id;
    std::optional<std::string> last_id;
    bool has_more = false;
    response_metadata meta{};
};

/// Codec of the Batch API's bodies (sans-I/O, src/codec/batch_json.cpp).
decode_result<batch> decode_batch(std::string_view body);
decode_result<batch_list> decode_batch_list(std::string_view body);
boost::json::object to_json(const batch_create_request& req);

} // namespace openai
