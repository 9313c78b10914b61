#include "codec/base64.hpp"

#include <openai/error.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using openai::codec::base64_decode;
using openai::codec::base64_decoded_size_upper_bound;
using openai::codec::base64_decoder;
using openai::codec::base64_encode;
using openai::codec::base64_encode_append;
using openai::codec::base64_encoded_size;

namespace {

// An independent, deliberately naive encoder (bit by bit) to compare the fast one against.
std::string reference_encode(std::string_view in) {
    static constexpr char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::vector<int> bits;
    for (unsigned char c : in)
        for (int b = 7; b >= 0; --b)
            bits.push_back((c >> b) & 1);
    while (bits.size() % 6 != 0)
        bits.push_back(0);
    for (std::size_t i = 0; i < bits.size(); i += 6) {
        int v = 0;
        for (int k = 0; k < 6; ++k)
            v = v * 2 + bits[i + static_cast<std::size_t>(k)];
        out += alpha[v];
    }
    while (out.size() % 4 != 0)
        out += '=';
    return out;
}

std::string random_bytes(std::size_t n, std::mt19937& rng) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

struct decode_result {
    bool ok;
    std::string bytes;
    std::size_t error_offset;
    std::string reason;
};

// Feeds `text` in the given pieces through the std::string variant, then finishes.
decode_result decode_in_pieces(std::string_view text, const std::vector<std::size_t>& cuts) {
    base64_decoder d;
    decode_result r{true, {}, 0, {}};
    std::size_t from = 0;
    auto piece = [&](std::size_t to) {
        if (r.ok)
            r.ok = d.feed(text.substr(from, to - from), r.bytes);
        from = to;
    };
    for (auto cut : cuts)
        piece(cut);
    piece(text.size());
    if (r.ok)
        r.ok = d.finish(r.bytes);
    r.error_offset = d.error_offset();
    r.reason = std::string(d.error_reason());
    return r;
}

// Same through the raw-buffer variant, each piece into a buffer of exactly the documented size
// (heap-allocated so AddressSanitizer catches any write past it).
decode_result decode_raw_in_pieces(std::string_view text, const std::vector<std::size_t>& cuts) {
    base64_decoder d;
    decode_result r{true, {}, 0, {}};
    std::size_t from = 0;
    auto piece = [&](std::size_t to) {
        const auto in = text.substr(from, to - from);
        from = to;
        if (!r.ok)
            return;
        const std::size_t room = base64_decoded_size_upper_bound(in.size() + 3);
        auto buf = std::make_unique<char[]>(room == 0 ? 1 : room);
        std::size_t written = 12345;
        r.ok = d.feed(in, buf.get(), written);
        BOOST_TEST_REQUIRE(written <= room);
        r.bytes.append(buf.get(), written);
    };
    for (auto cut : cuts)
        piece(cut);
    piece(text.size());
    if (r.ok) {
        auto tail = std::make_unique<char[]>(2);
        std::size_t written = 0;
        r.ok = d.finish(tail.get(), written);
        BOOST_TEST_REQUIRE(written <= 2u);
        r.bytes.append(tail.get(), written);
    }
    r.error_offset = d.error_offset();
    r.reason = std::string(d.error_reason());
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        BOOST_TEST(base64_encode(plain) == encoded);
        BOOST_TEST(base64_encoded_size(plain.size()) == encoded.size());
        std::string out = "prefix:";
        boost::system::error_code ec = openai::errc::invalid_json;
        BOOST_TEST(base64_decode(encoded, out, ec));
        BOOST_TEST(!ec);
        BOOST_TEST(out == "prefix:" + std::string(plain));
        BOOST_TEST(base64_decoded_size_upper_bound(encoded.size()) >= plain.size());
    }
}

BOOST_AUTO_TEST_CASE(padding_is_optional_at_the_end) {
    for (auto [text, plain] : {std::pair<std::string_view, std::string_view>{"Zg", "f"},
                               {"Zm8", "fo"},
                               {"Zm9vYg", "foob"},
                               {"Zm9vYmE", "fooba"}}) {
        std::string out;
        boost::system::error_code ec;
        BOOST_TEST(base64_decode(text, out, ec), text);
        BOOST_TEST(out == plain);
    }
}

BOOST_AUTO_TEST_CASE(all_byte_values_and_appending) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    std::string enc = "x";
    base64_encode_append(all, enc);
    BOOST_TEST(enc == "x" + reference_encode(all));
    std::string dec;
    boost::system::error_code ec;
    BOOST_TEST(base64_decode(std::string_view(enc).substr(1), dec, ec));
    BOOST_TEST((dec == all));
}

