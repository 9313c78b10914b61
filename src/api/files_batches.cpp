// The Files and Batch APIs: JSON calls (retrieve, delete, batches), the streamed multipart
// upload, the content download to a file, and the pull-based file_content_stream. One
// translation unit for all of them: they share the exchange (src/api/exchange.cpp) and differ
// only in their request and the decoder of their body.
#include "api/atomic_file.hpp"
#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "api/exchange.hpp"
#include "api/file_reader.hpp"
#include "api/multipart_source.hpp"
#include "codec/extra_body.hpp"
#include "codec/multipart.hpp"
#include "codec/percent_encode.hpp"

#include <openai/batches.hpp>
#include <openai/error.hpp>
#include <openai/files.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

std::string with_query(std::string path, const request_options& options) {
    if (options.extra_query.empty())
        return path;
    return codec::append_query(std::move(path), codec::encode_query(options.extra_query));
}

// Reads a 2xx body whole (the Files and Batch objects are small), bounded.
body_reader collect_into(std::string& out, std::uint64_t max_body) {
    return [&out, max_body](transport::lease& lease, const http::fields&, int,
                            const transport::deadline& limit) -> asio::awaitable<error_info> {
        out.clear();
        std::unique_ptr<char[]> chunk(new char[body_read_chunk]);
        error_code ec;
        std::string what;
        while (!lease->body_done()) {
            const auto n = co_await lease->read_body(chunk.get(), body_read_chunk, limit, ec, what);
            if (ec)
                co_return body_read_failure(ec, std::move(what));
            if (out.size() + n > max_body) {
                lease->close();
                error_info failure;
                failure.code = errc::body_too_large;
                failure.message = "response body exceeds the configured maximum of " +
                                  std::to_string(max_body) + " bytes";
                co_return failure;
            }
            out.append(chunk.get(), n);
        }
        lease->finish_exchange();
        co_return error_info{};
    };
}

// One JSON call: sends `request`, decodes the 2xx body with `decode`, names the call in errors.
template <class T, class Decode>
asio::awaitable<operation_result<T>> json_call(std::shared_ptr<client_impl> client,
                                               prepared_request request, request_options options,
                                               std::string what, Decode decode) {
    operation_result<T> result;
    response_metadata meta;
    meta.times.started = std::chrono::steady_clock::now();
    request.path = with_query(std::move(request.path), options);
    std::string body;
    auto reader = collect_into(body, client->config().max_body_size);
    result.first = co_await exchange(*client, request, options, reader, meta);
    if (!result.first.code) {
        auto decoded = decode(body);
        if (!decoded.ok()) {
            result.first.code = decoded.code;
            result.first.message = "cannot decode the response: " + decoded.message;
            result.first.http_status = meta.http_status;
            result.first.request_id = meta.request_id;
            result.first.attempts = meta.attempts;
            result.first.outcome = request_outcome::unknown;
        } else {
            result.second = std::move(decoded.value);
            meta.times.completed = std::chrono::steady_clock::now();
        }
    }
    if (result.first.code)
        result.first.message = what + " failed: " + result.first.message;
    result.second.meta = std::move(meta);
    co_return result;
}

template <class T, class Coroutine>
void launch(const std::shared_ptr<client_impl>& client, Coroutine op,
            operation_handler<T> handler) {
    auto strand = asio::make_strand(client->executor());
    start_operation(strand, client->executor(), std::move(op), std::move(handler));
}

// ---- files

std::shared_ptr<const multipart_source> upload_body(const file_upload& u, error_info& err) {
    std::vector<codec::multipart_field> fields;
    fields.push_back({"purpose", u.purpose.str()});
    if (u.expires_after_seconds) {
        fields.push_back({"expires_after[anchor]", "created_at"});
        fields.push_back({"expires_after[seconds]", std::to_string(*u.expires_after_seconds)});
    }
    codec::multipart_file part;
    part.name = "file";
    part.filename = u.filename;
    if (const auto* path = std::get_if<std::filesystem::path>(&u.source)) {
        if (part.filename.empty())
            part.filename = path->filename().string();
        part.source = *path;
    } else {
        const auto& bytes = std::get<std::shared_ptr<const std::string>>(u.source);
        if (part.filename.empty())
            part.filename = "upload.jsonl";
        part.source = bytes ? bytes : std::make_shared<const std::string>();
    }
    // Batch input is JSONL; other purposes take any bytes.
    part.content_type =
        part.filename.ends_with(".jsonl") ? "application/jsonl" : "application/octet-stream";
    std::vector<codec::multipart_file> files;
    files.push_back(std::move(part));
    error_code ec;
    std::string message;
    auto body = codec::multipart_body::make(std::move(fields), std::move(files),
                                            local_file_options(), ec, message);
    if (ec) {
        err.code = ec;
        err.message = "files.upload: " + message;
        return nullptr;
    }
    return std::make_shared<multipart_source>(std::move(body));
}

