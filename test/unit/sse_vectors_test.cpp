// The shared event-stream vectors (../shared/sse-vectors): every vector and every image stream
// fed whole, at its own chunk offsets, byte by byte, cut in two at every offset and, when short,
// cut in three at every pair of offsets. Labelled "shared": CTest runs them only with the data.
#include "sse_test_util.hpp"
#include "support/shared_data.hpp"

#include <openai/sse.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace json = boost::json;
namespace ut = boost::unit_test;
using openai::sse::event;
using openai::sse::test::compare;
using openai::sse::test::every_byte;
using openai::sse::test::outcome;
using openai::sse::test::run;
using openai::sse::test::shown;

namespace {

struct vector_case {
    std::string name;
    std::string input;
    std::vector<std::size_t> chunks;
    std::vector<event> events;
    bool check_retry = false;
    std::optional<std::uint64_t> retry;
};

std::string from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0)
        throw std::runtime_error("input_hex has an odd length");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        throw std::runtime_error("input_hex has a non-hex digit");
    };
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    return out;
}

std::vector<event> events_of(const json::value& list) {
    std::vector<event> events;
    for (const json::value& e : list.as_array())
        events.push_back(event{std::string(e.at("event").as_string()),
                               std::string(e.at("data").as_string()),
                               std::string(e.at("id").as_string())});
    return events;
}

vector_case read_case(const json::object& v, const char* events_key, bool has_retry) {
    vector_case c;
    c.name = std::string(v.at("name").as_string());
    // input_hex, when present, holds the exact bytes (input then shows them decoded).
    c.input = v.contains("input_hex") ? from_hex(v.at("input_hex").as_string())
                                      : std::string(v.at("input").as_string());
    if (const json::value* chunks = v.if_contains("chunks"))
        for (const json::value& offset : chunks->as_array())
            c.chunks.push_back(static_cast<std::size_t>(offset.to_number<std::uint64_t>()));
    c.events = events_of(v.at(events_key));
    if (has_retry) {
        c.check_retry = true;
        if (!v.at("retry").is_null())
            c.retry = v.at("retry").to_number<std::uint64_t>();
    }
    return c;
}

// "" if feeding `c` cut at `cuts` gives its events (and retry), else what went wrong.
std::string check(const vector_case& c, const std::vector<std::size_t>& cuts, bool recycle,
                  bool sink = false) {
    const outcome o = run(c.input, cuts, {}, recycle, sink);
    if (std::string why = openai::sse::test::problems(o, c.events); !why.empty())
        return why;
    if (c.check_retry && o.retry != c.retry)
        return "retry: expected " + shown(c.retry) + ", got " + shown(o.retry);
    return {};
}

std::string describe(const std::vector<std::size_t>& cuts) {
    std::string s;
    for (const std::size_t cut : cuts)
        s += (s.empty() ? "" : ",") + std::to_string(cut);
    return "cuts [" + s + "]";
}

// Where a two-way cut can matter. Short inputs: everywhere. Long ones (a quadratic sweep would be
// slow): near both ends, around every byte that is not plain text, and on a stride in between.
std::vector<std::size_t> two_way_cuts(const std::string& input) {
    constexpr std::size_t everywhere = 8192;
    std::set<std::size_t> cuts;
    const std::size_t n = input.size();
    if (n <= everywhere) {
        for (std::size_t i = 0; i <= n; ++i)
            cuts.insert(i);
    } else {
        for (std::size_t i = 0; i <= 64; ++i) {
            cuts.insert(i);
            cuts.insert(n - i);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const auto b = static_cast<unsigned char>(input[i]);
            if (b == '\n' || b == '\r' || b == ':' || b >= 0x80 || b < 0x20)
                for (std::size_t k = (i < 8 ? 0 : i - 8); k <= i + 8 && k <= n; ++k)
                    cuts.insert(k);
        }
        for (std::size_t i = 0; i <= n; i += 509)
            cuts.insert(i);
    }
    return {cuts.begin(), cuts.end()};
}

// Feeds one case in every way; one failure per way is reported, with the case's name.
void check_every_way(const vector_case& c) {
    BOOST_TEST_CONTEXT("vector " << c.name) {
        std::vector<std::size_t> chunks = c.chunks;
        bool chunks_ok = true;
        for (std::size_t i = 0; i < chunks.size(); ++i)
            chunks_ok =
                chunks_ok && chunks[i] <= c.input.size() && (i == 0 || chunks[i - 1] <= chunks[i]);
        BOOST_TEST_REQUIRE(chunks_ok, "chunk offsets must ascend within the input");

        auto expect = [](const std::string& why, const std::string& how) {
            BOOST_TEST(why.empty(), how << ": " << why);
        };
        expect(check(c, {}, false), "whole");
        expect(check(c, {}, true), "whole, reusing one event");
        if (!chunks.empty()) {
            expect(check(c, chunks, false), "at its chunks " + describe(chunks));
            expect(check(c, chunks, true), "at its chunks, reusing one event");
        }
        expect(check(c, every_byte(c.input.size()), false), "byte by byte");
        expect(check(c, every_byte(c.input.size()), true), "byte by byte, reusing one event");
        // The data handed to a sink as it is decoded, as the client's streams take it.
        expect(check(c, {}, true, true), "whole, data to a sink");
        if (!chunks.empty())
            expect(check(c, chunks, true, true), "at its chunks, data to a sink");
        expect(check(c, every_byte(c.input.size()), false, true), "byte by byte, data to a sink");

        for (const std::size_t cut : two_way_cuts(c.input)) {
            if (std::string why = check(c, {cut}, cut % 2 == 1, cut % 3 == 0); !why.empty()) {
                expect(why, "cut in two at " + std::to_string(cut));
                break;
            }
        }
        constexpr std::size_t three_way_limit = 96;
        if (c.input.size() <= three_way_limit) {
            bool failed = false;
            for (std::size_t i = 1; i < c.input.size() && !failed; ++i)
                for (std::size_t j = i + 1; j < c.input.size() && !failed; ++j)
                    if (std::string why = check(c, {i, j}, (i + j) % 2 == 1); !why.empty()) {
                        expect(why, "cut in three at " + describe({i, j}));
                        failed = true;
                    }
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(sse_shared_vectors)

BOOST_AUTO_TEST_CASE(every_vector_in_every_chunking, *ut::label("shared")) {
    const json::value vectors = openai::test::read_shared_json("sse-vectors/vectors.json");
    std::size_t count = 0;
    for (const json::value& v : vectors.as_array()) {
        check_every_way(read_case(v.as_object(), "events", true));
        ++count;
    }
    BOOST_TEST(count > 0u);
    BOOST_TEST_MESSAGE("sse-vectors/vectors.json: " << count << " vectors");
}

BOOST_AUTO_TEST_CASE(every_image_stream_in_every_chunking, *ut::label("shared")) {
    const json::value file =
        openai::test::read_shared_json("sse-vectors/openai-image-streams.json");
    std::size_t count = 0;
    for (const json::value& s : file.at("streams").as_array()) {
        check_every_way(read_case(s.as_object(), "sse_events", false));
        ++count;
    }
    BOOST_TEST(count > 0u);
    BOOST_TEST_MESSAGE("sse-vectors/openai-image-streams.json: " << count << " streams");
}

BOOST_AUTO_TEST_SUITE_END()
