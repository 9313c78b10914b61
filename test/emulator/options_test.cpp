// The command-line contract that tests, demos and benchmarks depend on.
#include "emulator/options.hpp"

#include <boost/test/unit_test.hpp>

namespace em = openai::emulator;

namespace {

em::options ok(std::vector<std::string> args) {
    auto out = em::parse_options(args);
    BOOST_TEST_REQUIRE(out.opts.has_value(), out.error);
    return *out.opts;
}

std::string bad(std::vector<std::string> args) {
    auto out = em::parse_options(args);
    BOOST_TEST(!out.opts.has_value());
    BOOST_TEST(!out.error.empty());
    return out.error;
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_options)

BOOST_AUTO_TEST_CASE(batch_options) {
    em::options d = ok({});
    BOOST_TEST(d.batch_per_request.count() == 10);
    BOOST_TEST(!d.batch_expire_after.has_value());
    BOOST_TEST(!d.batch_fail_after.has_value());
    BOOST_TEST(!d.batch_first_poll_5xx);
    BOOST_TEST(!d.truncate_file_content.has_value());
    em::options o =
        ok({"--batch-seconds-per-request", "0.25", "--batch-expire-after", "3",
            "--batch-fail-after=2", "--batch-first-poll-5xx", "--truncate-file-content", "100"});
    BOOST_TEST(o.batch_per_request.count() == 250);
    BOOST_TEST(*o.batch_expire_after == 3u);
    BOOST_TEST(*o.batch_fail_after == 2u);
    BOOST_TEST(o.batch_first_poll_5xx);
    BOOST_TEST(*o.truncate_file_content == 100u);
    BOOST_TEST(ok({"--batch-seconds-per-request", "2"}).batch_per_request.count() == 2000);
    BOOST_TEST(ok({"--batch-seconds-per-request", ".0004"}).batch_per_request.count() == 0);
    BOOST_TEST(ok({"--batch-seconds-per-request", "0.0015"}).batch_per_request.count() == 2);
    for (const char* v : {"", ".", "1.", "-1", "1e3", "0.5s", "100000"})
        bad({"--batch-seconds-per-request", v});
    bad({"--batch-first-poll-5xx=1"});
    bad({"--batch-expire-after", "x"});
}

BOOST_AUTO_TEST_CASE(defaults) {
    em::options o = ok({});
    BOOST_TEST(o.host == "127.0.0.1");
    BOOST_TEST(o.port == 0u);
    BOOST_TEST(!o.tls);
    BOOST_TEST(!o.api_key.has_value());
    BOOST_TEST(o.threads == 1u);
    BOOST_TEST(o.latency.count() == 0);
    BOOST_TEST(o.partial_interval.count() == 0);
    BOOST_TEST(o.payload_bytes == 0u);
    BOOST_TEST(o.faults.empty());
    BOOST_TEST(o.url_ttl.count() == 3'600'000);
    BOOST_TEST(o.latency_jitter.count() == 0);
    BOOST_TEST(o.max_concurrent_generations == 0u);
}

BOOST_AUTO_TEST_CASE(latency_distribution_and_capacity) {
    em::options o = ok({"--latency-ms", "200", "--latency-jitter-ms", "50",
                        "--latency-distribution=exponential", "--max-concurrent-generations", "3"});
    BOOST_TEST(o.latency.count() == 200);
    BOOST_TEST(o.latency_jitter.count() == 50);
    BOOST_TEST((o.latency_distribution == em::options::jitter_distribution::exponential));
    BOOST_TEST(o.max_concurrent_generations == 3u);
    BOOST_TEST((ok({"--latency-distribution", "uniform"}).latency_distribution ==
                em::options::jitter_distribution::uniform));
    BOOST_TEST(bad({"--latency-distribution", "gamma"}).find("not uniform or exponential") !=
               std::string::npos);
    BOOST_TEST(bad({"--latency-jitter-ms", "-5"}).find("--latency-jitter-ms") != std::string::npos);
    BOOST_TEST(bad({"--max-concurrent-generations", "x"}).find("--max-concurrent-generations") !=
               std::string::npos);
    BOOST_TEST(em::usage_text().find("--max-concurrent-generations") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_flag) {
    em::options o = ok({"--host",
                        "::1",
                        "--port",
                        "8443",
                        "--tls",
                        "--cert-dir",
                        "/tmp/x",
                        "--api-key",
                        "sk-test",
                        "--threads",
                        "4",
                        "--latency-ms",
                        "50",
                        "--partial-interval-ms=20",
                        "--payload-bytes",
                        "1000",
                        "--fault",
                        "status=500;times=1",
                        "--fault",
                        "delay-headers-ms=5",
                        "--url-ttl-ms",
                        "100",
                        "--rate-limit-requests",
                        "60",
                        "--rate-limit-tokens",
                        "6000",
                        "--log-capacity",
                        "10",
                        "--shutdown-grace-ms",
                        "0"});
    BOOST_TEST(o.host == "::1");
    BOOST_TEST(o.port == 8443u);
    BOOST_TEST(o.tls);
    BOOST_TEST(o.cert_dir == "/tmp/x");
    BOOST_TEST(o.api_key.value() == "sk-test");
    BOOST_TEST(o.threads == 4u);
    BOOST_TEST(o.latency.count() == 50);
    BOOST_TEST(o.partial_interval.count() == 20);
    BOOST_TEST(o.payload_bytes == 1000u);
    BOOST_TEST_REQUIRE(o.faults.size() == 2u);
    BOOST_TEST(o.faults[0].status.value() == 500u);
    BOOST_TEST(o.faults[1].delay_headers.count() == 5);
    BOOST_TEST(o.url_ttl.count() == 100);
    BOOST_TEST(o.rate_limit_requests == 60u);
    BOOST_TEST(o.rate_limit_tokens == 6000u);
    BOOST_TEST(o.log_capacity == 10u);
    BOOST_TEST(o.shutdown_grace.count() == 0);
}

BOOST_AUTO_TEST_CASE(errors_name_the_flag) {
    BOOST_TEST(bad({"--port", "70000"}).find("--port") != std::string::npos);
    BOOST_TEST(bad({"--port"}).find("--port") != std::string::npos);
    BOOST_TEST(bad({"--threads", "0"}).find("--threads") != std::string::npos);
    BOOST_TEST(bad({"--latency-ms", "-1"}).find("--latency-ms") != std::string::npos);
    BOOST_TEST(bad({"--fault", "status=abc"}).find("status=abc") != std::string::npos);
    BOOST_TEST(bad({"--frobnicate"}).find("--frobnicate") != std::string::npos);
    BOOST_TEST(bad({"--tls"}).find("--cert-dir") != std::string::npos);
    BOOST_TEST(bad({"--cert-dir", "/tmp"}).find("--tls") != std::string::npos);
    BOOST_TEST(bad({"--tls=yes", "--cert-dir", "/tmp"}).find("--tls") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_resumption_is_on_unless_refused) {
    BOOST_TEST(ok({"--tls", "--cert-dir", "/tmp/x"}).tls_resumption);
    BOOST_TEST(!ok({"--tls", "--cert-dir", "/tmp/x", "--no-tls-resumption"}).tls_resumption);
    BOOST_TEST(bad({"--no-tls-resumption=1"}).find("--no-tls-resumption") != std::string::npos);
    BOOST_TEST(em::usage_text().find("--no-tls-resumption") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help) {
    auto out = em::parse_options({"--help"});
    BOOST_TEST(out.help);
    std::string text = em::usage_text();
    for (const char* flag : {"--host", "--port", "--tls", "--cert-dir", "--api-key", "--threads",
                             "--latency-ms", "--partial-interval-ms", "--payload-bytes", "--fault"})
        BOOST_TEST(text.find(flag) != std::string::npos, flag);
}

BOOST_AUTO_TEST_SUITE_END()
