#include "codec/base64.hpp"

#include <openai/error.hpp>

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define OPENAI_BASE64_AVX2 1
#endif

namespace openai::codec {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr bool little_endian = std::endian::native == std::endian::little;

constexpr int value_of(unsigned char c) noexcept {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

// 6-bit value per character, -1 for everything outside the alphabet ('=' included).
constexpr std::array<std::int8_t, 256> values = [] {
    std::array<std::int8_t, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = static_cast<std::int8_t>(value_of(static_cast<unsigned char>(c)));
    return t;
}();

// Characters outside the alphabet carry this in the top byte, which a valid quantum never sets:
// one test per block finds any of them.
constexpr std::uint32_t invalid_mark = 0xff000000u;

// The contribution of the character at position K of a quantum, already placed where its bits
// land in the three output bytes when the 32-bit word is stored little-endian. A quantum decodes
// with four loads and three ORs, and one unaligned 4-byte store (the fourth byte is scratch that
// the next quantum overwrites).
template <int K>
constexpr std::array<std::uint32_t, 256> make_decode_table() {
    std::array<std::uint32_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const int v = value_of(static_cast<unsigned char>(c));
        if (v < 0) {
            t[c] = invalid_mark;
            continue;
        }
        const std::uint32_t n = static_cast<std::uint32_t>(v) << (18 - 6 * K); // big-endian 24 bits
        t[c] = ((n >> 16) & 0xff) | (((n >> 8) & 0xff) << 8) | ((n & 0xff) << 16);
    }
    return t;
}

constexpr auto dec0 = make_decode_table<0>();
constexpr auto dec1 = make_decode_table<1>();
constexpr auto dec2 = make_decode_table<2>();
constexpr auto dec3 = make_decode_table<3>();

// Two output characters per 12 input bits, stored so that a little-endian 16-bit store writes
// them in order.
constexpr std::array<std::uint16_t, 4096> enc_pairs = [] {
    std::array<std::uint16_t, 4096> t{};
    for (int i = 0; i < 4096; ++i) {
        const auto hi = static_cast<unsigned char>(alphabet[static_cast<std::size_t>(i >> 6)]);
        const auto lo = static_cast<unsigned char>(alphabet[static_cast<std::size_t>(i & 63)]);
        t[static_cast<std::size_t>(i)] = little_endian ? static_cast<std::uint16_t>(hi | (lo << 8))
                                                       : static_cast<std::uint16_t>((hi << 8) | lo);
    }
    return t;
}();

inline std::uint64_t load_be64(const unsigned char* p) noexcept {
    // Compilers turn this into one load and a byte swap.
    return (std::uint64_t{p[0]} << 56) | (std::uint64_t{p[1]} << 48) | (std::uint64_t{p[2]} << 40) |
           (std::uint64_t{p[3]} << 32) | (std::uint64_t{p[4]} << 24) | (std::uint64_t{p[5]} << 16) |
           (std::uint64_t{p[6]} << 8) | std::uint64_t{p[7]};
}

// Quanta decoded between two validity checks. Larger blocks check less often; an invalid
// character makes the whole block go again through the careful path.
constexpr std::ptrdiff_t fast_block = 64;

// Decodes whole blocks of quanta while at least one more quantum follows them: the scratch byte
// of each 4-byte store then stays inside the caller's bound, and padding (legal only in the last
// quantum) never reaches here in valid input. Stops before the first block holding anything
// outside the alphabet, leaving it to the careful path. Works on locals so that the compiler
// keeps the pointers in registers despite the char stores.
void fast_decode(const unsigned char*& pp, const unsigned char* end, char*& op) noexcept {
    if constexpr (little_endian) {
        const unsigned char* p = pp;
        char* o = op;
        while (end - p >= fast_block + 4) {
            std::uint32_t acc = 0;
            // -O2 does not unroll; unrolled, the loads and stores of a block use fixed offsets
            // (measured 2.3 -> 2.8 GB/s).
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
            for (std::ptrdiff_t i = 0; i < fast_block; i += 4) {
                const std::uint32_t w =
                    dec0[p[i]] | dec1[p[i + 1]] | dec2[p[i + 2]] | dec3[p[i + 3]];
                acc |= w;
                std::memcpy(o + i / 4 * 3, &w, 4);
            }
            if (acc & invalid_mark)
                break;
            p += fast_block;
            o += fast_block / 4 * 3;
        }
        pp = p;
        op = o;
    }
}

#if defined(OPENAI_BASE64_AVX2)
// 32 characters per step with AVX2 (Mula and Lemire, "Faster Base64 Encoding and Decoding Using
// AVX2 Instructions", 2018): classify and translate with nibble lookups, pack 4x6 bits into 3
// bytes with two multiply-adds, store 32 bytes of which 24 are output. Runs while at least 16
// more characters follow the step, so the 8 scratch bytes of each store stay inside the room the
// caller provides for the rest. Stops before the first step holding anything outside the
// alphabet ('=' included): the portable paths then find the exact error.
__attribute__((target("avx2"))) void avx2_decode(const unsigned char*& pp, const unsigned char* end,
                                                 char*& op) noexcept {
    const unsigned char* p = pp;
    char* o = op;
    const __m256i lut_lo =
        _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                         0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                         0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m256i lut_hi =
        _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i lut_roll =
        _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4,
                         -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i mask_2f = _mm256_set1_epi8(0x2f);
    const __m256i pack_shuffle =
        _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6, 5, 4,
                         10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i pack_permute = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
    while (end - p >= 32 + 16) {
        const __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(in, 4), mask_2f);
        const __m256i lo_nibbles = _mm256_and_si256(in, mask_2f);
        const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
        const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
        if (!_mm256_testz_si256(lo, hi))
            break;
        const __m256i eq_2f = _mm256_cmpeq_epi8(in, mask_2f);
        const __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles));
        const __m256i values = _mm256_add_epi8(in, roll);
        const __m256i ab_bc = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
        const __m256i abc = _mm256_madd_epi16(ab_bc, _mm256_set1_epi32(0x00011000));
        const __m256i packed =
            _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(abc, pack_shuffle), pack_permute);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), packed);
        p += 32;
        o += 24;
    }
    pp = p;
    op = o;
}