asio::awaitable<operation_result<file_object>> run_upload(std::shared_ptr<client_impl> client,
                                                          file_upload u, request_options options) {
    error_info err;
    auto body = upload_body(u, err);
    if (!body)
        co_return operation_result<file_object>{std::move(err), {}};
    prepared_request request;
    request.method = "POST";
    request.path = "/files";
    request.body = std::move(body);
    // Creates a stored object: a lost answer is held back like a billed call's.
    request.creates_images = true;
    co_return co_await json_call<file_object>(client, std::move(request), std::move(options),
                                              "files.upload", decode_file_object);
}

prepared_request get(std::string path) {
    prepared_request r;
    r.method = "GET";
    r.path = std::move(path);
    return r;
}

// ---- file content to a file

body_reader write_to(const std::filesystem::path& path, std::uint64_t max_body,
                     download_result& out) {
    return [&path, max_body,
            &out](transport::lease& lease, const http::fields& fields, int,
                  const transport::deadline& limit) -> asio::awaitable<error_info> {
        error_info result;
        atomic_file file;
        std::error_code fec;
        std::string what;
        const auto file_failed = [&] {
            lease->close();
            result.code = error_code(fec.value(), boost::system::generic_category());
            result.message = what;
        };
        if (!file.open(path, fec, what)) {
            file_failed();
            co_return result;
        }
        std::string content_type(fields[http::field::content_type]);
        std::unique_ptr<char[]> chunk(new char[body_read_chunk]);
        while (!lease->body_done()) {
            error_code ec;
            const auto n = co_await lease->read_body(chunk.get(), body_read_chunk, limit, ec, what);
            if (ec)
                co_return body_read_failure(ec, std::move(what)); // the temporary goes away
            if (file.size() + n > max_body) {
                lease->close();
                result.code = errc::body_too_large;
                result.message = "the content exceeds the configured maximum of " +
                                 std::to_string(max_body) + " bytes";
                co_return result;
            }
            if (!file.write(std::string_view(chunk.get(), n), fec, what)) {
                file_failed();
                co_return result;
            }
        }
        lease->finish_exchange();
        if (!file.commit(fec, what)) {
            result.code = error_code(fec.value(), boost::system::generic_category());
            result.message = what;
            co_return result;
        }
        out.path = path;
        out.size = file.size();
        out.content_type = std::move(content_type);
        co_return result;
    };
}

asio::awaitable<operation_result<download_result>>
run_file_download(std::shared_ptr<client_impl> client, std::string id, std::filesystem::path path,
                  request_options options) {
    operation_result<download_result> o;
    response_metadata meta;
    meta.times.started = std::chrono::steady_clock::now();
    auto request = get(with_query("/files/" + codec::percent_encode(id) + "/content", options));
    request.accept = "*/*";
    request.expected_type = "*/*";
    auto reader = write_to(path, client->config().max_body_size, o.second);
    o.first = co_await exchange(*client, request, options, reader, meta);
    if (o.first.code) {
        o.first.message = "files.download_content(" + id + ") failed: " + o.first.message;
        o.second = {};
    } else {
        meta.times.completed = std::chrono::steady_clock::now();
    }
    o.second.meta = std::move(meta);
    co_return o;
}

// ---- batches

asio::awaitable<operation_result<batch>> run_batch_create(std::shared_ptr<client_impl> client,
                                                          batch_create_request req,
                                                          request_options options) {
    auto body = to_json(req);
    for (const auto& [k, v] : options.extra_body) {
        if (body.contains(k) && !options.extra_body_override) {
            error_info err;
            err.code = errc::invalid_request;
            err.message = "batches.create: extra_body member '" + std::string(k) +
                          "' collides with a field the library sets";
            co_return operation_result<batch>{std::move(err), {}};
        }
        body[k] = v;
    }
    prepared_request request;
    request.method = "POST";
    request.path = "/batches";
    request.body =
        std::make_shared<transport::string_body>("application/json", boost::json::serialize(body));
    // A batch is billed once created: a lost answer must not create a second one.
    request.creates_images = true;
    co_return co_await json_call<batch>(client, std::move(request), std::move(options),
                                        "batches.create", decode_batch);
}

} // namespace

// ---- the content stream

class content_state {
public:
    using strand_type = asio::strand<asio::any_io_executor>;

    content_state(std::shared_ptr<client_impl> client, strand_type strand)
        : client_(std::move(client))
        , strand_(std::move(strand)) {}
    ~content_state() { release(false); }

