#include "codec/sse_scan.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace openai::sse::detail {
namespace {

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;
constexpr std::uint64_t lows = 0x7F7F7F7F7F7F7F7FULL;

// 0x80 in exactly the bytes of `x` that are zero (no borrow between bytes, so no false hits).
constexpr std::uint64_t zero_bytes(std::uint64_t x) noexcept {
    return ~(((x & lows) + lows) | x | lows);
}

constexpr bool is_line_end(char c) noexcept {
    return c == '\n' || c == '\r';
}

// Byte-at-a-time tail shared by both versions; `high` carries what earlier words saw.
line_scan finish_scan(const char* p, const char* last, unsigned high) noexcept {
    for (; p != last && !is_line_end(*p); ++p)
        high |= static_cast<unsigned char>(*p);
    return {p, (high & 0x80U) == 0};
}

constexpr char replacement[] = "\xEF\xBF\xBD"; // U+FFFD

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) that [p, last) starts with,
// or 0 if it starts with an ill-formed or unfinished one.
std::size_t complete_sequence(const char* p, const char* last) noexcept {
    const auto byte = [p](std::size_t i) { return static_cast<unsigned char>(p[i]); };
    const unsigned lead = byte(0);
    if (lead < 0x80)
        return 1;
    std::size_t size = 0;
    unsigned lower = 0x80;
    unsigned upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        size = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        size = 3;
        lower = lead == 0xE0 ? 0xA0 : lower;
        upper = lead == 0xED ? 0x9F : upper;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        size = 4;
        lower = lead == 0xF0 ? 0x90 : lower;
        upper = lead == 0xF4 ? 0x8F : upper;
    } else {
        return 0;
    }
    if (static_cast<std::size_t>(last - p) < size || byte(1) < lower || byte(1) > upper)
        return 0;
    for (std::size_t i = 2; i < size; ++i)
        if ((byte(i) & 0xC0U) != 0x80U)
            return 0;
    return size;
}

} // namespace

line_scan find_line_end_portable(const char* first, const char* last) noexcept {
    const char* p = first;
    std::uint64_t high = 0;
    while (last - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (zero_bytes(word ^ (ones * '\n')) | zero_bytes(word ^ (ones * '\r')))
            break; // the line end is in this word: the tail loop finds which byte, on any
                   // endianness
        high |= word;
        p += 8;
    }
    return finish_scan(p, last, (high & highs) != 0 ? 0x80U : 0U);
}

line_scan find_line_end(const char* first, const char* last) noexcept {
#if defined(__SSE2__)
    const char* p = first;
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    __m128i high = _mm_setzero_si128();
    // Four vectors per step: one test for a line end in 64 bytes keeps long data lines fast.
    while (last - p >= 64) {
        const auto* v = reinterpret_cast<const __m128i*>(p);
        const __m128i a = _mm_loadu_si128(v);
        const __m128i b = _mm_loadu_si128(v + 1);
        const __m128i c = _mm_loadu_si128(v + 2);
        const __m128i d = _mm_loadu_si128(v + 3);
        const __m128i ends =
            _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, lf), _mm_cmpeq_epi8(a, cr)),
                                      _mm_or_si128(_mm_cmpeq_epi8(b, lf), _mm_cmpeq_epi8(b, cr))),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, lf), _mm_cmpeq_epi8(c, cr)),
                                      _mm_or_si128(_mm_cmpeq_epi8(d, lf), _mm_cmpeq_epi8(d, cr))));
        if (_mm_movemask_epi8(ends) != 0)
            break; // the 16-byte loop below finds the exact position
        high = _mm_or_si128(high, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
        p += 64;
    }
    while (last - p >= 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned ends = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, lf), _mm_cmpeq_epi8(a, cr))));
        if (ends != 0) {
            const unsigned before = (ends & -ends) - 1U; // the bytes ahead of the first line end
            const unsigned high_bits = static_cast<unsigned>(_mm_movemask_epi8(high)) |
                                       (static_cast<unsigned>(_mm_movemask_epi8(a)) & before);
            return {p + __builtin_ctz(ends), high_bits == 0};
        }
        high = _mm_or_si128(high, a);
        p += 16;
    }
    return finish_scan(p, last, _mm_movemask_epi8(high) != 0 ? 0x80U : 0U);
#else
    return find_line_end_portable(first, last);
#endif
}

void append_utf8(std::string& out, const char* first, const char* last, utf8_state& state) {
    const char* p = first;
    while (p != last) {
        if (state.needed == 0) {
            // Well-formed text is copied in runs; the byte machine below only sees errors and
            // sequences split between two calls.
            const char* run = p;
            while (run != last) {
                while (last - run >= 8) {
                    std::uint64_t word;
                    std::memcpy(&word, run, sizeof word);
                    if ((word & highs) != 0)
                        break;
                    run += 8;
                }
                if (run == last)
                    break;
                const std::size_t n = complete_sequence(run, last);
                if (n == 0)
                    break;
                run += n;
            }
            out.append(p, run);
            p = run;
            if (p == last)
                return;
            const auto lead = static_cast<unsigned char>(*p++);
            if (lead >= 0xC2 && lead <= 0xDF) {
                state.needed = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                state.needed = 2;
                if (lead == 0xE0)
                    state.lower = 0xA0; // no overlong 3-byte forms
                if (lead == 0xED)
                    state.upper = 0x9F; // no surrogates
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                state.needed = 3;
                if (lead == 0xF0)
                    state.lower = 0x90; // no overlong 4-byte forms
                if (lead == 0xF4)
                    state.upper = 0x8F; // nothing above U+10FFFF
            } else {
                out.append(replacement, 3);
                continue;
            }
            state.bytes[0] = static_cast<char>(lead);
            state.seen = 0;
            continue;
        }
        const auto byte = static_cast<unsigned char>(*p);
        if (byte < state.lower || byte > state.upper) {
            // The sequence so far is one error; this byte starts afresh (it is not consumed).
            out.append(replacement, 3);
            state = utf8_state{};
            continue;
        }
        ++p;
        state.lower = 0x80;
        state.upper = 0xBF;
        state.bytes[++state.seen] = static_cast<char>(byte);
        if (state.seen == state.needed) {
            out.append(state.bytes, state.needed + 1U);
            state = utf8_state{};
        }
    }
}

void flush_utf8(std::string& out, utf8_state& state) {
    if (state.needed != 0)
        out.append(replacement, 3);
    state = utf8_state{};
}

} // namespace openai::sse::detail
