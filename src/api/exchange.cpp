#include "api/exchange.hpp"

#include "api/http_head.hpp"
#include "codec/retry_rules.hpp"

#include <openai/error.hpp>
#include <openai/json.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using std::chrono::milliseconds;
using transport::clock;

namespace {

// Error bodies are small JSON documents; anything bigger is not worth holding.
constexpr std::size_t max_error_body = 1024 * 1024;
constexpr std::size_t read_chunk = 64 * 1024;

double unit_random() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
            return false;
    return true;
}

// Transport failures the SDKs retry: the request may not have reached the server, or its answer
// was lost. Certificate problems and our own refusals are final.
bool is_retryable_transport(const error_code& ec) {
    return ec == errc::connection_closed || ec == errc::connect_failed ||
           ec == errc::resolve_failed || ec == errc::truncated_body ||
           ec == errc::tls_handshake_failed || ec == errc::connect_timeout ||
           ec == errc::tls_handshake_timeout || ec == errc::write_timeout ||
           ec == errc::first_byte_timeout || ec == errc::request_timeout;
}

struct attempt_result {
    error_info error;
    bool retryable = false;
    bool stale_connection = false; // a reused connection failed before any response byte
    // The response's retry headers, kept as strings: the head dies with the exchange.
    std::string should_retry;
    std::string retry_after_ms;
    std::string retry_after;

    codec::retry_headers retry_hints() const noexcept {
        return {should_retry, retry_after_ms, retry_after};
    }
};

// Reads an error response body (bounded) and fills in what the API said.
asio::awaitable<void> read_error_body(transport::connection& conn, const http::fields& fields,
                                      int status, const transport::deadline& limit,
                                      error_info& out) {
    std::string body;
    std::unique_ptr<char[]> chunk(new char[read_chunk]);
    error_code ec;
    std::string what;
    while (!conn.body_done() && body.size() < max_error_body) {
        const auto n = co_await conn.read_body(chunk.get(), read_chunk, limit, ec, what);
        if (ec)
            break; // keep what we have; the status is the main fact
        body.append(chunk.get(), n);
    }
    if (!conn.body_done())
        conn.close(); // unread rest: the connection cannot be reused

    const auto content_type = std::string(fields[http::field::content_type]);
    const auto status_text = "HTTP " + std::to_string(status);
    out.code = status_error(status);
    if (starts_with_icase(content_type, "application/json")) {
        auto decoded = decode_api_error(body);
        if (decoded.ok()) {
            out.api = std::move(decoded.value);
            out.message = status_text + ": " + out.api->message.value_or("(no message)");
            if (out.api->type)
                out.message += " [type " + *out.api->type + "]";
            if (out.api->param)
                out.message += " [param " + *out.api->param + "]";
            if (out.api->code)
                out.message += " [code " + *out.api->code + "]";
            co_return;
        }
        out.message = status_text + " with an unreadable JSON error body: " + decoded.message;
        co_return;
    }
    // Not the API talking: most often a proxy or load balancer page.
    out.code = errc::unexpected_content_type;
    out.message = status_text + " with a '" + (content_type.empty() ? "no" : content_type) +
                  "' body instead of the API's JSON error (a proxy or gateway error page?)";
}

asio::awaitable<attempt_result> attempt(client_impl& client, const prepared_request& request,
                                        const transport::route& route, const std::string& head,
                                        const timeouts& limits, bool fresh_only,
                                        const body_reader& on_success, response_metadata& meta,
                                        bool& reused) {
    attempt_result result;
    auto& err = result.error;
    const transport::deadline request_deadline{
        limits.request.count() > 0 ? clock::now() + limits.request : clock::time_point::max(),
        errc::request_timeout};

    error_code ec;
    std::string what;
    auto lease = co_await client.pool().acquire(route, fresh_only, ec);
    if (ec) {
        err.code = ec;
        err.message = "cancelled while waiting for a connection";
        co_return result;
    }
    reused = lease.reused();
    if (!lease->is_open()) {
        co_await lease->open(limits.connect, limits.tls_handshake, request_deadline, ec, what);
        if (ec) {
            err.code = ec;
            err.message = what;
            result.retryable = is_retryable_transport(ec);
            co_return result;
        }
    }
    co_await lease->write_request(head, request.body.get(), limits.write, request_deadline, ec,
                                  what);
    if (!ec) {
        co_await lease->read_head(transport::phase_deadline(limits.first_byte,
                                                            errc::first_byte_timeout,
                                                            request_deadline),
                                  ec, what);
    }
    if (ec) {
        err.code = ec;
        err.message = what;
        result.retryable = is_retryable_transport(ec);
        result.stale_connection =
            lease.reused() && ec == errc::connection_closed && !lease->response_started();
        co_return result;
    }

    const auto& response = lease->response();
    const int status = static_cast<int>(response.result_int());
    read_metadata(response, status, meta);
    err.http_status = status;
    err.request_id = meta.request_id;

    if (status >= 200 && status < 300) {
        const auto content_type = response[http::field::content_type];
        const auto expected =
            request.expected_type.empty() ? request.accept : request.expected_type;
        if (expected != "*/*" && !starts_with_icase(content_type, expected)) {
            err.code = errc::unexpected_content_type;
            err.message = "HTTP " + std::to_string(status) + " with content type '" +
                          std::string(content_type) + "' where '" + std::string(expected) +
                          "' was expected";
            lease->close();
            co_return result;
        }
        auto body = co_await on_success(lease, response, status, request_deadline);
        err.code = body.error.code;
        if (err.code) {
            err.message = std::move(body.error.message);
            err.api = std::move(body.error.api);
            result.retryable = body.retryable;
        }
        co_return result;
    }

    result.should_retry = std::string(response["x-should-retry"]);
    result.retry_after_ms = std::string(response["retry-after-ms"]);
    result.retry_after = std::string(response["retry-after"]);
    co_await read_error_body(*lease, response, status, request_deadline, err);
    if (lease->body_done())
        lease->finish_exchange(); // invalidates `response`
    result.retryable = codec::is_retryable_status(status, result.retry_hints());
    co_return result;
}

} // namespace

