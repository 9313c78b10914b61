#include "emulator/options.hpp"

#include <charconv>

namespace openai::emulator {
namespace {

bool to_u64(const std::string& s, std::uint64_t& out) {
    if (s.empty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

// Decimal seconds ("0.01", "2", "1.5") to milliseconds, rounded; plain digits and one point only.
bool to_milliseconds(const std::string& s, std::chrono::milliseconds& out) {
    auto dot = s.find('.');
    std::string whole = s.substr(0, dot);
    std::string frac = dot == std::string::npos ? std::string() : s.substr(dot + 1);
    std::uint64_t w = 0;
    if (whole.empty() ? frac.empty() : !to_u64(whole, w))
        return false;
    if (w > 86400 || frac.find_first_not_of("0123456789") != std::string::npos ||
        (dot != std::string::npos && frac.empty()))
        return false;
    std::uint64_t micros = 0;
    for (std::size_t i = 0; i < 6; ++i)
        micros = micros * 10 + (i < frac.size() ? static_cast<std::uint64_t>(frac[i] - '0') : 0);
    out = std::chrono::milliseconds(w * 1000 + (micros + 500) / 1000);
    return true;
}

} // namespace

std::string usage_text() {
    return R"(usage: openai-images-emulator [options]

A local server that speaks the OpenAI Images API (generations, edits, variations, streams)
and the Files and Batch APIs for batches of image requests.
Prints one line when ready: "listening on http(s)://HOST:PORT".

  --host ADDR                 address to listen on (default 127.0.0.1)
  --port N                    port (default 0: a free port)
  --tls                       serve HTTPS with a certificate generated at start
  --cert-dir DIR              with --tls: where ca.pem is written (required with --tls)
  --no-tls-resumption         with --tls: issue no session tickets and keep no session cache
                              (every handshake is a full one)
  --api-key KEY               require this key (Bearer or api-key header); default: any
  --threads N                 io_context threads (default 1)
  --latency-ms N              delay before every response head (default 0)
  --latency-jitter-ms N       add a random 0..N ms (uniform) to each generation's latency
  --latency-distribution D    uniform (default), or exponential: the extra is exponential with
                              mean N ms (a long tail)
  --max-concurrent-generations N
                              serve at most N generations at once; later ones queue, first come
                              first served, before their latency starts (default 0: no limit)
  --partial-interval-ms N     delay before every stream event (default 0)
  --payload-bytes N           make each image about N bytes (default: natural size)
  --fault SPEC                inject a fault into every request (repeatable; see README)
  --url-ttl-ms N              lifetime of response_format=url images (default 3600000)
  --rate-limit-requests N     reported x-ratelimit-limit-requests (default 10000)
  --rate-limit-tokens N       reported x-ratelimit-limit-tokens (default 10000000)
  --log-capacity N            requests kept for GET /v1/_emulator/requests (default 1000)
  --shutdown-grace-ms N       on SIGINT/SIGTERM, time left to in-flight responses (default 2000)
  --batch-seconds-per-request S
                              Batch API: real time per step of a batch (validation, each
                              request, finalization); decimals allowed (default 0.01)
  --batch-expire-after K      Batch API: a batch expires after K requests were processed
  --batch-fail-after K        Batch API: the requests of a batch after its first K fail (500)
  --batch-first-poll-5xx      Batch API: the first GET of each batch answers 500
  --truncate-file-content N   Files API: the first content download of each file sends N bytes
                              of its announced length, then closes the connection
  --help                      this text
)";
}

parse_outcome parse_options(const std::vector<std::string>& args) {
    parse_outcome out;
    options o;
    auto fail = [&](std::string message) {
        out.error = std::move(message);
        return out;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string flag = arg;
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            flag = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        auto value = [&](std::string& v) -> bool {
            if (inline_value) {
                v = *inline_value;
                return true;
            }
            if (i + 1 >= args.size())
                return false;
            v = args[++i];
            return true;
        };
        auto number = [&](std::uint64_t& n, std::uint64_t max) -> std::optional<std::string> {
            std::string v;
            if (!value(v))
                return flag + " needs a value";
            if (!to_u64(v, n) || n > max)
                return flag + ": '" + v + "' is not a number from 0 to " + std::to_string(max);
            return std::nullopt;
        };
        std::uint64_t n = 0;
        std::string v;
        constexpr std::uint64_t big = 1ull << 40;

        if (flag == "--help" || flag == "-h") {
            out.help = true;
            return out;
        } else if (flag == "--host") {
            if (!value(v) || v.empty())
                return fail("--host needs an address");
            o.host = v;
        } else if (flag == "--port") {
            if (auto e = number(n, 65535))
                return fail(*e);
            o.port = static_cast<std::uint16_t>(n);
        } else if (flag == "--tls") {
            if (inline_value)
                return fail("--tls takes no value");
            o.tls = true;
        } else if (flag == "--no-tls-resumption") {
            if (inline_value)
                return fail("--no-tls-resumption takes no value");
            o.tls_resumption = false;
        } else if (flag == "--cert-dir") {
            if (!value(v) || v.empty())
                return fail("--cert-dir needs a directory");
            o.cert_dir = v;
        } else if (flag == "--api-key") {
            if (!value(v) || v.empty())
                return fail("--api-key needs a key");
            o.api_key = v;
        } else if (flag == "--threads") {
            if (auto e = number(n, 256))
                return fail(*e);
            if (n == 0)
                return fail("--threads must be at least 1");
            o.threads = static_cast<unsigned>(n);
        } else if (flag == "--latency-ms") {
            if (auto e = number(n, big))
                return fail(*e);
            o.latency = std::chrono::milliseconds(n);
        } else if (flag == "--latency-jitter-ms") {
            if (auto e = number(n, big))
                return fail(*e);
            o.latency_jitter = std::chrono::milliseconds(n);
        } else if (flag == "--latency-distribution") {
            if (!value(v))
                return fail("--latency-distribution needs uniform or exponential");
            if (v == "uniform")
                o.latency_distribution = options::jitter_distribution::uniform;
            else if (v == "exponential")
                o.latency_distribution = options::jitter_distribution::exponential;
            else
                return fail("--latency-distribution: '" + v + "' is not uniform or exponential");
        } else if (flag == "--max-concurrent-generations") {
            if (auto e = number(n, 1'000'000))
                return fail(*e);
            o.max_concurrent_generations = static_cast<std::size_t>(n);
        } else if (flag == "--partial-interval-ms") {
            if (auto e = number(n, big))
                return fail(*e);
            o.partial_interval = std::chrono::milliseconds(n);
        } else if (flag == "--payload-bytes") {
            if (auto e = number(n, 1ull << 31))
                return fail(*e);
            o.payload_bytes = static_cast<std::size_t>(n);
        } else if (flag == "--fault") {
            if (!value(v))
                return fail("--fault needs a spec");
            std::string error;
            auto spec = parse_fault_spec(v, error);
            if (!spec)
                return fail("--fault: " + error);
            o.faults.push_back(std::move(*spec));
        } else if (flag == "--url-ttl-ms") {
            if (auto e = number(n, big))
                return fail(*e);
            o.url_ttl = std::chrono::milliseconds(n);
        } else if (flag == "--rate-limit-requests") {
            if (auto e = number(n, big))
                return fail(*e);
            o.rate_limit_requests = n;
        } else if (flag == "--rate-limit-tokens") {
            if (auto e = number(n, big))
                return fail(*e);
            o.rate_limit_tokens = n;
        } else if (flag == "--log-capacity") {
            if (auto e = number(n, 1'000'000))
                return fail(*e);
            o.log_capacity = static_cast<std::size_t>(n);
        } else if (flag == "--shutdown-grace-ms") {
            if (auto e = number(n, big))
                return fail(*e);
            o.shutdown_grace = std::chrono::milliseconds(n);
        } else if (flag == "--batch-seconds-per-request") {
            if (!value(v))
                return fail("--batch-seconds-per-request needs a value");
            std::chrono::milliseconds ms;
            if (!to_milliseconds(v, ms))
                return fail("--batch-seconds-per-request: '" + v +
                            "' is not a number of seconds from 0 to 86400");
            o.batch_per_request = ms;
        } else if (flag == "--batch-expire-after") {
            if (auto e = number(n, big))
                return fail(*e);
            o.batch_expire_after = n;
        } else if (flag == "--batch-fail-after") {
            if (auto e = number(n, big))
                return fail(*e);
            o.batch_fail_after = n;
        } else if (flag == "--batch-first-poll-5xx") {
            if (inline_value)
                return fail("--batch-first-poll-5xx takes no value");
            o.batch_first_poll_5xx = true;
        } else if (flag == "--truncate-file-content") {
            if (auto e = number(n, big))
                return fail(*e);
            o.truncate_file_content = n;
        } else {
            return fail("unknown option '" + arg + "' (see --help)");
        }
    }
    if (o.tls && o.cert_dir.empty())
        return fail("--tls needs --cert-dir DIR (where ca.pem is written)");
    if (!o.tls && !o.cert_dir.empty())
        return fail("--cert-dir is only meaningful with --tls");
    out.opts = std::move(o);
    return out;
}

} // namespace openai::emulator