    const strand_type& strand() const noexcept { return strand_; }
    const asio::any_io_executor& client_executor() const noexcept { return client_->executor(); }
    response_metadata& metadata() noexcept { return meta_; }
    void adopt(transport::lease lease, std::chrono::milliseconds idle) {
        length_ = lease->body_length();
        lease_ = std::move(lease);
        idle_ = idle;
    }
    std::optional<std::uint64_t> length() const noexcept { return length_; }
    std::uint64_t received() const noexcept { return received_.load(std::memory_order_relaxed); }

    bool try_begin() noexcept { return !busy_.exchange(true, std::memory_order_acq_rel); }
    void end_read() noexcept { busy_.store(false, std::memory_order_release); }

    asio::awaitable<operation_result<std::size_t>> read(char* data, std::size_t size) {
        operation_result<std::size_t> out{};
        auto fail = [&](error_code ec, std::string what, request_outcome outcome) {
            out.first.code = ec;
            out.first.message = std::move(what);
            out.first.http_status = meta_.http_status;
            out.first.request_id = meta_.request_id;
            out.first.attempts = meta_.attempts;
            out.first.outcome = outcome;
            release(false);
            failed_ = true;
        };
        if (ended_)
            co_return out;
        if (failed_ || close_requested_.load(std::memory_order_acquire) || !lease_) {
            fail(errc::stream_closed, "read_some() on a file content stream that is closed",
                 request_outcome::not_sent);
            co_return out;
        }
        if (size == 0 && !lease_->body_done())
            co_return out; // like Asio's read_some with an empty buffer: nothing to do
        while (!lease_->body_done()) {
            transport::deadline limit;
            if (idle_.count() > 0)
                limit = {transport::clock::now() + idle_, errc::stream_idle_timeout};
            error_code ec;
            std::string what;
            std::size_t n = 0;
            try {
                n = co_await lease_->read_body(data, size, limit, ec, what);
            } catch (const boost::system::system_error& e) {
                ec = e.code();
                what = "cancelled";
            }
            if (close_requested_.load(std::memory_order_acquire)) {
                fail(errc::stream_closed, "the file content stream was closed",
                     request_outcome::unknown);
                co_return out;
            }
            if (ec) {
                fail(ec,
                     "file content read failed after " + std::to_string(received()) + " bytes" +
                         (length_ ? " of " + std::to_string(*length_) : "") + ": " + what,
                     request_outcome::unknown);
                co_return out;
            }
            if (n > 0) {
                received_.fetch_add(n, std::memory_order_relaxed);
                out.second = n;
                co_return out;
            }
        }
        lease_->finish_exchange();
        release(true);
        ended_ = true;
        co_return out;
    }

    static void request_close(const std::shared_ptr<content_state>& self) noexcept {
        self->close_requested_.store(true, std::memory_order_release);
        if (!self->busy_.load(std::memory_order_acquire)) {
            self->release(false);
            return;
        }
        asio::dispatch(self->strand_, [self] {
            if (self->lease_)
                self->lease_->close(); // wakes the pending read, which lets the lease go
        });
    }

    response_metadata meta_;

private:
    void release(bool clean) noexcept {
        if (lease_) {
            if (!clean)
                lease_->close();
            lease_.reset();
        }
    }

    std::shared_ptr<client_impl> client_;
    strand_type strand_;
    transport::lease lease_;
    std::optional<std::uint64_t> length_;
    std::chrono::milliseconds idle_{0};
    bool ended_ = false;
    bool failed_ = false;
    std::atomic<bool> busy_{false};
    std::atomic<bool> close_requested_{false};
    std::atomic<std::uint64_t> received_{0};
};

namespace {

asio::awaitable<operation_result<file_content_stream>>
run_open_content(std::shared_ptr<client_impl> client, std::shared_ptr<content_state> state,
                 std::string id, request_options options) {
    operation_result<file_content_stream> result;
    auto& meta = state->metadata();
    meta.times.started = std::chrono::steady_clock::now();
    auto request = get(with_query("/files/" + codec::percent_encode(id) + "/content", options));
    request.accept = "*/*";
    request.expected_type = "*/*";
    const auto idle = options.timeouts.value_or(client->config().timeouts).stream_idle;
    body_reader hand_over = [&state,
                             idle](transport::lease& lease, const http::fields&, int,
                                   const transport::deadline&) -> asio::awaitable<error_info> {
        state->adopt(std::move(lease), idle);
        co_return error_info{};
    };
    result.first = co_await exchange(*client, request, options, hand_over, meta);
    if (result.first.code)
        result.first.message = "files.content(" + id + ") failed: " + result.first.message;
    else
        result.second = content_access::make(std::move(state));
    co_return result;
}

asio::awaitable<operation_result<std::size_t>> run_read(std::shared_ptr<content_state> state,
                                                        asio::mutable_buffer buffer) {
    co_return co_await state->read(static_cast<char*>(buffer.data()), buffer.size());
}

} // namespace

