// Differential test: the incremental parser against a literal, whole-input reading of WHATWG HTML
// 9.2.6 (decode the stream, drop one BOM, split lines, process fields), on random streams built
// from the tokens that matter, cut at random places.
#include "codec/sse_scan.hpp"
#include "sse_test_util.hpp"

#include <openai/sse.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

using openai::sse::event;

namespace {

struct reference_result {
    std::vector<event> events;
    std::optional<std::uint64_t> retry;
    std::string last_event_id;
};

// The specification's steps, in its order, on the whole input at once.
reference_result reference_parse(const std::string& input) {
    std::string text;
    openai::sse::detail::utf8_state state;
    openai::sse::detail::append_utf8(text, input.data(), input.data() + input.size(), state);
    openai::sse::detail::flush_utf8(text, state);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0)
        text.erase(0, 3);

    reference_result r;
    std::string data, type, id_buffer;
    std::size_t pos = 0;
    while (true) {
        const std::size_t eol = text.find_first_of("\r\n", pos);
        if (eol == std::string::npos)
            break; // an unterminated last line is never processed
        const std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (text[eol] == '\r' && pos < text.size() && text[pos] == '\n')
            ++pos;

        if (line.empty()) {
            r.last_event_id = id_buffer;
            if (data.empty()) {
                type.clear();
                continue;
            }
            if (data.back() == '\n')
                data.pop_back();
            r.events.push_back(event{type.empty() ? "message" : type, data, r.last_event_id});
            data.clear();
            type.clear();
            continue;
        }
        if (line[0] == ':')
            continue;
        std::string name = line, value;
        if (const std::size_t colon = line.find(':'); colon != std::string::npos) {
            name = line.substr(0, colon);
            value = line.substr(colon + 1);
            if (!value.empty() && value[0] == ' ')
                value.erase(0, 1);
        }
        if (name == "event") {
            type = value;
        } else if (name == "data") {
            data += value;
            data += '\n';
        } else if (name == "id") {
            if (value.find('\0') == std::string::npos)
                id_buffer = value;
        } else if (name == "retry") {
            bool digits = !value.empty();
            std::uint64_t n = 0;
            for (const char c : value) {
                if (c < '0' || c > '9') {
                    digits = false;
                    break;
                }
                const auto d = static_cast<std::uint64_t>(c - '0');
                const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
                n = n > (max - d) / 10 ? max : n * 10 + d;
            }
            if (digits)
                r.retry = n;
        }
    }
    return r;
}

std::string random_stream(std::mt19937& rng) {
    // clang-format off
    static const std::vector<std::string> tokens = {
        "data", "data", "event", "id", "retry", "dat", "Data", ":", ":", ": ", " ", "-", "x",
        "msg", "7", "42", "\t", "\n", "\n", "\r", "\r\n", "\r\n", "NUL",
        // Bytes that UTF-8 decoding and the BOM rule care about.
        "\xFF", "\xE2", "\x82", "\xE2\x99\xA5", "\xC3\xA9", "\xEF\xBB\xBF", "\xEF",
        "\xF0\x9F\xA5\x8C", "\xED\xA0\x80",
        // Whole lines, so that blocks form often.
        "data: d\n", "data\n", "event: e\n", "event\n", "id: 1\n", "id\r\n", "retry: 5\n",
        ": c\n", "\n\n", "\r\n\r\n", "\r\r"};
    // clang-format on
    std::string s;
    const std::size_t count = rng() % 40;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& t = tokens[rng() % tokens.size()];
        s += t == "NUL" ? std::string(1, '\0') : t;
    }
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sse_reference)

BOOST_AUTO_TEST_CASE(random_streams_in_random_pieces_match_a_literal_reading_of_the_spec) {
    std::mt19937 rng(91);
    int failures = 0;
    for (int round = 0; round < 30000 && failures < 3; ++round) {
        const std::string input = random_stream(rng);
        const reference_result expected = reference_parse(input);
        std::vector<std::size_t> cuts;
        if (round % 5 == 0) {
            cuts = openai::sse::test::every_byte(input.size());
        } else {
            for (std::size_t k = rng() % 5; k > 0 && !input.empty(); --k)
                cuts.push_back(rng() % (input.size() + 1));
            std::sort(cuts.begin(), cuts.end());
        }
        const auto got =
            openai::sse::test::run(input, cuts, openai::sse::parser_options{0}, round % 2 == 0);
        std::string why = openai::sse::test::problems(got, expected.events);
        if (why.empty() && got.retry != expected.retry)
            why = "retry " + openai::sse::test::shown(got.retry) + " instead of " +
                  openai::sse::test::shown(expected.retry);
        if (why.empty() && got.last_event_id != expected.last_event_id)
            why = "last event id " + openai::sse::test::show(got.last_event_id) + " instead of " +
                  openai::sse::test::show(expected.last_event_id);
        if (!why.empty()) {
            ++failures;
            BOOST_TEST(why.empty(), "round " << round << ", input "
                                             << openai::sse::test::show(input) << ": " << why);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
