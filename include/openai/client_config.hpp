/// Configuration of an openai::client: where to connect, how to authenticate, and the limits
/// (timeouts, retries, pool size, body sizes) that every request made through it obeys.
#pragma once

#include <boost/json/object.hpp>

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

/// One HTTP header; names are case-insensitive on the wire.
using header = std::pair<std::string, std::string>;
using header_list = std::vector<header>;

/// Zero disables a timeout. Image generations can take minutes, so the request timeout is long.
struct timeouts {
    /// Name resolution plus TCP connection (all addresses tried within it, and the proxy's
    /// CONNECT when there is one).
    std::chrono::milliseconds connect{std::chrono::seconds{10}};
    std::chrono::milliseconds tls_handshake{std::chrono::seconds{10}}; ///< TLS handshake
    std::chrono::milliseconds write{std::chrono::seconds{60}}; ///< each write must make progress
    std::chrono::milliseconds first_byte{std::chrono::seconds{0}}; ///< request sent -> first byte
    std::chrono::milliseconds request{std::chrono::seconds{600}};  ///< one attempt, end to end
    /// Streams: the longest silence between two reads of the event stream once it has started.
    /// The request timeout covers a stream only until its response head arrives.
    std::chrono::milliseconds stream_idle{std::chrono::seconds{300}};
};

/// When a failed request is sent again. Every failure has an outcome (openai::request_outcome):
///   not_sent  nothing reached the server whole (resolve, connect, TLS, proxy, a write cut short):
///             retried (connection errors and timeouts of these phases);
///   refused   the server answered with an error status: retried for 408, 409, 429 and 5xx, or
///             as `x-should-retry` says, waiting what `retry-after-ms`/`retry-after` ask when
///             that is within max_retry_after, otherwise backing off min(initial * 2^n, max) with
///             up to 25 % jitter;
///   unknown   the request left whole, then its answer was lost (a timeout, reset, truncated body
///             or stream): the server may have generated the image and billed it. Calls that
///             create images (generate, edit, variation, and opening their streams) do NOT retry
///             these unless `unknown_outcome` (or request_options::retry_unknown_outcome) says so;
///             calls that create nothing (downloads) retry them like the SDKs do.
/// The official SDKs retry every connection error and timeout, `unknown` ones included, which is
/// how their users get billed twice for one image; set unknown_outcome to true for that behaviour.
/// A kept-alive connection found closed before any response byte is retried once on a new
/// connection without counting, under the same outcome rule. A stream is never retried once
/// handed out.
struct retry_policy {
    unsigned max_retries = 2; ///< retries after the first attempt
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{std::chrono::seconds{8}};
    /// A server asking to wait longer than this (retry-after) gets no retry: the error is returned.
    std::chrono::milliseconds max_retry_after{std::chrono::seconds{60}};
    /// Retry `unknown` outcomes of calls that create images (may pay twice for one image).
    bool unknown_outcome = false;
};

struct pool_options {
    std::size_t max_connections_per_origin = 64; ///< further requests wait, first come first served
    std::chrono::milliseconds idle_timeout{
        std::chrono::seconds{60}}; ///< idle connections closed after
};

struct tls_options {
    bool verify_peer = true; ///< certificate chain and host name; never disable in production
    std::string ca_file;     ///< PEM bundle to trust instead of the system store
    /// A caller-configured context (client certificates, pinning, ...). When set, ca_file and
    /// verify_peer are not applied to it; host name verification and SNI still are.
    std::shared_ptr<boost::asio::ssl::context> context;
    /// Resume TLS sessions (TLS 1.3 tickets, TLS 1.2 session ids): a later connection to the same
    /// origin skips the certificate exchange and verification. Sessions are kept per origin (and
    /// proxy) in the client's pool, only from verified handshakes, and never shared between
    /// clients. A `context` that already has its own new-session callback is left alone.
    bool session_resumption = true;
};

/// HTTP proxies. https targets go through a CONNECT tunnel (TLS with the origin inside it, verified
/// against the origin's name); http targets are sent to the proxy in absolute form. A proxy URL is
/// "http://[user:password@]host:port" (user info, percent-encoded, becomes Proxy-Authorization:
/// Basic); only http:// proxies are supported. Empty strings mean no proxy.
struct proxy_options {
    std::string https_proxy; ///< for https:// targets (HTTPS_PROXY)
    std::string http_proxy;  ///< for http:// targets (HTTP_PROXY)
    /// Hosts reached directly (NO_PROXY): comma-separated names (also matching subdomains; a
    /// leading dot is optional), "name:port", IP addresses, CIDR blocks, or "*" for every host.
    std::string no_proxy;
};

