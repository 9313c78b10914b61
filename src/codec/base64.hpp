// Base64 (RFC 4648, standard alphabet, '=' padding): a fast encoder and a streaming decoder.
//
// Images arrive as `b64_json` strings of several megabytes and the emulator produces them, so both
// directions sit on hot paths. The decoder is a byte-fed state machine: text may be split anywhere,
// even inside a four-character quantum, which lets callers decode while the JSON body is still
// arriving instead of holding the text and the bytes at once.
//
// The decoder is strict: no whitespace, no URL-safe alphabet, nothing after padding. Padding is
// optional at the very end. Non-zero bits in the last character of a padded or short quantum are
// accepted (RFC 4648 section 3.5 lets decoders choose); they are dropped.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace openai::codec {

/// Length of the padded encoding of `n` bytes.
std::size_t base64_encoded_size(std::size_t n) noexcept;

/// Encodes `in` into `out`, which must have room for `base64_encoded_size(in.size())` characters.
/// Returns the number of characters written (always exactly that size).
std::size_t base64_encode(std::string_view in, char* out) noexcept;

/// Appends the padded encoding of `in` to `out`.
void base64_encode_append(std::string_view in, std::string& out);

/// The padded encoding of `in`.
std::string base64_encode(std::string_view in);

/// An upper bound of the bytes that `encoded` characters of base64 can decode to.
std::size_t base64_decoded_size_upper_bound(std::size_t encoded) noexcept;

/// Streaming decoder. Feed text in pieces of any size; decoded bytes are appended as soon as a
/// quantum is complete. After an error every further call fails; `error_offset()` is the offset
/// of the offending character counted from the start of the whole stream, and `error_reason()`
/// says what was wrong. `reset()` starts a new stream.
class base64_decoder {
public:
    /// Decodes `in` and appends the bytes to `out`. Returns false on malformed input; `out` then
    /// holds the bytes of the quanta that were complete before the error.
    bool feed(std::string_view in, std::string& out);

    /// Raw-buffer variant: `out` must have room for
    /// `base64_decoded_size_upper_bound(in.size() + 3)` bytes (the decoder may write scratch bytes
    /// up to that bound). `written` receives the number of decoded bytes.
    bool feed(std::string_view in, char* out, std::size_t& written);

    /// Ends the stream: decodes an unpadded final quantum of two or three characters. A lone
    /// leftover character or an incomplete padding ("QQ=") is an error.
    bool finish(std::string& out);

    /// Raw-buffer variant of finish(): writes at most 2 bytes.
    bool finish(char* out, std::size_t& written);

    /// True once an error was found.
    bool failed() const noexcept { return failed_; }

    /// Offset of the offending character in the whole stream (the stream length when the text
    /// ended too early). Meaningful only after a failure.
    std::size_t error_offset() const noexcept { return error_offset_; }

    /// A short description of the error ("invalid character", "data after padding", ...); empty
    /// when there is none.
    std::string_view error_reason() const noexcept { return error_reason_; }

    /// Characters consumed so far.
    std::uint64_t consumed() const noexcept { return offset_; }

    void reset() noexcept;

private:
    bool slow_step(unsigned char c, std::uint64_t pos, char*& out) noexcept;
    bool fail(std::uint64_t pos, std::string_view reason) noexcept;

    std::uint64_t offset_ = 0;   // characters consumed before the current feed
    std::uint32_t pending_ = 0;  // 6-bit values of the incomplete quantum
    std::uint8_t pending_n_ = 0; // characters in the incomplete quantum, '=' included
    std::uint8_t pads_ = 0;      // '=' seen in the incomplete quantum
    bool ended_ = false;         // a padded quantum closed the stream
    bool failed_ = false;
    std::size_t error_offset_ = 0;
    std::string_view error_reason_;
};

/// Decodes the whole of `in` and appends the bytes to `out`. On malformed input returns false,
/// sets `ec` to `openai::errc::invalid_base64` and leaves `out` as it was.
bool base64_decode(std::string_view in, std::string& out, boost::system::error_code& ec);

} // namespace openai::codec
