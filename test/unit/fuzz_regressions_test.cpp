// Every input under fuzz/regressions/<target>/ (what a fuzzer once found) and the seed corpus
// under fuzz/corpus/<target>/, replayed through the same entry functions as the libFuzzer programs
// (fuzz/targets/*.cpp), in an ordinary build. An entry checks its own invariants and aborts when
// one fails; sanitizer builds of this suite catch memory errors as well.
#include "codec/retry_rules.hpp"
#include "fuzz_targets.hpp"

#include <openai/sse.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using entry = void (*)(const std::uint8_t*, std::size_t);

struct target {
    const char* name;
    entry run;
};

const target targets[] = {
    {"sse_parser", openai::fuzz::fuzz_sse_parser},
    {"images_response", openai::fuzz::fuzz_images_response},
    {"event_decoder", openai::fuzz::fuzz_event_decoder},
    {"chunked_decoder", openai::fuzz::fuzz_chunked_decoder},
    {"http_head", openai::fuzz::fuzz_http_head},
    {"base64", openai::fuzz::fuzz_base64},
    {"image_sniff", openai::fuzz::fuzz_image_sniff},
    {"multipart", openai::fuzz::fuzz_multipart},
    {"batch_input", openai::fuzz::fuzz_batch_input},
    {"batch_output", openai::fuzz::fuzz_batch_output},
    {"emulator_batch_lines", openai::fuzz::fuzz_emulator_batch_lines},
};

// Replays every file of `dir`/<target>/, in name order; returns how many.
std::size_t replay(const fs::path& dir, const target& t) {
    const fs::path folder = dir / t.name;
    std::vector<fs::path> files;
    if (fs::is_directory(folder))
        for (const auto& e : fs::directory_iterator(folder))
            if (e.is_regular_file())
                files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        BOOST_TEST_CHECKPOINT(t.name << ": " << file.string());
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    return files.size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(fuzz_replay)

BOOST_AUTO_TEST_CASE(regression_inputs) {
    const fs::path dir = OPENAI_IMAGES_FUZZ_DIR "/regressions";
    std::size_t total = 0;
    for (const auto& t : targets)
        total += replay(dir, t);
    BOOST_TEST_MESSAGE("replayed " << total << " fuzz regression inputs");
    BOOST_TEST(total > 0u);
}

BOOST_AUTO_TEST_CASE(seed_corpus) {
    const fs::path dir = OPENAI_IMAGES_FUZZ_DIR "/corpus";
    for (const auto& t : targets)
        BOOST_TEST(replay(dir, t) > 0u, t.name << " has no seeds");
}

// A few fixed inputs that each target must take in stride: empty, header only, odd headers.
BOOST_AUTO_TEST_CASE(degenerate_inputs) {
    const std::vector<std::string> inputs = {
        "", std::string(1, '\0'), "\x0f", "\xff\x01", std::string(20, '\x01'), "\x01\x01\r\n\r\n"};
    for (const auto& t : targets)
        for (const auto& bytes : inputs)
            t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// What fuzz/regressions/sse_parser/id-with-nul-over-limit-split-differently found, by hand: an
// `id` value whose bytes before a NUL exceed the limit failed when they came in a read before the
// NUL, and was silently ignored when the NUL came in the same read.
BOOST_AUTO_TEST_CASE(sse_id_over_the_limit_before_a_nul_fails_however_split) {
    const std::string text = "id: " + std::string(40, 'x') + std::string(1, '\0') + "\ndata: a\n\n";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        openai::sse::parser p({16});
        const auto e1 = openai::sse::parse(p, std::string_view(text).substr(0, cut), false,
                                           [](openai::sse::event&&) {});
        const auto e2 = e1 ? e1
                           : openai::sse::parse(p, std::string_view(text).substr(cut), true,
                                                [](openai::sse::event&&) {});
        BOOST_TEST((e2 == openai::errc::event_too_large), "cut at " << cut);
    }
}

// What fuzz/regressions/sse_parser/unfinished-utf8-at-limit-split-differently found, by hand:
// "\xc5a" decodes to U+FFFD "a" (4 bytes, the limit); a lead byte after it is held, unfinished.
// Fed byte by byte the held byte exceeded the limit; fed in one read it was not counted.
BOOST_AUTO_TEST_CASE(sse_unfinished_utf8_at_the_limit_fails_however_split) {
    const std::string text = "data: \xc5"
                             "a\xf0";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        openai::sse::parser p({4});
        const auto e1 = openai::sse::parse(p, std::string_view(text).substr(0, cut), false,
                                           [](openai::sse::event&&) {});
        const auto e2 = e1 ? e1
                           : openai::sse::parse(p, std::string_view(text).substr(cut), false,
                                                [](openai::sse::event&&) {});
        BOOST_TEST((e2 == openai::errc::event_too_large), "cut at " << cut);
    }
}

// What fuzz/regressions/http_head/ found: a retry-after date outside what system_clock's
// nanoseconds hold (about 1678..2262), or a number of seconds or milliseconds too big for 64 bits,
// overflowed (undefined behaviour). Such dates are not understood; such waits saturate.
BOOST_AUTO_TEST_CASE(retry_after_beyond_the_clock_is_no_undefined_behaviour) {
    using namespace std::chrono;
    namespace codec = openai::codec;
    BOOST_TEST(!codec::parse_http_date("Sun, 15 Nov 0997 08:49:37 GMT"));
    BOOST_TEST(!codec::parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
    BOOST_TEST(codec::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").has_value());
    const auto now = system_clock::time_point{} + hours(24 * 365 * 56);
    const auto huge = codec::server_retry_delay({"", "", "1e300"}, now);
    BOOST_TEST_REQUIRE(huge.has_value());
    BOOST_TEST(huge->count() > 0);
    const auto huge_ms = codec::server_retry_delay({"", "123456789012345678901234567890", ""}, now);
    BOOST_TEST_REQUIRE(huge_ms.has_value());
    BOOST_TEST(huge_ms->count() > 0);
    // Dates still give their exact ceil(date - now).
    const auto date = *codec::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    BOOST_TEST(codec::server_retry_delay({"", "", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                         date - milliseconds(1500))
                   ->count() == 1500);
    BOOST_TEST(codec::server_retry_delay({"", "", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                         date - microseconds(1500))
                   ->count() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