// ---- entry points

void start_file_upload(std::shared_ptr<client_impl> client, file_upload upload,
                       request_options options, operation_handler<file_object> handler) {
    launch(client, run_upload(client, std::move(upload), std::move(options)), std::move(handler));
}

void start_file_retrieve(std::shared_ptr<client_impl> client, std::string id,
                         request_options options, operation_handler<file_object> handler) {
    auto what = "files.retrieve(" + id + ")";
    launch(client,
           json_call<file_object>(client, get("/files/" + codec::percent_encode(id)),
                                  std::move(options), std::move(what), decode_file_object),
           std::move(handler));
}

void start_file_remove(std::shared_ptr<client_impl> client, std::string id, request_options options,
                       operation_handler<file_deleted> handler) {
    auto request = get("/files/" + codec::percent_encode(id));
    request.method = "DELETE";
    auto what = "files.remove(" + id + ")";
    launch(client,
           json_call<file_deleted>(client, std::move(request), std::move(options), std::move(what),
                                   decode_file_deleted),
           std::move(handler));
}

void start_file_content(std::shared_ptr<client_impl> client, std::string id,
                        request_options options, operation_handler<file_content_stream> handler) {
    auto strand = asio::make_strand(client->executor());
    auto state = std::make_shared<content_state>(client, strand);
    start_operation(strand, client->executor(),
                    run_open_content(client, std::move(state), std::move(id), std::move(options)),
                    std::move(handler));
}

void start_file_download(std::shared_ptr<client_impl> client, std::string id,
                         std::filesystem::path path, request_options options,
                         operation_handler<download_result> handler) {
    launch(client, run_file_download(client, std::move(id), std::move(path), std::move(options)),
           std::move(handler));
}

void start_content_read(std::shared_ptr<content_state> state, asio::mutable_buffer buffer,
                        operation_handler<std::size_t> handler) {
    if (!state) {
        error_info info;
        info.code = errc::stream_closed;
        info.message = "read_some() on a file content stream that is closed (default-constructed, "
                       "moved from or closed)";
        return complete_with_failure(asio::system_executor(), std::move(handler), std::move(info));
    }
    if (!state->try_begin()) {
        error_info info;
        info.code = errc::concurrent_next;
        info.message = "read_some() was called while another read_some() on the same file "
                       "content stream is pending";
        return complete_with_failure(state->client_executor(), std::move(handler), std::move(info));
    }
    const auto strand = state->strand();
    const auto io = state->client_executor();
    start_operation(strand, io, run_read(state, buffer), std::move(handler),
                    [state] { state->end_read(); });
}

void close_content(const std::shared_ptr<content_state>& state) noexcept {
    if (state)
        content_state::request_close(state);
}

const response_metadata& content_metadata(const content_state& state) noexcept {
    return state.meta_;
}

const asio::any_io_executor& content_executor(const content_state& state) noexcept {
    return state.client_executor();
}

std::optional<std::uint64_t> content_length(const content_state& state) noexcept {
    return state.length();
}

std::uint64_t content_received(const content_state& state) noexcept {
    return state.received();
}

void start_batch_create(std::shared_ptr<client_impl> client, batch_create_request req,
                        request_options options, operation_handler<batch> handler) {
    launch(client, run_batch_create(client, std::move(req), std::move(options)),
           std::move(handler));
}

void start_batch_call(std::shared_ptr<client_impl> client, batch_verb verb, std::string id,
                      request_options options, operation_handler<batch> handler) {
    auto request = get("/batches/" + codec::percent_encode(id));
    std::string what = "batches.retrieve(" + id + ")";
    if (verb == batch_verb::cancel) {
        request.method = "POST";
        request.path += "/cancel";
        what = "batches.cancel(" + id + ")";
    }
    launch(client,
           json_call<batch>(client, std::move(request), std::move(options), std::move(what),
                            decode_batch),
           std::move(handler));
}

void start_batch_list(std::shared_ptr<client_impl> client, batch_list_request req,
                      request_options options, operation_handler<batch_list> handler) {
    std::vector<std::pair<std::string, std::string>> query;
    if (req.limit)
        query.emplace_back("limit", std::to_string(*req.limit));
    if (req.after)
        query.emplace_back("after", *req.after);
    std::string path = "/batches";
    if (!query.empty())
        path = codec::append_query(std::move(path), codec::encode_query(query));
    launch(client,
           json_call<batch_list>(client, get(std::move(path)), std::move(options), "batches.list",
                                 decode_batch_list),
           std::move(handler));
}

} // namespace openai::detail