body_result body_read_failure(const error_code& ec, std::string what) {
    body_result result;
    result.error.code = ec;
    result.error.message = std::move(what);
    result.retryable =
        ec == errc::connection_closed || ec == errc::truncated_body || ec == errc::request_timeout;
    return result;
}

asio::awaitable<error_info> exchange(client_impl& client, const prepared_request& request,
                                     const request_options& options, const body_reader& on_success,
                                     response_metadata& meta) {
    const auto& config = client.config();
    const auto limits = options.timeouts.value_or(config.timeouts);
    const unsigned max_retries = options.max_retries.value_or(config.retry.max_retries);
    const auto started = clock::now();

    const auto& target = request.origin ? *request.origin : client.base().origin;
    const auto route = client.route_for(target);
    request_head head_parts;
    head_parts.method = request.method;
    if (request.origin) {
        head_parts.target = request.path;
    } else {
        head_parts.target = client.base().path + request.path;
        if (!client.base().query.empty()) // after request_options::extra_query, if any
            head_parts.target +=
                (request.path.find('?') == std::string::npos ? "?" : "&") + client.base().query;
    }
    // For the attempt hook: a result URL's query may hold a signature, so it is left out.
    const std::string logged_path = request.origin
                                        ? head_parts.target.substr(0, head_parts.target.find('?'))
                                        : head_parts.target;
    head_parts.host = target.host_header();
    head_parts.accept = request.accept;
    if (request.body) {
        head_parts.content_type = request.body->content_type();
        head_parts.content_length = request.body->size();
    }
    head_parts.headers =
        request.origin ? download_headers(options) : standard_headers(config, options);
    if (route.absolute_form()) {
        // Plain http through a proxy: the proxy forwards requests named by absolute URLs.
        head_parts.target = transport::absolute_prefix(target) + head_parts.target;
        if (!route.proxy->authorization.empty())
            head_parts.headers.emplace_back("Proxy-Authorization", route.proxy->authorization);
    }
    std::string head_error;
    auto head = serialize_head(head_parts, head_error);
    if (!head) {
        error_info info;
        info.code = errc::invalid_request;
        info.message = head_error;
        co_return info;
    }

    bool stale_retry_used = false;
    bool fresh_only = false;
    for (unsigned retry = 0;;) {
        const auto attempt_started = clock::now();
        bool reused = false;
        auto result = co_await attempt(client, request, route, *head, limits, fresh_only,
                                       on_success, meta, reused);
        fresh_only = false;
        auto& err = result.error;
        err.attempts = retry + 1;
        meta.attempts = retry + 1;

        attempt_record record;
        record.method = std::string(request.method);
        record.path = logged_path;
        record.attempt = retry;
        record.http_status = err.http_status;
        record.request_id = err.request_id;
        record.error = err.code ? err.message : std::string();
        record.elapsed = std::chrono::duration_cast<milliseconds>(clock::now() - attempt_started);
        record.reused_connection = reused;

        // A kept-alive connection the server had already closed: try once more on a new one,
        // without counting it against the retries.
        if (err.code && result.stale_connection && !stale_retry_used) {
            stale_retry_used = fresh_only = true;
            if (config.on_attempt)
                config.on_attempt(record);
            continue;
        }

        const bool cancelled = err.code == asio::error::operation_aborted;
        std::optional<milliseconds> delay;
        if (err.code && result.retryable && !cancelled) {
            err.retry_after =
                codec::server_retry_delay(result.retry_hints(), std::chrono::system_clock::now());
            if (retry < max_retries) {
                if (err.retry_after)
                    delay = *err.retry_after <= config.retry.max_retry_after
                                ? std::optional<milliseconds>(*err.retry_after)
                                : std::nullopt;
                else
                    delay = codec::backoff_delay(retry, config.retry.initial_backoff,
                                                 config.retry.max_backoff, unit_random());
            }
        } else if (err.code) {
            err.retry_after =
                codec::server_retry_delay(result.retry_hints(), std::chrono::system_clock::now());
        }
        if (delay)
            record.retry_delay = *delay;
        if (config.on_attempt)
            config.on_attempt(record);

        if (!err.code || !delay) {
            meta.elapsed = std::chrono::duration_cast<milliseconds>(clock::now() - started);
            if (err.code && err.attempts > 1)
                err.message += " (after " + std::to_string(err.attempts) + " attempts)";
            co_return std::move(err);
        }

        asio::steady_timer timer(co_await asio::this_coro::executor, *delay);
        error_code wait_ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        if (wait_ec) {
            error_info aborted;
            aborted.code = asio::error::operation_aborted;
            aborted.message = "cancelled while waiting to retry (last error: " + err.message + ")";
            aborted.attempts = err.attempts;
            co_return aborted;
        }
        ++retry;
    }
}

} // namespace openai::detail
