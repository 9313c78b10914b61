// The SSE parser's byte helpers: the vectorised line-end search against the portable one and a
// naive loop, and the incremental UTF-8 decoder (WHATWG Encoding) fed whole and in pieces.
#include "codec/sse_scan.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace detail = openai::sse::detail;

namespace {

detail::line_scan naive_line_end(const char* first, const char* last) {
    bool ascii = true;
    for (; first != last && *first != '\n' && *first != '\r'; ++first)
        ascii = ascii && static_cast<unsigned char>(*first) < 0x80;
    return {first, ascii};
}

std::string decode(const std::string& in, const std::vector<std::size_t>& cuts = {}) {
    std::string out;
    detail::utf8_state state;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        detail::append_utf8(out, in.data() + from, in.data() + cut, state);
        from = cut;
    }
    detail::append_utf8(out, in.data() + from, in.data() + in.size(), state);
    detail::flush_utf8(out, state);
    return out;
}

// Well-formed UTF-8 per Unicode table 3-7, written independently of the decoder.
bool well_formed(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
        const auto in = [](unsigned v, unsigned lo, unsigned hi) { return v >= lo && v <= hi; };
        std::size_t n = 0;
        if (b(0) < 0x80)
            n = 1;
        else if (in(b(0), 0xC2, 0xDF))
            n = 2;
        else if (in(b(0), 0xE0, 0xEF))
            n = 3;
        else if (in(b(0), 0xF0, 0xF4))
            n = 4;
        else
            return false;
        if (i + n > s.size())
            return false;
        const unsigned lo = b(0) == 0xE0 ? 0xA0 : b(0) == 0xF0 ? 0x90 : 0x80;
        const unsigned hi = b(0) == 0xED ? 0x9F : b(0) == 0xF4 ? 0x8F : 0xBF;
        if (n > 1 && !in(b(1), lo, hi))
            return false;
        for (std::size_t k = 2; k < n; ++k)
            if (!in(b(k), 0x80, 0xBF))
                return false;
        i += n;
    }
    return true;
}

