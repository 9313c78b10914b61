// What every fuzz target shares: how a fuzz input chooses where the text is split, and a check
// that stops the run (libFuzzer then saves the input) when an invariant does not hold.
//
// Input layout: byte 0 is the header. Its low nibble is the number k (0..15) of piece-length bytes
// that follow it; its high nibble is four option bits for the target. The rest is the text. The
// text is cut into pieces whose lengths cycle through those k bytes (a 0 counts as 1): k = 0
// feeds the text whole, k = 1 with a 1 feeds it one byte at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace openai::fuzz {

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}

#define OPENAI_FUZZ_CHECK(cond)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::openai::fuzz::check_failed(#cond, __FILE__, __LINE__);                               \
    } while (false)

// Whether two decoders' messages say the same. Two "invalid JSON at byte N: reason" messages
// are taken as the same whatever N and the reason: Boost.JSON 1.81 reports a literal that fails
// whole at its first byte but the exact byte when the text is split inside it, and names a lone
// low surrogate (\udc00) "illegal leading surrogate" in one buffer but "illegal trailing
// surrogate" when split inside the escape. The code (errc::invalid_json) is compared apart.
inline bool same_message(std::string_view a, std::string_view b) {
    constexpr std::string_view invalid_json = "invalid JSON at byte ";
    if (a.starts_with(invalid_json) && b.starts_with(invalid_json))
        return true;
    return a == b;
}

class fuzz_input {
public:
    fuzz_input(const std::uint8_t* data, std::size_t size) {
        if (size == 0)
            return;
        const std::size_t k = data[0] & 0x0f;
        options_ = static_cast<std::uint8_t>(data[0] >> 4);
        std::size_t at = 1;
        for (; at < size && lengths_.size() < k; ++at)
            lengths_.push_back(data[at] == 0 ? 1 : data[at]);
        text_ = std::string_view(reinterpret_cast<const char*>(data) + at, size - at);
    }

    std::string_view text() const noexcept { return text_; }

    // Option bit i (0..3) of the header.
    bool option(unsigned i) const noexcept { return (options_ >> i) & 1u; }
    std::uint8_t options() const noexcept { return options_; }

    // The text cut as the header says; never an empty piece (no pieces for an empty text).
    std::vector<std::string_view> pieces() const { return split(text_); }

    // Any text cut with the same piece lengths.
    std::vector<std::string_view> split(std::string_view text) const {
        std::vector<std::string_view> out;
        if (lengths_.empty()) {
            if (!text.empty())
                out.push_back(text);
            return out;
        }
        for (std::size_t i = 0; !text.empty(); ++i) {
            const std::size_t n = std::min<std::size_t>(lengths_[i % lengths_.size()], text.size());
            out.push_back(text.substr(0, n));
            text.remove_prefix(n);
        }
        return out;
    }

private:
    std::uint8_t options_ = 0;
    std::vector<std::size_t> lengths_;
    std::string_view text_;
};

} // namespace openai::fuzz
