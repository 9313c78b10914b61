/// openai::files: the Files API (`/v1/files`) of one client, the storage the Batch API reads its
/// input from and writes its output to (see <openai/batches.hpp>).
///
///   auto files = client.files();
///   openai::file_object f = co_await files.upload(openai::file_upload::from_path("in.jsonl"));
///   auto content = co_await files.content(f.id);          // the bytes, pulled as a stream
///   char buf[65536];
///   while (std::size_t n = co_await content.read_some(asio::buffer(buf))) use(buf, n);
///   co_await files.download_content(f.id, "copy.jsonl");  // or straight to a file, atomically
///   co_await files.remove(f.id);
///
/// Every member is an Asio asynchronous operation with the contract of the image calls (see
/// <openai/images.hpp>): a completion token defaulting to `asio::deferred`, four overloads (with
/// or without `request_options`, with or without an `error_info&`); handler signature
/// `void(std::exception_ptr, T)` (the exception an openai::request_error), or with an
/// `error_info&` `void(boost::system::error_code, T)` and the facts in it, T being the member's
/// result (file_object, file_deleted, file_content_stream, download_result; for the Batch API
/// batch and batch_list); the initiating call throws only std::bad_alloc; the handler on its
/// associated executor (the client's when it has none) and never inside the initiating call,
/// terminal per-operation cancellation through the token's cancellation slot (completes with
/// `asio::error::operation_aborted`, closes the connection it used), arguments taken by value,
/// the client may be destroyed while a call is in flight, safe to call from any thread.
#pragma once

#include <openai/batch_types.hpp>
#include <openai/client_config.hpp>
#include <openai/detail/awaitable_fix.hpp>
#include <openai/detail/initiate.hpp>
#include <openai/download.hpp>
#include <openai/json.hpp>
#include <openai/open_string.hpp>
#include <openai/request_error.hpp>
#include <openai/response_metadata.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace openai {

class file_content_stream;

} // namespace openai

OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::file_object)
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::file_deleted)
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(std::size_t)

