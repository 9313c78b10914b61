/// openai::batches: the Batch API (`/v1/batches`) of one client: many image requests run by the
/// API within a completion window, at a lower price, their results in an output file.
///
///   auto files = client.files();
///   auto batches = client.batches();
///   auto input = co_await files.upload(openai::file_upload::from_path("requests.jsonl"));
///   openai::batch_create_request req;
///   req.input_file_id = input.id;
///   req.endpoint = openai::batch_endpoints::image_generations;
///   openai::batch b = co_await batches.create(req);      // NOT retried on a lost answer
///   while (!b.is_terminal()) {
///       co_await asio::steady_timer(ex, 10s).async_wait(asio::deferred);
///       b = co_await batches.retrieve(b.id);
///   }
///   // The output, line by line, memory bounded by one line's images:
///   openai::batch_output_reader reader;
///   co_await openai::read_file_results(files, *b.output_file_id, reader,
///       [&](openai::batch_result&& r) { ... r.custom_id, r.response->data ... });
///
/// The calls share the contract of <openai/files.hpp> (tokens, overloads, executor,
/// cancellation, lifetimes, thread safety).
#pragma once

#include <openai/batch_output.hpp>
#include <openai/files.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace openai {} // namespace openai

OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::batch)
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::batch_list)

namespace openai {

namespace detail {

enum class batch_verb : std::uint8_t { retrieve, cancel };

/// Compiled entry points (src/api/files_batches.cpp).
void start_batch_create(std::shared_ptr<client_impl> client, batch_create_request req,
                        request_options options, operation_handler<batch> handler);
void start_batch_call(std::shared_ptr<client_impl> client, batch_verb verb, std::string id,
                      request_options options, operation_handler<batch> handler);
void start_batch_list(std::shared_ptr<client_impl> client, batch_list_request req,
                      request_options options, operation_handler<batch_list> handler);

} // namespace detail

/// The Batch API of one client: a cheap handle (copies share the client's state).
class client;

class batches {
public:
    /// `POST /v1/batches`. Errors: errc::bad_request naming `param` (an unknown endpoint, an
    /// input file that is not a batch file), errc::not_found (no such input file), and the usual
    /// codes.
    ///
    /// **Billing**: a batch runs, and is billed, once created. An `unknown` outcome (the request
    /// was sent whole, then the connection reset, timed out or the answer was cut) is NOT
    /// retried by default: a second attempt could create and bill a second batch for the same
    /// requests. Find out with list() whether the batch exists (e.g. by its `metadata`) before
    /// creating again. client_config::retry.unknown_outcome or
    /// request_options::retry_unknown_outcome allows the retry. `not_sent` failures and
    /// retryable statuses (429, 5xx...) are retried as for every call.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto create(batch_create_request req, CompletionToken&& token = {}) const {
        return create(std::move(req), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto create(batch_create_request req, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<batch>(std::forward<CompletionToken>(token),
                                       &detail::start_batch_create, impl_, std::move(req),
                                       std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create(batch_create_request req, error_info& info, CompletionToken&& token = {}) const {
        return create(std::move(req), request_options{}, info,
                      std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto create(batch_create_request req, request_options o, error_info& info,
                CompletionToken&& token = {}) const {
        return detail::initiate<batch>(info, std::forward<CompletionToken>(token),
                                       &detail::start_batch_create, impl_, std::move(req),
                                       std::move(o));
    }

    /// `GET /v1/batches/{id}`: the batch now (poll it until is_terminal()). Errors:
    /// errc::not_found ("No such Batch object: ID"). Retried on every retryable failure,
    /// lost answers included (a poll changes nothing).
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto retrieve(std::string id, CompletionToken&& token = {}) const {
        return retrieve(std::move(id), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto retrieve(std::string id, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<batch>(std::forward<CompletionToken>(token),
                                       &detail::start_batch_call, impl_,
                                       detail::batch_verb::retrieve, std::move(id), std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto retrieve(std::string id, error_info& info, CompletionToken&& token = {}) const {
        return retrieve(std::move(id), request_options{}, info,
                        std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto retrieve(std::string id, request_options o, error_info& info,
                  CompletionToken&& token = {}) const {
        return detail::initiate<batch>(info, std::forward<CompletionToken>(token),
                                       &detail::start_batch_call, impl_,
                                       detail::batch_verb::retrieve, std::move(id), std::move(o));
    }

    /// `POST /v1/batches/{id}/cancel`: the batch goes to `cancelling`, then `cancelled`, keeping
    /// the results so far (in its output file; the rest in its error file). Retried like
    /// retrieve (cancelling twice is harmless).
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto cancel(std::string id, CompletionToken&& token = {}) const {
        return cancel(std::move(id), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto cancel(std::string id, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<batch>(std::forward<CompletionToken>(token),
                                       &detail::start_batch_call, impl_, detail::batch_verb::cancel,
                                       std::move(id), std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto cancel(std::string id, error_info& info, CompletionToken&& token = {}) const {
        return cancel(std::move(id), request_options{}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto cancel(std::string id, request_options o, error_info& info,
                CompletionToken&& token = {}) const {
        return detail::initiate<batch>(info, std::forward<CompletionToken>(token),
                                       &detail::start_batch_call, impl_, detail::batch_verb::cancel,
                                       std::move(id), std::move(o));
    }

    /// `GET /v1/batches`: one page, newest first; pass `after = page.last_id` while
    /// `page.has_more` for the next.
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto list(batch_list_request req = {}, CompletionToken&& token = {}) const {
        return list(std::move(req), request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    requires detail::not_files_argument<CompletionToken>
    auto list(batch_list_request req, request_options o, CompletionToken&& token = {}) const {
        return detail::initiate<batch_list>(std::forward<CompletionToken>(token),
                                            &detail::start_batch_list, impl_, std::move(req),
                                            std::move(o));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto list(batch_list_request req, error_info& info, CompletionToken&& token = {}) const {
        return list(std::move(req), request_options{}, info, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
    auto list(batch_list_request req, request_options o, error_info& info,
              CompletionToken&& token = {}) const {
        return detail::initiate<batch_list>(info, std::forward<CompletionToken>(token),
                                            &detail::start_batch_list, impl_, std::move(req),
                                            std::move(o));
    }

private:
    friend class client;
    explicit batches(std::shared_ptr<detail::client_impl> impl) noexcept
        : impl_(std::move(impl)) {}

    std::shared_ptr<detail::client_impl> impl_;
};

/// Reads the content of file `file_id` (a batch's output or error file) through `reader`,
/// calling `on_result(batch_result&&)` for each line as it is decoded: the file streams through
/// a 64 KiB buffer, so memory stays bounded by one line's images (none with a
/// batch_image_sink). The reader is fed the end of the file only after the whole body arrived:
/// if the download is cut, the unfinished last line yields no result and the error
/// (errc::truncated_body, connection_closed...) is thrown as a request_error; the results
/// already delivered stand. `on_result` may throw (the download is then closed).
/// Runs inside `asio::awaitable` on the caller's executor.
template <class F>
boost::asio::awaitable<std::uint64_t> read_file_results(files f, std::string file_id,
                                                        batch_output_reader& reader, F on_result,
                                                        request_options options = {}) {
    auto content = co_await f.content(std::move(file_id), std::move(options));
    std::unique_ptr<char[]> buf(new char[64 * 1024]);
    std::uint64_t lines = 0;
    auto counted = [&](batch_result&& r) {
        ++lines;
        on_result(std::move(r));
    };
    for (;;) {
        const std::size_t n = co_await content.read_some(boost::asio::buffer(buf.get(), 64 * 1024));
        read_batch_output(reader, std::string_view(buf.get(), n), n == 0, counted);
        if (n == 0)
            break;
    }
    co_return lines;
}

} // namespace openai
