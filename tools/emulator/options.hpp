// The emulator's command line. Tests, demos and benchmarks depend on it; see README.md.
#pragma once

#include "emulator/fault.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace openai::emulator {

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    bool tls = false;
    /// Where `--tls` writes ca.pem (created when missing).
    std::string cert_dir;
    /// With `--tls`: let clients resume sessions (TLS 1.3 tickets, TLS 1.2 session ids and
    /// tickets). `--no-tls-resumption` turns it off: every handshake is a full one.
    bool tls_resumption = true;
    /// When set, requests must carry it (`Authorization: Bearer KEY` or `api-key: KEY`).
    std::optional<std::string> api_key;
    /// io_context threads.
    unsigned threads = 1;
    /// Time before each response head (an emulated generation time).
    std::chrono::milliseconds latency{0};
    /// How each generation's latency varies above `latency`: a random extra of up to (uniform)
    /// or on average (exponential) this much. 0: every generation takes exactly `latency`.
    std::chrono::milliseconds latency_jitter{0};
    enum class jitter_distribution { uniform, exponential };
    jitter_distribution latency_distribution = jitter_distribution::uniform;
    /// Generations (image requests answered 2xx) served at once; the rest queue in arrival order
    /// before their latency starts, like a service at capacity. 0: no limit.
    std::size_t max_concurrent_generations = 0;
    /// Time before each event of a stream.
    std::chrono::milliseconds partial_interval{0};
    /// Each image about this many bytes (0: natural size).
    std::size_t payload_bytes = 0;
    /// `--fault SPEC`, in order.
    std::vector<fault_spec> faults;
    /// How long `response_format=url` images stay downloadable.
    std::chrono::milliseconds url_ttl{std::chrono::hours(1)};
    /// Reported in the rate-limit headers.
    std::uint64_t rate_limit_requests = 10'000;
    std::uint64_t rate_limit_tokens = 10'000'000;
    /// Requests kept for `GET /v1/_emulator/requests`.
    std::size_t log_capacity = 1000;
    /// After SIGINT/SIGTERM, how long in-flight responses may take before connections close.
    std::chrono::milliseconds shutdown_grace{2000};
    /// Largest accepted request body: JSON and multipart.
    std::size_t max_json_body = 64u << 20;
    std::uint64_t max_multipart_body = 1ull << 30;

    // ---- The Batch API (time compressed; faults for client tests).
    /// Real time per step of a batch: its validation, each request, its finalization.
    std::chrono::milliseconds batch_per_request{10};
    /// A batch expires once this many of its requests were processed.
    std::optional<std::uint64_t> batch_expire_after;
    /// The requests of a batch after its first K fail with a 500 in the error file.
    std::optional<std::uint64_t> batch_fail_after;
    /// The first GET /v1/batches/{id} of each batch answers 500.
    bool batch_first_poll_5xx = false;
    /// The first content download of each file sends this many body bytes of the announced
    /// length, then closes.
    std::optional<std::uint64_t> truncate_file_content;
};

struct parse_outcome {
    std::optional<options> opts; // set on success
    bool help = false;           // --help was asked
    std::string error;           // set on failure
};

/// Parses argv[1..]. Numbers must be plain decimal; unknown flags are errors.
parse_outcome parse_options(const std::vector<std::string>& args);

/// The --help text.
std::string usage_text();

} // namespace openai::emulator