/// Azure OpenAI. When set, requests go to
/// {endpoint}/openai/deployments/{deployment}/images/...?api-version={api_version} (base_url is
/// not used), the key travels as `api-key` instead of a bearer token, and a request without a
/// `model` is checked against the deployment's name (rules apply only when it names a known
/// model). Multipart edits and variations use the same paths.
struct azure_options {
    std::string endpoint;    ///< "https://my-resource.openai.azure.com"
    std::string deployment;  ///< the deployment's name, e.g. "gpt-image-1"
    std::string api_version; ///< e.g. "2025-04-01-preview"
};

/// What one attempt of a request looked like, for logging and metrics hooks.
struct attempt_record {
    std::string method;
    std::string path;       ///< path and query, no host; never contains credentials
    unsigned attempt = 0;   ///< 0 for the first try
    int http_status = 0;    ///< 0 when no response arrived
    std::string request_id; ///< x-request-id, when the server sent one
    std::string error;      ///< empty on success; otherwise what went wrong
    std::chrono::milliseconds elapsed{0};
    std::chrono::milliseconds retry_delay{0}; ///< wait before the next attempt, if any
    bool reused_connection = false;
};

struct client_config {
    std::string api_key; ///< sent as a bearer token (Azure: as api-key); never logged
    std::string base_url = "https://api.openai.com/v1";
    std::string organization;    ///< OpenAI-Organization, when not empty
    std::string project;         ///< OpenAI-Project, when not empty
    header_list default_headers; ///< added to every request
    openai::timeouts timeouts;
    retry_policy retry;
    pool_options pool;
    tls_options tls;
    proxy_options proxy;
    std::optional<azure_options> azure;                  ///< Azure OpenAI instead of base_url
    std::uint64_t max_body_size = 1024ull * 1024 * 1024; ///< response bodies larger fail clearly
    std::size_t max_event_size = 64 * 1024 * 1024;       ///< one server-sent event
    bool validate_requests = true; ///< check the API's parameter rules before sending
    /// Called on the operation's strand after every attempt; must not block.
    std::function<void(const attempt_record&)> on_attempt;

    /// Reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID and the proxy
    /// variables HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower-case names first, as curl does;
    /// upper-case HTTP_PROXY is ignored when REQUEST_METHOD is set, since a CGI program gets it
    /// from the client's `Proxy:` header); unset or empty variables keep the defaults above.
    static client_config from_env();

    /// A configuration for Azure OpenAI: `azure` and `api_key` (sent as `api-key`) from the
    /// arguments, everything else at its default. To keep the environment's proxies as well, set
    /// `azure` on a from_env() configuration instead.
    static client_config for_azure(std::string endpoint, std::string deployment,
                                   std::string api_version, std::string api_key);
};

/// Per-call overrides of the client's settings.
struct request_options {
    std::optional<openai::timeouts> timeouts;
    std::optional<unsigned> max_retries;
    /// Overrides client_config::retry.unknown_outcome for this call.
    std::optional<bool> retry_unknown_outcome;
    header_list extra_headers; ///< added after (and so overriding) the default headers

    /// ---- escape hatches, as the official SDKs have them

    /// Members added to the request body, for parameters this library does not know yet: merged
    /// into a JSON body as they are; added to a multipart body as text fields (a string as it is,
    /// a number or boolean in JSON notation, an object or array as JSON text; null adds nothing).
    /// A name the library already sets for this request (e.g. "model") is refused with
    /// errc::invalid_request naming it, unless `extra_body_override` is true, in which case the
    /// extra value replaces the library's. The file parts ("image", "image[]", "mask") and the
    /// JSON inputs ("images", "mask") are never replaced. Validation checks the typed request
    /// only: what extra_body adds is not checked.
    boost::json::object extra_body;
    bool extra_body_override = false;
    /// Query parameters added to the request's URL (names and values percent-encoded here),
    /// besides any the configuration adds (Azure's api-version).
    std::vector<std::pair<std::string, std::string>> extra_query;

    /// Keep the JSON members of the response and of each stream event that the library does not
    /// model, readable as `images_response::unknown_fields` and through `unknown_fields(event)`.
    /// Off by default: they are skipped without being kept.
    bool keep_unknown_fields = false;

    /// Per-call credentials, for a server acting for many tenants with one client and its pool:
    /// when set, they replace the configuration's api_key (bearer token, or Azure's api-key),
    /// organization and project for this call only. Like the configuration's, they are never
    /// logged nor put in any error message; an empty string sends no such header.
    std::optional<std::string> api_key;
    std::optional<std::string> organization;
    std::optional<std::string> project;
};

} // namespace openai
