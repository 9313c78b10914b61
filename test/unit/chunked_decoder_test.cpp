// The in-place chunked transfer-coding decoder: bodies split anywhere, extensions and trailers
// skipped, bytes after the message reported, and malformed framing refused with a reason.
#include "codec/chunked_decoder.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

using openai::codec::chunked_decoder;

namespace {

// Feeds `wire` in pieces of the given sizes (the last piece takes the rest) and returns the body.
std::string decode_in_pieces(chunked_decoder& d, std::string wire,
                             const std::vector<std::size_t>& cuts,
                             std::size_t* leftover = nullptr) {
    std::string body;
    std::size_t at = 0;
    for (std::size_t i = 0; at < wire.size() && !d.failed(); ++i) {
        const auto n = i < cuts.size() ? std::min(cuts[i], wire.size() - at) : wire.size() - at;
        const auto r = d.decode(wire.data() + at, n);
        body.append(wire.data() + at, r.body);
        if (leftover != nullptr)
            *leftover = r.leftover;
        at += n;
        if (d.done())
            break;
    }
    return body;
}

std::string decode_whole(const std::string& wire, chunked_decoder& d) {
    return decode_in_pieces(d, wire, {});
}

} // namespace

BOOST_AUTO_TEST_SUITE(chunked_decoding)

BOOST_AUTO_TEST_CASE(a_simple_body) {
    chunked_decoder d;
    BOOST_TEST(decode_whole("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", d) == "hello, world");
    BOOST_TEST(d.done());
    BOOST_TEST(!d.failed());
}

BOOST_AUTO_TEST_CASE(upper_and_lower_case_sizes_extensions_and_trailers) {
    chunked_decoder d;
    const std::string wire = "A;name=value\r\n0123456789\r\na ; x\r\nabcdefghij\r\n"
                             "0\r\nX-Trailer: yes\r\nOther: 1\r\n\r\n";
    BOOST_TEST(decode_whole(wire, d) == "0123456789abcdefghij");
    BOOST_TEST(d.done());
}

BOOST_AUTO_TEST_CASE(every_split_of_a_body_decodes_the_same) {
    const std::string wire =
        "3\r\nabc\r\n1;e=1\r\nd\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n";
    const std::string expected = "abcd0123456789abcdef";
    for (std::size_t a = 1; a < wire.size(); ++a) {
        for (std::size_t b = 1; a + b < wire.size(); b += 3) {
            chunked_decoder d;
            const auto body = decode_in_pieces(d, wire, {a, b, 1, 2});
            BOOST_TEST_REQUIRE(body == expected, "split at " << a << ", " << b);
            BOOST_TEST_REQUIRE(d.done());
        }
    }
}

BOOST_AUTO_TEST_CASE(random_bodies_and_pieces) {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::string body;
        std::string wire;
        const int chunks = static_cast<int>(rng() % 6);
        for (int c = 0; c < chunks; ++c) {
            const std::size_t size = 1 + rng() % 5000;
            std::string data(size, '\0');
            for (auto& ch : data)
                ch = static_cast<char>(rng() % 256); // any byte, CR and LF included
            char hex[32];
            std::snprintf(hex, sizeof hex, rng() % 2 ? "%zx" : "%zX", size);
            wire += hex;
            if (rng() % 3 == 0)
                wire += ";ext=\"quoted\"";
            wire += "\r\n" + data + "\r\n";
            body += data;
        }
        wire += "0\r\n";
        if (rng() % 2)
            wire += "Trailer: x\r\n";
        wire += "\r\n";
        std::vector<std::size_t> cuts;
        for (int i = 0; i < 40; ++i)
            cuts.push_back(1 + rng() % 3000);
        chunked_decoder d;
        BOOST_TEST_REQUIRE(decode_in_pieces(d, wire, cuts) == body, "round " << round);
        BOOST_TEST_REQUIRE(d.done());
    }
}

BOOST_AUTO_TEST_CASE(bytes_after_the_message_are_reported) {
    chunked_decoder d;
    std::size_t leftover = 0;
    BOOST_TEST(decode_in_pieces(d, "2\r\nok\r\n0\r\n\r\nHTTP/1.1 200", {}, &leftover) == "ok");
    BOOST_TEST(d.done());
    BOOST_TEST(leftover == 12u);
}

BOOST_AUTO_TEST_CASE(an_unfinished_body_is_not_done) {
    chunked_decoder d;
    BOOST_TEST(decode_whole("5\r\nhel", d) == "hel");
    BOOST_TEST(!d.done());
    BOOST_TEST(!d.failed());
}

BOOST_AUTO_TEST_CASE(malformed_framing_is_refused_with_a_reason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"\r\n", "expected a chunk size"},
        {"zz\r\n", "expected a chunk size"},
        {"5x\r\nhello\r\n", "unexpected character after a chunk size"},
        {"5\rxhello", "chunk size line not ended by CRLF"},
        {"5\r\nhelloXX", "chunk data not followed by CRLF"},
        {"5\r\nhello\rX", "chunk data not followed by CRLF"},
        {"1000000000000000\r\n", "chunk size too large"},
        {"0\r\n\rX", "trailer section not ended by CRLF"},
        {"1;" + std::string(5000, 'e') + "\r\n", "chunk size line too long"},
        {"0\r\n" + std::string(70000, 't'), "trailer section too long"},
    };
    for (const auto& [wire, reason] : cases) {
        chunked_decoder d;
        decode_whole(wire, d);
        BOOST_TEST_REQUIRE(d.failed(), wire.substr(0, 20));
        BOOST_TEST(d.error().find(reason) != std::string::npos, d.error() << " for " << reason);
        BOOST_TEST(d.error().find("bad chunked encoding") == 0u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
