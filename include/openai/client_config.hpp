// Configuration of an openai::client: where to connect, how to authenticate, and the limits
// (timeouts, retries, pool size, body sizes) that every request made through it obeys.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace openai {

// One HTTP header; names are case-insensitive on the wire.
using header = std::pair<std::string, std::string>;
using header_list = std::vector<header>;

// Zero disables a timeout. Image generations can take minutes, so the request timeout is long.
struct timeouts {
    std::chrono::milliseconds connect{std::chrono::seconds{10}};       // TCP connect, per address
    std::chrono::milliseconds tls_handshake{std::chrono::seconds{10}}; // TLS handshake
    std::chrono::milliseconds write{std::chrono::seconds{60}};     // each write must make progress
    std::chrono::milliseconds first_byte{std::chrono::seconds{0}}; // request sent -> first byte
    std::chrono::milliseconds request{std::chrono::seconds{600}};  // one attempt, end to end
    // Streams: the longest silence between two reads of the event stream once it has started.
    // The request timeout covers a stream only until its response head arrives.
    std::chrono::milliseconds stream_idle{std::chrono::seconds{300}};
};

struct retry_policy {
    unsigned max_retries = 2; // retries after the first attempt
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{std::chrono::seconds{8}};
    // A server asking to wait longer than this (retry-after) gets no retry: the error is returned.
    std::chrono::milliseconds max_retry_after{std::chrono::seconds{60}};
};

struct pool_options {
    std::size_t max_connections_per_origin = 64; // further requests wait, first come first served
    std::chrono::milliseconds idle_timeout{
        std::chrono::seconds{60}}; // idle connections closed after
};

struct tls_options {
    bool verify_peer = true; // certificate chain and host name; never disable in production
    std::string ca_file;     // PEM bundle to trust instead of the system store
    // A caller-configured context (client certificates, pinning, ...). When set, ca_file and
    // verify_peer are not applied to it; host name verification and SNI still are.
    std::shared_ptr<boost::asio::ssl::context> context;
};

// What one attempt of a request looked like, for logging and metrics hooks.
struct attempt_record {
    std::string method;
    std::string path;       // path and query, no host; never contains credentials
    unsigned attempt = 0;   // 0 for the first try
    int http_status = 0;    // 0 when no response arrived
    std::string request_id; // x-request-id, when the server sent one
    std::string error;      // empty on success; otherwise what went wrong
    std::chrono::milliseconds elapsed{0};
    std::chrono::milliseconds retry_delay{0}; // wait before the next attempt, if any
    bool reused_connection = false;
};

struct client_config {
    std::string api_key; // sent as a bearer token; never logged
    std::string base_url = "https://api.openai.com/v1";
    std::string organization;    // OpenAI-Organization, when not empty
    std::string project;         // OpenAI-Project, when not empty
    header_list default_headers; // added to every request
    openai::timeouts timeouts;
    retry_policy retry;
    pool_options pool;
    tls_options tls;
    std::uint64_t max_body_size = 1024ull * 1024 * 1024; // response bodies larger fail clearly
    std::size_t max_event_size = 64 * 1024 * 1024;       // one server-sent event
    bool validate_requests = true; // check the API's parameter rules before sending
    // Called on the operation's strand after every attempt; must not block.
    std::function<void(const attempt_record&)> on_attempt;

    // Reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID; unset variables
    // keep the defaults above.
    static client_config from_env();
};

// Per-call overrides of the client's settings.
struct request_options {
    std::optional<openai::timeouts> timeouts;
    std::optional<unsigned> max_retries;
    header_list extra_headers; // added after (and so overriding) the default headers
};

} // namespace openai
