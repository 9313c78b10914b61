#include "session.hpp"

#include <chrono>
#include <stdexcept>

namespace openai::cli {

const char* const connection_help =
    R"(connection:
  --base-url URL             API base URL (default: OPENAI_BASE_URL or https://api.openai.com/v1)
  --ca-file PEM              trust this CA bundle instead of the system store
  --timeout SECONDS          per-attempt request timeout (default 600)
  --max-retries N            retries on connection errors, 408, 409, 429, 5xx (default 2)
  --retry-unknown            also retry a request that reached the server whole before its
                             answer was lost (it may have been billed: this may pay twice)
  --no-validate              send without checking the API's parameter rules first
  --emulator                 run against a local emulator started in this process
Proxies come from HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case names).
)";

void add_session_options(option_spec& spec) {
    spec.valued.insert({"base-url", "ca-file", "timeout", "max-retries"});
    spec.flags.insert({"no-validate", "emulator", "json", "retry-unknown"});
}

session make_session(const parsed_arguments& args) {
    session s;
    s.config = client_config::from_env();
    s.json = args.flag("json");
    if (args.flag("emulator")) {
        if (args.value("base-url"))
            throw usage_error("--emulator and --base-url cannot be combined");
        s.emulator = start_embedded_emulator();
        s.config.base_url = s.emulator->base_url();
        s.config.tls.ca_file = s.emulator->ca_file();
        if (s.config.api_key.empty())
            s.config.api_key = "emulator-key"; // the emulator accepts any bearer token
    }
    if (auto v = args.value("base-url"))
        s.config.base_url = *v;
    if (auto v = args.value("ca-file"))
        s.config.tls.ca_file = *v;
    if (auto v = args.number("timeout", 0, 86400))
        s.config.timeouts.request =
            std::chrono::milliseconds(static_cast<std::int64_t>(*v * 1000.0));
    if (auto v = args.integer("max-retries", 0, 100))
        s.config.retry.max_retries = static_cast<unsigned>(*v);
    if (args.flag("retry-unknown"))
        s.config.retry.unknown_outcome = true;
    if (args.flag("no-validate"))
        s.config.validate_requests = false;
    if (s.config.api_key.empty())
        throw usage_error("OPENAI_API_KEY is not set (or use --emulator to try a local emulator)");
    return s;
}

#if !defined(OPENAI_IMAGES_CLI_WITH_EMULATOR)
std::unique_ptr<embedded_emulator> start_embedded_emulator() {
    throw std::runtime_error("this build of openai-images has no embedded emulator");
}
#endif

} // namespace openai::cli
