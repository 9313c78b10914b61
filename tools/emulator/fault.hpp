// Fault injection: the `x-emulator-fault` header and `--fault` option language, and the
// bookkeeping of `times=N` (fail the first N matching requests per `x-emulator-fault-key`).
//
// A spec is a `;`-separated list of `name` or `name=value` items, for example
// `status=429;retry-after-ms=200;times=2`. Parsing is strict: an unknown item or a bad value is an
// error naming it, so a typo in a test never silently turns into a passing request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

/// Line endings of an event stream (`sse-crlf`, `sse-cr`); the API itself uses LF.
enum class line_ending { lf, crlf, cr };

struct fault_spec {
    /// `status=N` (400..599): answer N with the API's error body instead of doing the work.
    std::optional<unsigned> status;
    /// `retry-after=V` (seconds or an HTTP date, sent verbatim), `retry-after-ms=N`,
    /// `x-should-retry=true|false`: headers added to the response (any status).
    std::optional<std::string> retry_after;
    std::optional<std::uint64_t> retry_after_ms;
    std::optional<bool> should_retry;
    /// `delay-headers-ms=N`: wait before the first byte of the response.
    std::chrono::milliseconds delay_headers{0};
    /// `drip-bytes-per-s=N`: send the whole response at about N bytes per second.
    std::uint64_t drip_bytes_per_s = 0;
    /// `reset-after-bytes=N`: after N bytes of the response (head included), reset the
    /// connection (TCP RST; over TLS without close_notify).
    std::optional<std::uint64_t> reset_after_bytes;
    /// `truncate-body`: announce a Content-Length longer than the body sent, then close
    /// (streams: end without the terminating chunk).
    bool truncate_body = false;
    /// `malformed-json`: a 200 whose JSON is cut short (streams: the first event's data).
    bool malformed_json = false;
    /// `html-502`: a proxy's 502 page as text/html.
    bool html_502 = false;
    /// `sse-error-after=K`: after K partial image events, an `event: error` and the end.
    std::optional<unsigned> sse_error_after;
    /// `sse-cut-after=K`: after K partial image events, end the stream with no completed event.
    std::optional<unsigned> sse_cut_after;
    /// `sse-comments`: a comment line (heartbeat) before every event.
    bool sse_comments = false;
    /// `sse-crlf` / `sse-cr`.
    line_ending sse_line_ending = line_ending::lf;
    /// `sse-split=N`: every write of the body carries at most N bytes.
    std::size_t sse_split = 0;
    /// `close-without-response`: read the request, then close the connection.
    bool close_without_response = false;
    /// `times=N`: fire for the first N requests carrying this spec with the same fault key.
    std::optional<std::uint64_t> times;
    /// `prompt-contains=TEXT`: the spec applies only to requests whose `prompt` (JSON member or
    /// multipart field) contains TEXT; others pass it by. Lets one `--fault` hit chosen requests
    /// of a run whose requests cannot carry headers (batch files).
    std::optional<std::string> prompt_contains;
    /// `per-prompt`: `times` counts per distinct prompt as well as per fault key.
    bool per_prompt = false;
    /// `batch-expire-after=K`, `batch-fail-after=K`, `batch-first-poll-5xx`: on POST
    /// /v1/batches, the batch created behaves as with the command-line options of these names
    /// (per batch instead of per process). Other requests ignore them.
    std::optional<std::uint64_t> batch_expire_after;
    std::optional<std::uint64_t> batch_fail_after;
    bool batch_first_poll_5xx = false;

    /// Does deciding this spec need the request's prompt?
    bool uses_prompt() const noexcept { return prompt_contains.has_value() || per_prompt; }

    /// The spec as written (trimmed); part of the `times` bookkeeping key.
    std::string text;
};

/// Parses a spec. On failure returns nullopt and sets `error` to a message naming the bad item.
std::optional<fault_spec> parse_fault_spec(std::string_view text, std::string& error);

/// Decides which spec fires for a request. Thread-safe.
///
/// Header specs, when a request carries any, replace the global ones. Specs are tried in order;
/// the first one that is not exhausted (`times`) fires and counts one use for the request's key.
class fault_book {
public:
    explicit fault_book(std::vector<fault_spec> global = {});

    /// The spec that fires for this request, if any. `header_specs` come from the request's
    /// `x-emulator-fault` headers; `key` is its `x-emulator-fault-key` (empty when absent);
    /// `prompt` its prompt (empty when it has none), needed only when `uses_prompt` says so.
    std::optional<fault_spec> choose(const std::vector<fault_spec>& header_specs,
                                     std::string_view key, std::string_view prompt = {});

    bool has_global() const noexcept { return !global_.empty(); }

    /// Whether `choose` with these header specs (or, when none, the global ones) looks at the
    /// prompt, so that a request's body is inspected only when a spec asks for it.
    bool uses_prompt(const std::vector<fault_spec>& header_specs) const noexcept;

private:
    std::optional<fault_spec> choose_from(const std::vector<fault_spec>& specs,
                                          std::string_view key, std::string_view prompt,
                                          char source);

    std::vector<fault_spec> global_;
    std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> used_;
};

} // namespace openai::emulator