BOOST_AUTO_TEST_CASE(random_round_trips_of_many_lengths) {
    std::mt19937 rng(42);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 400; ++n)
        lengths.push_back(n);
    for (std::size_t n : {1000u, 4095u, 4096u, 4097u, 65535u, 100003u, 1u << 20})
        lengths.push_back(n);
    for (auto n : lengths) {
        const auto data = random_bytes(n, rng);
        const auto enc = base64_encode(data);
        BOOST_TEST_REQUIRE(enc == reference_encode(data), "length " << n);
        BOOST_TEST_REQUIRE(enc.size() == base64_encoded_size(n));

        // Raw encoder into an exact-size heap buffer (overflow would show under ASan).
        auto raw = std::make_unique<char[]>(enc.size() + 1);
        BOOST_TEST_REQUIRE(base64_encode(data, raw.get()) == enc.size());
        BOOST_TEST_REQUIRE(std::string_view(raw.get(), enc.size()) == enc);

        std::string dec;
        boost::system::error_code ec;
        BOOST_TEST_REQUIRE(base64_decode(enc, dec, ec), "length " << n);
        BOOST_TEST_REQUIRE((dec == data), "length " << n);

        const auto raw_dec = decode_raw_in_pieces(enc, {});
        BOOST_TEST_REQUIRE(raw_dec.ok);
        BOOST_TEST_REQUIRE((raw_dec.bytes == data), "length " << n);
    }
}