namespace openai {

namespace detail {

class client_impl;
class content_state;

/// Compiled entry points (src/api/files_batches.cpp).
void start_file_upload(std::shared_ptr<client_impl> client, file_upload upload,
                       request_options options, operation_handler<file_object> handler);
void start_file_retrieve(std::shared_ptr<client_impl> client, std::string id,
                         request_options options, operation_handler<file_object> handler);
void start_file_remove(std::shared_ptr<client_impl> client, std::string id, request_options options,
                       operation_handler<file_deleted> handler);
void start_file_content(std::shared_ptr<client_impl> client, std::string id,
                        request_options options, operation_handler<file_content_stream> handler);
void start_file_download(std::shared_ptr<client_impl> client, std::string id,
                         std::filesystem::path path, request_options options,
                         operation_handler<download_result> handler);
void start_content_read(std::shared_ptr<content_state> state, boost::asio::mutable_buffer buffer,
                        operation_handler<std::size_t> handler);
void close_content(const std::shared_ptr<content_state>& state) noexcept;
const response_metadata& content_metadata(const content_state& state) noexcept;
const boost::asio::any_io_executor& content_executor(const content_state& state) noexcept;
std::optional<std::uint64_t> content_length(const content_state& state) noexcept;
std::uint64_t content_received(const content_state& state) noexcept;

struct content_access {
    static file_content_stream make(std::shared_ptr<content_state> state) noexcept;
};

template <class T>
concept not_files_argument = !std::is_same_v<std::decay_t<T>, request_options> &&
                             !std::is_same_v<std::decay_t<T>, error_info>;

} // namespace detail

/// The bytes of one file (`GET /v1/files/{id}/content`), pulled a buffer at a time: nothing is
/// read before read_some() asks (TCP backpressure), and the file is never held whole. Move-only;
/// a default-constructed or moved-from stream is closed. The connection returns to the client's
/// pool only after the whole body was read; close(), an error or the destruction of the stream
/// closes it instead.
///
/// Thread safety: one object must not be used from two threads at once; its pending read_some()
/// runs on a strand of its own.
class file_content_stream {
public:
    file_content_stream() noexcept = default;
    file_content_stream(file_content_stream&&) noexcept = default;
    file_content_stream& operator=(file_content_stream&& other) noexcept {
        if (this != &other) {
            close();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    file_content_stream(const file_content_stream&) = delete;
    file_content_stream& operator=(const file_content_stream&) = delete;
    ~file_content_stream() { close(); }

    using executor_type = boost::asio::any_io_executor;
    /// Precondition: valid().
    executor_type get_executor() const noexcept { return detail::content_executor(*state_); }

    /// Reads the next bytes of the file into `buffer` and yields their number: at least one,
    /// or 0 once the whole body was read (and on every later call). An empty `buffer` yields 0
    /// at once without reading.
    ///
    /// - **Handler signature**: `void(std::exception_ptr, std::size_t)`; with an `error_info&`,
    ///   `void(boost::system::error_code, std::size_t)` and the facts in `info`.
    /// - **Executor**: the handler's associated executor (get_executor() when it has none),
    ///   never inside read_some().
    /// - **Object lifetimes**: `buffer` must stay valid until the handler runs; the stream may be
    ///   destroyed while a read is pending (it then completes with errc::stream_closed).
    /// - **Per-operation cancellation**: terminal, through the token's cancellation slot:
    ///   completes with `asio::error::operation_aborted` and closes the stream.
    /// - **Errors**: errc::truncated_body or errc::connection_closed when the connection ends
    ///   before the announced length (the bytes already yielded are not the whole file: a
    ///   reader of JSONL must drop its unfinished last line), errc::stream_idle_timeout
    ///   (client_config::timeouts.stream_idle between two reads), errc::concurrent_next when
    ///   another read_some() is pending, errc::stream_closed once closed or failed. Never
    ///   retried (bytes already reached the caller): open the content again.
    /// - **Thread safety**: one read_some() at a time.
    template <class CompletionToken = boost::asio::deferred_t>
    requires(!std::is_same_v<std::decay_t<CompletionToken>, error_info>) auto read_some(
        boost::asio::mutable_buffer buffer, CompletionToken&& token = {}) {
        return detail::initiate<std::size_t>(std::forward<CompletionToken>(token),
                                             &detail::start_content_read, state_, buffer);
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto read_some(boost::asio::mutable_buffer buffer, error_info& info,
                   CompletionToken&& token = {}) {
        return detail::initiate<std::size_t>(info, std::forward<CompletionToken>(token),
                                             &detail::start_content_read, state_, buffer);
    }

    /// Ends the read early and closes the connection (unless the body was read whole). A pending
    /// read_some() completes with errc::stream_closed. Idempotent; never blocks.
    void close() noexcept {
        if (state_) {
            detail::close_content(state_);
            state_.reset();
        }
    }

    bool valid() const noexcept { return state_ != nullptr; }
    /// Status, x-request-id, attempts of the request that opened the stream. Precondition: valid().
    const response_metadata& metadata() const noexcept { return detail::content_metadata(*state_); }
    /// The Content-Length the server announced, when it did. Precondition: valid().
    std::optional<std::uint64_t> size() const noexcept { return detail::content_length(*state_); }
    /// Bytes yielded so far; 0 for a stream that is not valid().
    std::uint64_t bytes_received() const noexcept {
        return state_ ? detail::content_received(*state_) : 0;
    }

private:
    friend struct detail::content_access;
    explicit file_content_stream(std::shared_ptr<detail::content_state> state) noexcept
        : state_(std::move(state)) {}
    std::shared_ptr<detail::content_state> state_;
};

inline file_content_stream
detail::content_access::make(std::shared_ptr<content_state> state) noexcept {
    return file_content_stream(std::move(state));
}

/// The Files API of one client: a cheap handle (copies share the client's state). See the
/// header's comment for the contract every member shares; each states its own errors.
class client;

class files {
public:
    /// `POST /v1/files` (multipart: `purpose`, then `file`). A path is streamed from disk (its
    /// size is taken before sending, so the body has a Content-Length; a file that changes size
    /// fails with errc::file_changed) and read again for a retry.
    ///
    /// Errors: errc::file_unreadable before sending; HTTP statuses with the API's error;
    /// transport and timeout codes. Retries: like the image calls. An upload creates a stored
    /// object, so an `unknown` outcome (sent whole, answer lost) is NOT retried by default (a
    /// second copy could be stored); client_config::retry.unknown_outcome or
    /// request_options::retry_unknown_outcome allows it.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto upload(file_upload u, CompletionToken&& token = {}) const {
        return upload(std::move(u), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto upload(file_upload u, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<file_object>(std::forward<CompletionToken>(token),
                                             &detail::start_file_upload, impl_, std::move(u),
                                             std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto upload(file_upload u, error_info& info, CompletionToken&& token = {}) const {
        return upload(std::move(u), request_options{}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto upload(file_upload u, request_options o, error_info& info,
                CompletionToken&& token = {}) const {
        return detail::initiate<file_object>(info, std::forward<CompletionToken>(token),
                                             &detail::start_file_upload, impl_, std::move(u),
                                             std::move(o));
    }

    /// `GET /v1/files/{id}`. Errors: errc::not_found (404, the API's message "No such File
    /// object: ID" in the error) and the usual codes. A lost answer is retried (nothing is
    /// created).
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto retrieve(std::string id, CompletionToken&& token = {}) const {
        return retrieve(std::move(id), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto retrieve(std::string id, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<file_object>(std::forward<CompletionToken>(token),
                                             &detail::start_file_retrieve, impl_, std::move(id),
                                             std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto retrieve(std::string id, error_info& info, CompletionToken&& token = {}) const {
        return retrieve(std::move(id), request_options{}, info,
                        std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto retrieve(std::string id, request_options o, error_info& info,
                  CompletionToken&& token = {}) const {
        return detail::initiate<file_object>(info, std::forward<CompletionToken>(token),
                                             &detail::start_file_retrieve, impl_, std::move(id),
                                             std::move(o));
    }

    /// `DELETE /v1/files/{id}`. Errors: errc::not_found for an unknown id. Retried like retrieve
    /// (a repeated delete of a deleted file answers 404, reported as such).
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto remove(std::string id, CompletionToken&& token = {}) const {
        return remove(std::move(id), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto remove(std::string id, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<file_deleted>(std::forward<CompletionToken>(token),
                                              &detail::start_file_remove, impl_, std::move(id),
                                              std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto remove(std::string id, error_info& info, CompletionToken&& token = {}) const {
        return remove(std::move(id), request_options{}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto remove(std::string id, request_options o, error_info& info,
                CompletionToken&& token = {}) const {
        return detail::initiate<file_deleted>(info, std::forward<CompletionToken>(token),
                                              &detail::start_file_remove, impl_, std::move(id),
                                              std::move(o));
    }

    /// `GET /v1/files/{id}/content`, completed once the response head arrived (retried up to
    /// there like retrieve): the body is then read through the file_content_stream. Errors:
    /// errc::not_found for an unknown id, and the usual codes.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto content(std::string id, CompletionToken&& token = {}) const {
        return content(std::move(id), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto content(std::string id, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<file_content_stream>(std::forward<CompletionToken>(token),
                                                     &detail::start_file_content, impl_,
                                                     std::move(id), std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto content(std::string id, error_info& info, CompletionToken&& token = {}) const {
        return content(std::move(id), request_options{}, info,
                       std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto content(std::string id, request_options o, error_info& info,
                 CompletionToken&& token = {}) const {
        return detail::initiate<file_content_stream>(info, std::forward<CompletionToken>(token),
                                                     &detail::start_file_content, impl_,
                                                     std::move(id), std::move(o));
    }

    /// The content of file `id` written to `path`, like client::download: streamed to a
    /// temporary file beside `path`, renamed over it once whole; a failure, a truncated body or
    /// a cancellation leaves nothing at `path` (nor a temporary). A cut body is retried from the
    /// start (nothing is created by reading), within client_config::retry; if it stays cut the
    /// error is errc::truncated_body or errc::connection_closed. Errors also: errc::not_found,
    /// file errors (generic category) naming the file, errc::body_too_large past
    /// client_config::max_body_size.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto download_content(std::string id, std::filesystem::path path,
                          CompletionToken&& token = {}) const {
        return download_content(std::move(id), std::move(path), request_options{},
                                std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto download_content(std::string id, std::filesystem::path path, request_options o,
                          CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(std::forward<CompletionToken>(token),
                                                 &detail::start_file_download, impl_, std::move(id),
                                                 std::move(path), std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download_content(std::string id, std::filesystem::path path, error_info& info,
                          CompletionToken&& token = {}) const {
        return download_content(std::move(id), std::move(path), request_options{}, info,
                                std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto download_content(std::string id, std::filesystem::path path, request_options o,
                          error_info& info, CompletionToken&& token = {}) const {
        return detail::initiate<download_result>(info, std::forward<CompletionToken>(token),
                                                 &detail::start_file_download, impl_, std::move(id),
                                                 std::move(path), std::move(o));
    }

private:
    friend class client;
    explicit files(std::shared_ptr<detail::client_impl> impl) noexcept
        : impl_(std::move(impl)) {}

    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace openai

/// `co_await files.content(id)` with the default `asio::deferred` token.
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::file_content_stream)
