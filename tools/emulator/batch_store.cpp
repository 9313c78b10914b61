#include "emulator/batch_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <exception>
#include <numeric>
#include <stdexcept>

namespace openai::emulator {

namespace json = boost::json;

struct batch_store::record {
    batch_settings settings;
    std::string id;
    std::string endpoint;
    std::string input_file_id;
    std::string completion_window;
    json::value metadata;
    std::optional<std::int64_t> output_expires_after;
    std::string status = "validating";
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    std::optional<std::int64_t> in_progress_at, finalizing_at, completed_at, failed_at, expired_at,
        cancelling_at, cancelled_at;
    std::vector<batch_line_error> errors;
    /// In processing order (shuffled: the API's output order is not the input's).
    std::vector<batch_request_line> requests;
    std::size_t total = 0; // requests.size() once validated (requests are freed at the end)
    std::size_t next = 0;  // the next request to run
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;
    byte_list output;
    byte_list error_output;
    std::optional<std::string> output_file_id;
    std::optional<std::string> error_file_id;
    std::optional<std::string> model;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    bool polled = false;
};

namespace {

constexpr std::int64_t completion_window_seconds = 24 * 3600;

json::value opt(const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::value opt(const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

error_reply bad(std::string message, std::optional<std::string> param,
                std::optional<std::string> code = std::nullopt) {
    error_reply e;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

} // namespace

batch_store::batch_store(file_store& files, batch_settings settings)
    : files_(files)
    , settings_(settings)
    , random_(std::random_device{}()) {}

batch_store::~batch_store() = default;

void batch_store::set_scheduler(scheduler s) {
    std::lock_guard lock(mutex_);
    scheduler_ = std::move(s);
}

void batch_store::set_runner(runner r) {
    std::lock_guard lock(mutex_);
    runner_ = std::move(r);
}

std::variant<json::object, error_reply> batch_store::create(const create_params& p) {
    if (p.endpoint != "/v1/images/generations" && p.endpoint != "/v1/images/edits")
        return invalid_value("endpoint", p.endpoint,
                             "'/v1/images/generations', '/v1/images/edits' (the emulator serves "
                             "only the Images API)");
    if (p.completion_window != "24h")
        return invalid_value("completion_window", p.completion_window, "'24h'");
    if (!p.metadata.is_null()) {
        if (!p.metadata.is_object())
            return invalid_type("metadata", "an object", "another type");
        const json::object& m = p.metadata.as_object();
        if (m.size() > 16)
            return bad("Invalid 'metadata': too many properties. Expected an object with at most "
                       "16 properties, but got " +
                           std::to_string(m.size()) + " instead.",
                       "metadata", "object_above_max_properties");
        for (const auto& kv : m)
            if (!kv.value().is_string() || kv.value().as_string().size() > 512 ||
                kv.key().size() > 64)
                return bad("Invalid 'metadata': keys must be strings of at most 64 characters "
                           "and values strings of at most 512 characters.",
                           "metadata", "invalid_value");
    }
    if (p.output_expires_after &&
        (*p.output_expires_after < 3600 || *p.output_expires_after > 2592000))
        return integer_out_of_range("output_expires_after.seconds", *p.output_expires_after, 3600,
                                    2592000);
    auto file = files_.get(p.input_file_id);
    if (!file)
        return bad("No such File object: " + p.input_file_id, "input_file_id");
    if (file->purpose != "batch")
        return bad("Invalid 'input_file_id': the file '" + p.input_file_id + "' has purpose '" +
                       file->purpose + "'; a batch's input file must have purpose 'batch'.",
                   "input_file_id", "invalid_value");

    std::lock_guard lock(mutex_);
    record b;
    b.settings = p.settings.value_or(settings_);
    b.id = random_id("batch_", random_);
    b.endpoint = p.endpoint;
    b.input_file_id = p.input_file_id;
    b.completion_window = p.completion_window;
    b.metadata = p.metadata;
    b.output_expires_after = p.output_expires_after;
    b.created_at = unix_seconds();
    b.expires_at = b.created_at + completion_window_seconds;
    std::uint64_t seq = ++sequence_;
    by_id_[b.id] = seq;
    auto& stored = batches_[seq] = std::move(b);
    schedule(stored.id);
    return to_json(stored);
}

std::variant<json::object, error_reply> batch_store::retrieve(const std::string& id, bool poll) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return not_found(id);
    record& b = batches_.at(it->second);
    if (poll && b.settings.first_poll_5xx && !b.polled) {
        b.polled = true;
        return error_for_status(500);
    }
    return to_json(b);
}

std::variant<json::object, error_reply> batch_store::cancel(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return not_found(id);
    record& b = batches_.at(it->second);
    if (b.status == "validating" || b.status == "in_progress") {
        b.status = "cancelling";
        b.cancelling_at = unix_seconds();
    } else if (b.status != "cancelling") {
        return bad("Cannot cancel a batch with status '" + b.status + "'.", std::nullopt);
    }
    return to_json(b);
}

batch_store::page batch_store::list(std::size_t limit, const std::string* after) const {
    std::lock_guard lock(mutex_);
    page out;
    auto it = batches_.end();
    if (after) {
        if (auto a = by_id_.find(*after); a != by_id_.end())
            it = batches_.lower_bound(a->second);
    }
    while (it != batches_.begin()) {
        --it;
        if (out.data.size() == limit) {
            out.has_more = true;
            break;
        }
        out.data.push_back(to_json(it->second));
    }
    return out;
}

std::uint64_t batch_store::created() const {
    std::lock_guard lock(mutex_);
    return sequence_;
}

std::uint64_t batch_store::requests_processed() const {
    std::lock_guard lock(mutex_);
    return processed_;
}

error_reply batch_store::not_found(const std::string& id) const {
    error_reply e = bad("No such Batch object: " + id, "id");
    e.status = 404;
    return e;
}

// Called with the lock held.
void batch_store::schedule(const std::string& id) {
    if (!scheduler_)
        return;
    scheduler_(settings_.per_request, [this, id] { step(id); });
}

void batch_store::step(const std::string& id) {
    std::unique_lock lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return;
    // Records are never erased, and std::map nodes stay put: `b` survives the unlock below.
    record& b = batches_.at(it->second);
    if (b.status == "validating") {
        // A big input file is read and checked without the lock: polls go on meanwhile.
        std::string file_id = b.input_file_id;
        std::string endpoint = b.endpoint;
        lock.unlock();
        batch_input in;
        if (auto file = files_.get(file_id))
            in = parse_batch_input(file->content.pieces().size() == 1
                                       ? std::string_view(file->content.pieces()[0].bytes)
                                       : std::string_view(file->content.flatten()),
                                   endpoint);
        else
            in.errors.push_back(
                {"invalid_file", "No such File object: " + file_id, "input_file_id", std::nullopt});
        lock.lock();
        if (b.status == "validating") {
            validated(b, std::move(in));
            if (b.status == "in_progress")
                schedule(id);
        } else if (b.status == "cancelling") {
            stop_early(b, "cancelled", "batch_cancelled",
                       "This request was not executed because the batch was cancelled.");
        }
        return;
    }
    if (b.status == "cancelling") {
        stop_early(b, "cancelled", "batch_cancelled",
                   "This request was not executed because the batch was cancelled.");
        return;
    }
    if (b.status == "finalizing") {
        write_files(b);
        b.status = "completed";
        b.completed_at = unix_seconds();
        return;
    }
    if (b.status != "in_progress")
        return;
    if (b.settings.expire_after && b.next >= *b.settings.expire_after &&
        b.next < b.requests.size()) {
        stop_early(b, "expired", "batch_expired",
                   "This request could not be executed before the completion window expired.");
        return;
    }
    if (b.next == b.requests.size()) {
        b.status = "finalizing";
        b.finalizing_at = unix_seconds();
        schedule(id);
        return;
    }

    const batch_request_line request = b.requests[b.next];
    bool inject_failure = b.settings.fail_after && b.next >= *b.settings.fail_after;
    runner run = runner_;
    std::string endpoint = b.endpoint;
    lock.unlock();
    batch_line_result result;
    try {
        if (inject_failure || !run)
            throw std::runtime_error("injected failure");
        result = run(endpoint, request.body);
    } catch (const std::exception&) {
        error_reply e = error_for_status(500);
        result = batch_line_result{};
        result.status = e.status;
        result.body.add(error_json(e));
    }
    lock.lock();

    std::string line_id = random_id("batch_req_", random_);
    byte_list line = batch_response_line(line_id, request.custom_id, result.status,
                                         result.request_id, result.body);
    // As the API does: answers other than 2xx go to the error file, in the same shape.
    if (result.status / 100 == 2) {
        b.output.append(line);
        ++b.completed;
    } else {
        b.error_output.append(line);
        ++b.failed;
    }
    b.input_tokens += result.input_tokens;
    b.output_tokens += result.output_tokens;
    ++b.next;
    ++processed_;
    schedule(id);
}

void batch_store::validated(record& b, batch_input in) {
    if (!in.errors.empty()) {
        b.status = "failed";
        b.failed_at = unix_seconds();
        b.errors = std::move(in.errors);
        return;
    }
    b.requests = std::move(in.requests);
    b.total = b.requests.size();
    // A shuffle seeded by the batch id: reproducible per batch, never the input order.
    std::mt19937_64 shuffle_random(std::hash<std::string>{}(b.id));
    std::shuffle(b.requests.begin(), b.requests.end(), shuffle_random);
    if (b.requests.size() > 1 &&
        std::is_sorted(b.requests.begin(), b.requests.end(),
                       [](const auto& x, const auto& y) { return x.line < y.line; }))
        std::rotate(b.requests.begin(), b.requests.begin() + 1, b.requests.end());
    for (const auto& r : b.requests) {
        if (const auto* m = r.body.as_object().if_contains("model"); m && m->is_string()) {
            b.model = std::string(m->as_string());
            break;
        }
    }
    b.status = "in_progress";
    b.in_progress_at = unix_seconds();
}

void batch_store::stop_early(record& b, const char* status, std::string_view code,
                             std::string_view message) {
    for (std::size_t i = b.next; i < b.requests.size(); ++i) {
        b.error_output.add(batch_error_line(random_id("batch_req_", random_),
                                            b.requests[i].custom_id, code, message));
        ++b.failed;
    }
    b.next = b.requests.size();
    write_files(b);
    b.status = status;
    if (b.status == "cancelled")
        b.cancelled_at = unix_seconds();
    else
        b.expired_at = unix_seconds();
}

void batch_store::write_files(record& b) {
    std::int64_t now = unix_seconds();
    std::optional<std::int64_t> expires;
    if (b.output_expires_after)
        expires = now + *b.output_expires_after;
    if (!b.output.empty())
        b.output_file_id = files_
                               .add("batch_" + b.id + "_output.jsonl", "batch_output",
                                    std::move(b.output), now, expires)
                               .id;
    if (!b.error_output.empty())
        b.error_file_id = files_
                              .add("batch_" + b.id + "_error.jsonl", "batch_output",
                                   std::move(b.error_output), now, expires)
                              .id;
    b.output = {};
    b.error_output = {};
    // The bodies (edits' data URLs can be large) are not needed any more.
    b.requests = {};
}

json::object batch_store::to_json(const record& b) const {
    json::object o;
    o["id"] = b.id;
    o["object"] = "batch";
    o["endpoint"] = b.endpoint;
    o["model"] = opt(b.model);
    if (b.errors.empty()) {
        o["errors"] = nullptr;
    } else {
        json::array data;
        for (const auto& e : b.errors) {
            json::object item;
            item["code"] = e.code;
            item["message"] = e.message;
            item["param"] = opt(e.param);
            item["line"] = e.line ? json::value(*e.line) : json::value(nullptr);
            data.push_back(std::move(item));
        }
        o["errors"] = json::object{{"object", "list"}, {"data", std::move(data)}};
    }
    o["input_file_id"] = b.input_file_id;
    o["completion_window"] = b.completion_window;
    o["status"] = b.status;
    o["output_file_id"] = opt(b.output_file_id);
    o["error_file_id"] = opt(b.error_file_id);
    o["created_at"] = b.created_at;
    o["in_progress_at"] = opt(b.in_progress_at);
    o["expires_at"] = b.expires_at;
    o["finalizing_at"] = opt(b.finalizing_at);
    o["completed_at"] = opt(b.completed_at);
    o["failed_at"] = opt(b.failed_at);
    o["expired_at"] = opt(b.expired_at);
    o["cancelling_at"] = opt(b.cancelling_at);
    o["cancelled_at"] = opt(b.cancelled_at);
    json::object counts;
    counts["total"] = b.total;
    counts["completed"] = b.completed;
    counts["failed"] = b.failed;
    o["request_counts"] = std::move(counts);
    json::object usage;
    usage["input_tokens"] = b.input_tokens;
    usage["input_tokens_details"] = json::object{{"cached_tokens", 0}};
    usage["output_tokens"] = b.output_tokens;
    usage["output_tokens_details"] = json::object{{"reasoning_tokens", 0}};
    usage["total_tokens"] = b.input_tokens + b.output_tokens;
    o["usage"] = std::move(usage);
    o["metadata"] = b.metadata;
    return o;
}

} // namespace openai::emulator