std::string encode(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

const std::string fffd = "\xEF\xBF\xBD";

std::string times(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sse_scan)

BOOST_AUTO_TEST_CASE(line_end_search_agrees_with_a_naive_loop) {
    std::mt19937 rng(20240601);
    std::vector<char> buffer(600);
    for (int round = 0; round < 20000; ++round) {
        const std::size_t size = rng() % 300;
        const std::size_t offset = rng() % 64; // every alignment
        for (std::size_t i = 0; i < size; ++i)
            buffer[offset + i] = static_cast<char>('a' + rng() % 26);
        // A few special bytes at random places: line ends, high bytes, near-misses.
        const char specials[] = {'\n', '\r', '\x80', '\xFF', '\x0B', '\x0C', '\x8A', '\x8D', '\0'};
        const int count = static_cast<int>(rng() % 4);
        for (int k = 0; k < count && size != 0; ++k)
            buffer[offset + rng() % size] = specials[rng() % sizeof specials];
        const char* first = buffer.data() + offset;
        const char* last = first + size;
        const detail::line_scan expected = naive_line_end(first, last);
        const detail::line_scan fast = detail::find_line_end(first, last);
        const detail::line_scan portable = detail::find_line_end_portable(first, last);
        if (fast.end_of_line != expected.end_of_line || fast.ascii != expected.ascii ||
            portable.end_of_line != expected.end_of_line || portable.ascii != expected.ascii) {
            BOOST_TEST_MESSAGE("round " << round << " size " << size << " offset " << offset);
            BOOST_TEST(fast.end_of_line - first == expected.end_of_line - first);
            BOOST_TEST(fast.ascii == expected.ascii);
            BOOST_TEST(portable.end_of_line - first == expected.end_of_line - first);
            BOOST_TEST(portable.ascii == expected.ascii);
            break;
        }
    }
}

BOOST_AUTO_TEST_CASE(line_end_search_edge_positions) {
    // A line end or a high byte at each position of a long buffer, including the very last.
    for (const char special : {'\n', '\r', '\x80'}) {
        for (std::size_t size = 0; size <= 200; ++size) {
            for (std::size_t at = 0; at < size; ++at) {
                std::string s(size, 'x');
                s[at] = special;
                const auto expected = naive_line_end(s.data(), s.data() + s.size());
                const auto fast = detail::find_line_end(s.data(), s.data() + s.size());
                const auto portable = detail::find_line_end_portable(s.data(), s.data() + s.size());
                if (fast.end_of_line != expected.end_of_line || fast.ascii != expected.ascii ||
                    portable.end_of_line != expected.end_of_line ||
                    portable.ascii != expected.ascii) {
                    BOOST_TEST(false,
                               "special " << int(special) << " size " << size << " at " << at);
                    return;
                }
            }
        }
    }
    const std::string empty;
    BOOST_TEST(detail::find_line_end(empty.data(), empty.data()).ascii);
}

BOOST_AUTO_TEST_CASE(valid_utf8_decodes_to_itself_in_any_pieces) {
    std::string text;
    for (const std::uint32_t cp : {0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0xD7FFu, 0xE000u,
                                   0xFFFDu, 0xFEFFu, 0x10000u, 0x1F94Cu, 0x10FFFFu, 0x0u})
        text += encode(cp);
    BOOST_TEST(well_formed(text));
    BOOST_TEST(decode(text) == text);
    for (std::size_t i = 0; i <= text.size(); ++i)
        for (std::size_t j = i; j <= text.size(); ++j)
            if (decode(text, {i, j}) != text) {
                BOOST_TEST(false, "cuts " << i << ", " << j);
                return;
            }
}

BOOST_AUTO_TEST_CASE(invalid_sequences_follow_the_maximal_subpart_rule) {
    // Unicode 15 tables 3-8 to 3-11 (the practice WHATWG's decoder follows).
    BOOST_TEST(decode("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
               "a" + times(fffd, 3) + "b" + fffd + "c" + times(fffd, 2) + "d");
    BOOST_TEST(decode("\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41") == times(fffd, 8) + "A");
    BOOST_TEST(decode("\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41") == times(fffd, 8) + "A");
    BOOST_TEST(decode("\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42") ==
               times(fffd, 5) + "A" + times(fffd, 2) + "B");
    BOOST_TEST(decode("\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41") == times(fffd, 4) + "A");
    // Cut short by the end of the value.
    BOOST_TEST(decode("\xE2\x82") == fffd);
    BOOST_TEST(decode("x\xF0\x9F\xA5") == "x" + fffd);
    BOOST_TEST(decode("\xC3") == fffd);
    BOOST_TEST(decode("\xF5\xF8\xFE") == times(fffd, 3));
}

BOOST_AUTO_TEST_CASE(random_bytes_decode_the_same_in_any_pieces_to_well_formed_utf8) {
    std::mt19937 rng(7);
    for (int round = 0; round < 3000; ++round) {
        std::string in(rng() % 24, '\0');
        for (char& c : in) {
            // Mostly bytes that matter to UTF-8: leads, continuations, invalid ones.
            const unsigned pick = rng() % 8;
            c = static_cast<char>(pick == 0  ? 'a'
                                  : pick < 4 ? 0x80 + rng() % 0x40
                                             : 0xC0 + rng() % 0x40);
        }
        const std::string whole = decode(in);
        if (!well_formed(whole)) {
            BOOST_TEST(false, "round " << round << ": ill-formed output");
            return;
        }
        const std::size_t i = in.empty() ? 0 : rng() % (in.size() + 1);
        const std::size_t j = i + (in.size() == i ? 0 : rng() % (in.size() - i + 1));
        if (decode(in, {i, j}) != whole) {
            BOOST_TEST(false, "round " << round << ": cuts " << i << ", " << j << " differ");
            return;
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