const bool have_avx2 = __builtin_cpu_supports("avx2");
#endif

} // namespace

std::size_t base64_encoded_size(std::size_t n) noexcept {
    return n / 3 * 4 + (n % 3 ? 4 : 0);
}

std::size_t base64_decoded_size_upper_bound(std::size_t encoded) noexcept {
    return encoded / 4 * 3 + (encoded % 4 ? 3 : 0);
}

std::size_t base64_encode(std::string_view in, char* out) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t n = in.size();
    char* o = out;
    if constexpr (little_endian) {
        // Six input bytes (read as eight) give eight characters in one store.
        while (n >= 8) {
            const std::uint64_t x = load_be64(p);
            const std::uint64_t w = std::uint64_t{enc_pairs[(x >> 52) & 0xfff]} |
                                    (std::uint64_t{enc_pairs[(x >> 40) & 0xfff]} << 16) |
                                    (std::uint64_t{enc_pairs[(x >> 28) & 0xfff]} << 32) |
                                    (std::uint64_t{enc_pairs[(x >> 16) & 0xfff]} << 48);
            std::memcpy(o, &w, 8);
            p += 6;
            n -= 6;
            o += 8;
        }
    }
    while (n >= 3) {
        const std::uint32_t x = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        o[0] = alphabet[x >> 18];
        o[1] = alphabet[(x >> 12) & 63];
        o[2] = alphabet[(x >> 6) & 63];
        o[3] = alphabet[x & 63];
        p += 3;
        n -= 3;
        o += 4;
    }
    if (n > 0) {
        const std::uint32_t x =
            (std::uint32_t{p[0]} << 16) | (n == 2 ? std::uint32_t{p[1]} << 8 : 0);
        o[0] = alphabet[x >> 18];
        o[1] = alphabet[(x >> 12) & 63];
        o[2] = n == 2 ? alphabet[(x >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    return static_cast<std::size_t>(o - out);
}

void base64_encode_append(std::string_view in, std::string& out) {
    const std::size_t old = out.size();
    out.resize(old + base64_encoded_size(in.size()));
    base64_encode(in, out.data() + old);
}

std::string base64_encode(std::string_view in) {
    std::string out;
    base64_encode_append(in, out);
    return out;
}

void base64_decoder::reset() noexcept {
    *this = base64_decoder{};
}

bool base64_decoder::fail(std::uint64_t pos, std::string_view reason) noexcept {
    failed_ = true;
    error_offset_ = static_cast<std::size_t>(pos);
    error_reason_ = reason;
    return false;
}

// One character through the full rules (padding, end of stream). Used to complete a quantum split
// across feeds, for the tail of the input, and to find the exact error in a rejected block.
bool base64_decoder::slow_step(unsigned char c, std::uint64_t pos, char*& out) noexcept {
    if (ended_)
        return fail(pos, "data after padding");
    if (c == '=') {
        if (pending_n_ < 2)
            return fail(pos, "misplaced padding '='");
        pending_ <<= 6;
        if (pending_n_ == 2) {
            pads_ = 1;
            pending_n_ = 3;
            return true;
        }
        // The fourth character: "xx==" or "xxx=" closes the stream.
        *out++ = static_cast<char>(pending_ >> 16);
        if (pads_ == 0)
            *out++ = static_cast<char>(pending_ >> 8);
        pending_ = 0;
        pending_n_ = 0;
        pads_ = 0;
        ended_ = true;
        return true;
    }
    const int v = values[c];
    if (v < 0)
        return fail(pos, "invalid character");
    if (pads_ != 0)
        return fail(pos, "data after padding");
    pending_ = (pending_ << 6) | static_cast<std::uint32_t>(v);
    if (++pending_n_ == 4) {
        out[0] = static_cast<char>(pending_ >> 16);
        out[1] = static_cast<char>(pending_ >> 8);
        out[2] = static_cast<char>(pending_);
        out += 3;
        pending_ = 0;
        pending_n_ = 0;
    }
    return true;
}

bool base64_decoder::feed(std::string_view in, char* out, std::size_t& written) {
    written = 0;
    if (failed_)
        return false;
    const auto* const begin = reinterpret_cast<const unsigned char*>(in.data());
    const auto* const end = begin + in.size();
    const auto* p = begin;
    char* o = out;
    auto pos = [&] { return offset_ + static_cast<std::uint64_t>(p - begin); };
    auto stop = [&] {
        written = static_cast<std::size_t>(o - out);
        offset_ += in.size();
        return false;
    };

    // Complete a quantum left over from the previous feed.
    while (p != end && pending_n_ != 0) {
        if (!slow_step(*p, pos(), o))
            return stop();
        ++p;
    }

    if (!ended_) {
#if defined(OPENAI_BASE64_AVX2)
        if (have_avx2)
            avx2_decode(p, end, o);
#endif
        fast_decode(p, end, o);
    }

    for (; p != end; ++p) {
        if (!slow_step(*p, pos(), o))
            return stop();
    }
    written = static_cast<std::size_t>(o - out);
    offset_ += in.size();
    return true;
}

bool base64_decoder::feed(std::string_view in, std::string& out) {
    const std::size_t old = out.size();
    // Room for the leftover quantum and the scratch byte of the fast path (see the raw variant).
    out.resize(old + base64_decoded_size_upper_bound(in.size()) + 3);
    std::size_t written = 0;
    const bool ok = feed(in, out.data() + old, written);
    out.resize(old + written);
    return ok;
}

bool base64_decoder::finish(char* out, std::size_t& written) {
    written = 0;
    if (failed_)
        return false;
    if (pending_n_ == 0)
        return true;
    if (pads_ != 0)
        return fail(offset_, "incomplete padding");
    if (pending_n_ == 1)
        return fail(offset_ - 1, "lone trailing character");
    if (pending_n_ == 2) {
        out[0] = static_cast<char>(pending_ >> 4);
        written = 1;
    } else {
        out[0] = static_cast<char>(pending_ >> 10);
        out[1] = static_cast<char>(pending_ >> 2);
        written = 2;
    }
    pending_ = 0;
    pending_n_ = 0;
    ended_ = true;
    return true;
}

bool base64_decoder::finish(std::string& out) {
    char tail[2];
    std::size_t written = 0;
    const bool ok = finish(tail, written);
    out.append(tail, written);
    return ok;
}

bool base64_decode(std::string_view in, std::string& out, boost::system::error_code& ec) {
    const std::size_t old = out.size();
    base64_decoder decoder;
    if (!decoder.feed(in, out) || !decoder.finish(out)) {
        out.resize(old);
        ec = openai::errc::invalid_base64;
        return false;
    }
    ec = {};
    return true;
}

} // namespace openai::codec
