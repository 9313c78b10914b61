// Byte-level helpers of the SSE parser: finding line ends fast and decoding UTF-8 incrementally.
#pragma once

#include <openai/sse.hpp>

#include <string>

namespace openai::sse::detail {

struct line_scan {
    const char* end_of_line; // the first CR or LF, or the end of the input
    bool ascii;              // no byte before end_of_line is >= 0x80
};

// Finds the first CR or LF in [first, last) in one pass, noting on the way whether UTF-8 decoding
// can be skipped. Uses SSE2 where the target has it, the portable version otherwise.
line_scan find_line_end(const char* first, const char* last) noexcept;

// The word-at-a-time version for any CPU; exposed so that tests compare both on every target.
line_scan find_line_end_portable(const char* first, const char* last) noexcept;

// Appends [first, last) decoded as UTF-8 to `out`, each invalid sequence replaced by U+FFFD
// (WHATWG Encoding), holding an unfinished sequence in `state` for the next call.
void append_utf8(std::string& out, const char* first, const char* last, utf8_state& state);

// The value ended: an unfinished sequence becomes one U+FFFD. `state` is idle afterwards.
void flush_utf8(std::string& out, utf8_state& state);

} // namespace openai::sse::detail
