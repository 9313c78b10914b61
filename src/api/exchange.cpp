#include "api/exchange.hpp"

#include "api/http_head.hpp"
#include "codec/ascii.hpp"
#include "codec/retry_planner.hpp"

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

double unit_random() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// What one attempt produced: the error's facts and what the planner needs to know of it. The
// response's retry headers are kept as strings: the head dies with the exchange.
struct attempt_result {
    error_info error;
    codec::attempt_facts facts;
    std::string should_retry;
    std::string retry_after_ms;
    std::string retry_after;

    const codec::attempt_facts& planner_facts() {
        facts.error = error.code;
        facts.headers = {should_retry, retry_after_ms, retry_after};
        return facts;
    }
};

// Reads an error response body (bounded) and fills in what the API said.
asio::awaitable<void> read_error_body(transport::connection& conn, const http::fields& fields,
                                      int status, const transport::deadline& limit,
                                      error_info& out) {
    std::string body;
    std::unique_ptr<char[]> chunk(new char[body_read_chunk]);
    error_code ec;
    std::string what;
    while (!conn.body_done() && body.size() < max_error_body) {
        const auto n = co_await conn.read_body(chunk.get(), body_read_chunk, limit, ec, what);
        if (ec)
            break; // keep what we have; the status is the main fact
        body.append(chunk.get(), n);
    }
    if (!conn.body_done())
        conn.close(); // unread rest: the connection cannot be reused

    const auto content_type = std::string(fields[http::field::content_type]);
    const auto status_text = "HTTP " + std::to_string(status);
    out.code = codec::status_error(status);
    if (codec::starts_with_icase(content_type, "application/json")) {
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

// One try: lease, open, write, read the head, then the body (2xx) or the error body.
asio::awaitable<attempt_result> attempt(client_impl& client, const prepared_request& request,
                                        const transport::route& route, const std::string& head,
                                        const timeouts& limits, bool fresh_only,
                                        const body_reader& on_success, response_metadata& meta) {
    attempt_result result;
    auto& err = result.error;
    auto& facts = result.facts;
    const transport::deadline request_deadline{
        limits.request.count() > 0 ? clock::now() + limits.request : clock::time_point::max(),
        errc::request_timeout};
    auto fail = [&](error_code ec, std::string what) {
        err.code = ec;
        err.message = std::move(what);
    };

    error_code ec;
    std::string what;
    auto lease = co_await client.pool().acquire(route, fresh_only, ec);
    if (ec) {
        fail(ec, "cancelled while waiting for a connection");
        co_return result;
    }
    facts.reused_connection = lease.reused();
    if (!lease->is_open()) {
        co_await lease->open(limits.connect, limits.tls_handshake, request_deadline, ec, what);
        if (ec) {
            fail(ec, std::move(what));
            co_return result;
        }
    }
    co_await lease->write_request(head, request.body.get(), limits.write, request_deadline, ec,
                                  what);
    if (ec) {
        fail(ec, std::move(what));
        co_return result;
    }
    facts.stage = codec::attempt_stage::after_send;
    meta.times.request_written = std::chrono::steady_clock::now();
    co_await lease->read_head(
        transport::phase_deadline(limits.first_byte, errc::first_byte_timeout, request_deadline),
        ec, what);
    if (ec) {
        fail(ec, std::move(what));
        facts.response_started = lease->response_started();
        co_return result;
    }
    meta.times.response_head = std::chrono::steady_clock::now();

    const auto& response = lease->response();
    const int status = static_cast<int>(response.result_int());
    read_metadata(response, status, meta);
    err.http_status = facts.http_status = status;
    err.request_id = meta.request_id;

    if (status >= 200 && status < 300) {
        facts.stage = codec::attempt_stage::body;
        const auto content_type = response[http::field::content_type];
        const auto expected =
            request.expected_type.empty() ? request.accept : request.expected_type;
        if (expected != "*/*" && !codec::starts_with_icase(content_type, expected)) {
            fail(errc::unexpected_content_type, "HTTP " + std::to_string(status) +
                                                    " with content type '" +
                                                    std::string(content_type) + "' where '" +
                                                    std::string(expected) + "' was expected");
            lease->close();
            co_return result;
        }
        auto body_error = co_await on_success(lease, response, status, request_deadline);
        if (body_error.code) {
            err.code = body_error.code;
            err.message = std::move(body_error.message);
            err.api = std::move(body_error.api);
        }
        co_return result;
    }

    facts.stage = codec::attempt_stage::response;
    result.should_retry = std::string(response["x-should-retry"]);
    result.retry_after_ms = std::string(response["retry-after-ms"]);
    result.retry_after = std::string(response["retry-after"]);
    co_await read_error_body(*lease, response, status, request_deadline, err);
    if (lease->body_done())
        lease->finish_exchange(); // invalidates `response`
    co_return result;
}

// The head of the request, the same for every attempt; nullopt (and `error`) when a header is
// unusable.
std::optional<std::string> build_head(client_impl& client, const prepared_request& request,
                                      const request_options& options,
                                      const transport::origin& target,
                                      const transport::route& route, std::string& logged_path,
                                      std::string& error) {
    const auto& config = client.config();
    codec::request_head parts;
    parts.method = request.method;
    if (request.origin) {
        parts.target = request.path;
    } else {
        parts.target = client.base().path + request.path;
        if (!client.base().query.empty()) // after request_options::extra_query, if any
            parts.target +=
                (request.path.find('?') == std::string::npos ? "?" : "&") + client.base().query;
    }
    // For the attempt hook: a result URL's query may hold a signature, so it is left out.
    logged_path = request.origin ? parts.target.substr(0, parts.target.find('?')) : parts.target;
    parts.host = target.host_header();
    parts.accept = request.accept;
    if (request.body) {
        parts.content_type = request.body->content_type();
        parts.content_length = request.body->size();
    }
    parts.headers = request.origin ? download_headers(options) : standard_headers(config, options);
    if (route.absolute_form()) {
        // Plain http through a proxy: the proxy forwards requests named by absolute URLs.
        parts.target = transport::absolute_prefix(target) + parts.target;
        if (!route.proxy->authorization.empty())
            parts.headers.emplace_back("Proxy-Authorization", route.proxy->authorization);
    }
    return codec::serialize_head(parts, error);
}

codec::retry_settings retry_settings_for(const client_config& config,
                                         const prepared_request& request,
                                         const request_options& options) {
    codec::retry_settings settings;
    settings.max_retries = options.max_retries.value_or(config.retry.max_retries);
    settings.initial_backoff = config.retry.initial_backoff;
    settings.max_backoff = config.retry.max_backoff;
    settings.max_retry_after = config.retry.max_retry_after;
    settings.creates_images = request.creates_images;
    settings.retry_unknown_outcome =
        options.retry_unknown_outcome.value_or(config.retry.unknown_outcome);
    return settings;
}

} // namespace

error_info body_read_failure(const error_code& ec, std::string what) {
    error_info info;
    info.code = ec;
    info.message = std::move(what);
    return info;
}

asio::awaitable<error_info> exchange(client_impl& client, const prepared_request& request,
                                     const request_options& options, const body_reader& on_success,
                                     response_metadata& meta) {
    const auto& config = client.config();
    const auto limits = options.timeouts.value_or(config.timeouts);
    const auto started = clock::now();
    const auto& target = request.origin ? *request.origin : client.base().origin;
    const auto route = client.route_for(target);

    std::string logged_path, head_error;
    const auto head = build_head(client, request, options, target, route, logged_path, head_error);
    if (!head) {
        error_info info;
        info.code = errc::invalid_request;
        info.message = head_error;
        co_return info;
    }

    codec::retry_planner planner(retry_settings_for(config, request, options));
    bool fresh_only = false;
    for (;;) {
        const auto attempt_started = clock::now();
        auto result =
            co_await attempt(client, request, route, *head, limits, fresh_only, on_success, meta);
        const auto decision =
            planner.decide(result.planner_facts(), std::chrono::system_clock::now(), unit_random());
        auto& err = result.error;
        err.attempts = meta.attempts = planner.attempts();
        err.outcome = decision.outcome;
        err.retry_after = decision.server_retry_after;
        fresh_only = decision.action == codec::retry_action::retry_fresh;

        if (config.on_attempt) {
            attempt_record record;
            record.method = std::string(request.method);
            record.path = logged_path;
            record.attempt = planner.attempts() - 1;
            record.http_status = err.http_status;
            record.request_id = err.request_id;
            record.error = err.code ? err.message : std::string();
            record.elapsed =
                std::chrono::duration_cast<milliseconds>(clock::now() - attempt_started);
            record.retry_delay = decision.delay;
            record.reused_connection = result.facts.reused_connection;
            config.on_attempt(record);
        }

        if (decision.action == codec::retry_action::retry_fresh)
            continue;
        if (decision.action == codec::retry_action::finish) {
            meta.elapsed = std::chrono::duration_cast<milliseconds>(clock::now() - started);
            if (err.code && err.attempts > 1)
                err.message += " (after " + std::to_string(err.attempts) + " attempts)";
            if (decision.held_back_for_billing)
                err.message += codec::billing_hold_note();
            co_return std::move(err);
        }

        asio::steady_timer timer(co_await asio::this_coro::executor, decision.delay);
        error_code wait_ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        if (wait_ec) {
            error_info aborted;
            aborted.code = asio::error::operation_aborted;
            aborted.message = "cancelled while waiting to retry (last error: " + err.message + ")";
            aborted.attempts = err.attempts;
            aborted.outcome = err.outcome;
            co_return aborted;
        }
    }
}

} // namespace openai::detail