BOOST_AUTO_TEST_CASE(every_split_point_of_a_stream) {
    std::mt19937 rng(7);
    // Long enough for the block fast path on both sides of most cuts; lengths cover each kind of
    // final quantum.
    for (std::size_t n : {300u, 301u, 302u}) {
        const auto data = random_bytes(n, rng);
        const auto enc = base64_encode(data);
        for (std::size_t cut = 0; cut <= enc.size(); ++cut) {
            const auto a = decode_in_pieces(enc, {cut});
            BOOST_TEST_REQUIRE(a.ok, "cut " << cut);
            BOOST_TEST_REQUIRE((a.bytes == data), "cut " << cut);
            const auto b = decode_raw_in_pieces(enc, {cut});
            BOOST_TEST_REQUIRE(b.ok, "cut " << cut);
            BOOST_TEST_REQUIRE((b.bytes == data), "cut " << cut);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_pair_of_split_points_of_a_short_stream) {
    for (std::string_view enc : {"Zm9vYmFy", "Zm9vYmE=", "Zm9vYg==", "Zm9vYmE", "Zm9vYg"}) {
        std::string expected;
        boost::system::error_code ec;
        BOOST_TEST_REQUIRE(base64_decode(enc, expected, ec));
        for (std::size_t i = 0; i <= enc.size(); ++i)
            for (std::size_t j = i; j <= enc.size(); ++j) {
                const auto a = decode_in_pieces(enc, {i, j});
                BOOST_TEST(a.ok);
                BOOST_TEST(a.bytes == expected, enc << " cuts " << i << "," << j);
                const auto b = decode_raw_in_pieces(enc, {i, j});
                BOOST_TEST(b.ok);
                BOOST_TEST(b.bytes == expected, enc << " cuts " << i << "," << j);
            }
    }
}

BOOST_AUTO_TEST_CASE(one_character_at_a_time) {
    std::mt19937 rng(9);
    const auto data = random_bytes(1000, rng);
    const auto enc = base64_encode(data);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < enc.size(); ++i)
        cuts.push_back(i);
    const auto a = decode_in_pieces(enc, cuts);
    BOOST_TEST(a.ok);
    BOOST_TEST((a.bytes == data));
    const auto b = decode_raw_in_pieces(enc, cuts);
    BOOST_TEST(b.ok);
    BOOST_TEST((b.bytes == data));
}

BOOST_AUTO_TEST_CASE(malformed_inputs_name_the_offset) {
    struct bad_case {
        std::string_view text;
        std::size_t offset;
        std::string_view reason;
    };
    const bad_case cases[] = {
        {"Zm9v*mFy", 4, "invalid character"},
        {"Zm9vYmF-", 7, "invalid character"},  // URL-safe alphabet is not accepted
        {"Zm9v YmFy", 4, "invalid character"}, // no whitespace
        {"Zm9v\nYmFy", 4, "invalid character"},
        {std::string_view("Zm\0v", 4), 2, "invalid character"},
        {"\x80Zm9v", 0, "invalid character"},
        {"Zg==Zg==", 4, "data after padding"}, // '=' in the middle of the stream
        {"Zm9=Zm9v", 4, "data after padding"},
        {"Zg=A", 3, "data after padding"},
        {"Zg===", 4, "data after padding"}, // too much padding
        {"Zm9v=", 4, "misplaced padding '='"},
        {"Z===", 1, "misplaced padding '='"},
        {"=Zm9", 0, "misplaced padding '='"},
        {"Zm9vY", 4, "lone trailing character"},
        {"Z", 0, "lone trailing character"},
        {"Zg=", 3, "incomplete padding"},
        {"Zm9vYg=", 7, "incomplete padding"},
    };
    for (const auto& c : cases) {
        for (std::size_t cut = 0; cut <= c.text.size(); ++cut) {
            const auto a = decode_in_pieces(c.text, {cut});
            BOOST_TEST(!a.ok, c.text);
            BOOST_TEST(a.error_offset == c.offset, c.text << " cut " << cut);
            BOOST_TEST(a.reason == c.reason, c.text << " cut " << cut);
            const auto b = decode_raw_in_pieces(c.text, {cut});
            BOOST_TEST(!b.ok, c.text);
            BOOST_TEST(b.error_offset == c.offset, c.text << " cut " << cut);
        }
        std::string out = "kept";
        boost::system::error_code ec;
        BOOST_TEST(!base64_decode(c.text, out, ec));
        BOOST_TEST(ec == openai::errc::invalid_base64);
        BOOST_TEST(out == "kept"); // left as it was
    }
}

BOOST_AUTO_TEST_CASE(bad_character_at_every_position_of_a_long_stream) {
    // Covers the block fast path: the error must be found at its exact offset wherever it lies,
    // and the bytes before it must be decoded.
    std::mt19937 rng(3);
    const auto data = random_bytes(600, rng);
    const auto enc = base64_encode(data);
    for (std::size_t pos = 0; pos < enc.size(); pos += 1) {
        for (char bad : {'*', '=', '\xff'}) {
            auto text = enc;
            text[pos] = bad;
            const auto r = decode_in_pieces(text, {});
            // '=' in the third or fourth place of a quantum is padding: the error is then the
            // character after it (or none, for "xxx=" as the very last quantum).
            const bool padding = bad == '=' && pos % 4 >= 2;
            if (padding && pos + 1 == enc.size()) {
                BOOST_TEST_REQUIRE(r.ok);
                BOOST_TEST_REQUIRE((r.bytes == data.substr(0, pos / 4 * 3 + 2)));
                continue;
            }
            BOOST_TEST_REQUIRE(!r.ok, "pos " << pos);
            BOOST_TEST_REQUIRE(r.error_offset == (padding ? pos + 1 : pos),
                               "pos " << pos << " bad " << int(bad));
            const std::size_t complete = pos / 4 * 3 + (padding && pos % 4 == 3 ? 2 : 0);
            BOOST_TEST_REQUIRE(r.bytes.size() == complete);
            BOOST_TEST_REQUIRE((r.bytes == data.substr(0, complete)));
        }
    }
}

BOOST_AUTO_TEST_CASE(errors_are_sticky_until_reset) {
    base64_decoder d;
    std::string out;
    BOOST_TEST(d.feed("Zm9v", out));
    BOOST_TEST(!d.feed("Zm#v", out));
    BOOST_TEST(d.failed());
    BOOST_TEST(d.error_offset() == 6u);
    BOOST_TEST(!d.feed("Zm9v", out));
    BOOST_TEST(!d.finish(out));
    BOOST_TEST(out == "foo");
    d.reset();
    BOOST_TEST(!d.failed());
    BOOST_TEST(d.error_reason().empty());
    out.clear();
    BOOST_TEST(d.feed("Zm9vYmFy", out));
    BOOST_TEST(d.finish(out));
    BOOST_TEST(out == "foobar");
    BOOST_TEST(d.consumed() == 8u);
}

BOOST_AUTO_TEST_CASE(nothing_after_the_end) {
    base64_decoder d;
    std::string out;
    BOOST_TEST(d.feed("Zg==", out));
    BOOST_TEST(out == "f");
    BOOST_TEST(!d.feed("Zg", out));
    BOOST_TEST(d.error_offset() == 4u);
    BOOST_TEST(d.error_reason() == "data after padding");

    base64_decoder e;
    out.clear();
    BOOST_TEST(e.feed("Zm9vYg", out));
    BOOST_TEST(e.finish(out));
    BOOST_TEST(out == "foob");
    BOOST_TEST(e.finish(out)); // nothing pending: finishing again adds nothing
    BOOST_TEST(out == "foob");
}

BOOST_AUTO_TEST_SUITE_END()
