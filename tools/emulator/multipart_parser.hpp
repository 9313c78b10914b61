// Server side of multipart/form-data (RFC 7578 over RFC 2046): an incremental, sans-I/O parser.
//
// The emulator receives edit requests of up to 16 images of 50 MB each and must not hold them
// whole, so the body is fed in pieces of any size (the boundary may be split anywhere) and each
// part's content streams to a sink as it arrives, in slices of the input where possible. The
// parser keeps at most one header line and one boundary's worth of bytes; its work is linear in
// the body size. It is strict: every malformation stops it with a message naming the problem,
// which the emulator returns in an HTTP 400.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace openai::emulator {

/// A sink throws this to reject the body (e.g. a field over its size cap); the parser turns it
/// into its error.
class multipart_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The headers of one part, as sent.
struct multipart_part {
    std::size_t index = 0; ///< 0-based position in the body
    std::string name;      ///< Content-Disposition `name` (required, non-empty)
    /// Content-Disposition `filename` (or a decoded `filename*`) exactly as sent, path
    /// included; nullopt when absent.
    std::optional<std::string> filename;
    std::string content_type; ///< the Content-Type header's value; empty when absent
};

/// Receives the parts in order: begin, data (zero or more slices), end.
class multipart_sink {
public:
    virtual ~multipart_sink() = default;
    virtual void on_part_begin(const multipart_part& part) = 0;
    /// `bytes` is valid only during the call.
    virtual void on_part_data(std::string_view bytes) = 0;
    virtual void on_part_end() = 0;
};

struct multipart_limits {
    std::size_t max_header_line = 8 * 1024; ///< bytes in one header line, CRLF excluded
    std::size_t max_header_lines = 16;      ///< header lines in one part
    std::size_t max_parts = 256;
    /// Bytes before the first boundary: a body that shows none by then is refused as garbage.
    std::size_t max_preamble = 64 * 1024;
};

/// Reads the boundary parameter of a `multipart/form-data` Content-Type value (quoted or not,
/// parameter names case-insensitive). On failure returns nullopt and sets `error` (not
/// multipart/form-data, no boundary, a boundary breaking RFC 2046: 1..70 characters from its set,
/// not ending in a space).
std::optional<std::string> parse_multipart_boundary(std::string_view content_type,
                                                    std::string& error);

class multipart_parser {
public:
    /// `boundary` as returned by parse_multipart_boundary. An empty one, one over 70 bytes or one
    /// with CR or LF leaves the parser failed from the start. The sink must outlive the parser.
    multipart_parser(std::string boundary, multipart_sink& sink, multipart_limits limits = {});

    multipart_parser(const multipart_parser&) = delete;
    multipart_parser& operator=(const multipart_parser&) = delete;

    /// Consumes the next piece of the body. Returns false once the body is found malformed (or a
    /// sink threw multipart_error); error() then says why, and every later call returns false.
    /// Bytes after the final boundary (the epilogue) are ignored.
    bool feed(std::string_view bytes);

    /// Declares the end of the body: returns false (with error()) unless the final boundary was
    /// seen.
    bool finish();

    /// True once the final boundary was seen.
    bool complete() const noexcept { return state_ == state::epilogue; }

    bool failed() const noexcept { return state_ == state::failed; }

    /// Why the body was refused; empty while it is not.
    const std::string& error() const noexcept { return error_; }

    /// Body bytes consumed so far.
    std::uint64_t offset() const noexcept { return offset_; }

    /// Parts begun so far.
    std::size_t parts() const noexcept { return parts_; }

private:
    enum class state {
        preamble,
        after_boundary, // just after "--boundary": "--", padding + CRLF, or an error
        after_first_dash,
        padding,
        padding_cr,
        headers,
        headers_cr,
        body,
        epilogue,
        failed,
    };

    void run();
    void scan(std::string_view& in);
    void emit(std::string_view data);
    void on_delimiter();
    void header_byte(char c);
    void end_of_header_line();
    void end_of_headers();
    void fail(std::string message);
    void fail_here(std::string message); // adds the byte offset
    std::string part_label() const;

    std::string delimiter_; // CRLF "--" boundary
    multipart_sink& sink_;
    multipart_limits limits_;
    state state_ = state::preamble;
    std::string held_; // a possible start of the delimiter, kept back from the previous piece
    std::string line_; // the header line being read
    std::size_t header_lines_ = 0;
    bool have_disposition_ = false;
    bool have_content_type_ = false;
    multipart_part part_;
    std::size_t parts_ = 0;
    bool seen_delimiter_ = false;
    std::uint64_t offset_ = 0; // consumed before the current feed
    std::uint64_t preamble_ = 0;
    std::string_view in_; // what is left of the current feed
    std::size_t feed_size_ = 0;
    std::string error_;
};

} // namespace openai::emulator
