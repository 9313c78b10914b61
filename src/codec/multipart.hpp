// The multipart/form-data body of the edit and variation requests (RFC 7578), as a replayable
// stream: file parts are read from disk while the body is written, never held whole in memory,
// and the total length is known before the first byte is sent (Content-Length, no chunking).
//
// Shape of a body: fields in the caller's order, then files in the caller's order (the API wants
// the image[] parts in the caller's order, then the mask):
//
//   --B CRLF  Content-Disposition: form-data; name="prompt" CRLF  CRLF  value CRLF
//   --B CRLF  Content-Disposition: form-data; name="image[]"; filename="a.png" CRLF
//             Content-Type: image/png CRLF  CRLF  <file bytes> CRLF
//   --B-- CRLF
//
// Codec opens no file: parts named by path are read through the multipart_file_system that the
// caller passes in the options (the library's is src/api/file_reader.hpp).
//
// Everything that can be checked is checked by make(), before anything is sent. A body is an
// immutable handle (cheap to copy, safe to share between threads); each open() gives an
// independent reader from the first byte, which is how a retry replays the request.
#pragma once

#include "codec/image_sniff.hpp"

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace openai::codec {

/// A text part. The value is sent as is (UTF-8, CR and LF allowed).
struct multipart_field {
    std::string name;
    std::string value;
};

/// A file part, from disk or from memory.
struct multipart_file {
    /// The form field name: "image", "image[]", "mask".
    std::string name;
    /// The filename sent in Content-Disposition. Only its last component is sent ("dir/sub/a.png"
    /// and "dir\\a.png" send "a.png"). When empty: the path's file name, or for bytes in memory
    /// the field name with the type's extension ("mask.png").
    std::string filename;
    /// When not given, sniffed from the first bytes: PNG, JPEG and WebP are known, anything else
    /// is refused by make() (the API rejects application/octet-stream). When given, sent as is.
    std::optional<std::string> content_type;
    /// A path, read while the body is written, or bytes shared with the caller.
    std::variant<std::filesystem::path, std::shared_ptr<const std::string>> source;
};

/// What make() learnt about a file part, for the request rules (size limits, square PNG, a mask
/// of the same size as the image).
struct multipart_file_info {
    std::string name;
    std::string filename;     // as sent (the basename)
    std::string content_type; // as sent
    std::uint64_t size = 0;
    std::optional<image_type> type;                                  // by magic bytes
    std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size; // width, height
    // Width and height of any of the three types (see codec::image_dimensions).
    std::optional<std::pair<std::uint32_t, std::uint32_t>> dimensions;
    std::string origin; // the path, or "<memory:filename>": how messages name the file
};

/// One file being read for a body, from a multipart_file_system.
class multipart_file_stream {
public:
    virtual ~multipart_file_stream() = default;
    /// The file's size now (checked again before every pass); nullopt and the reason in `error`.
    virtual std::optional<std::uint64_t> size(std::string& error) = 0;
    /// Reads up to `size` bytes into `buf`. Fewer only at the end of the file or on a failure,
    /// which puts the reason in `error`.
    virtual std::size_t read(char* buf, std::size_t size, std::string& error) = 0;
};

/// Access to the files that parts name by path. Implementations must be safe to use from several
/// threads at once (a body is shared, each reader opens its own stream).
class multipart_file_system {
public:
    virtual ~multipart_file_system() = default;
    /// The size of a regular file; nullopt and the reason in `error` ("no such file", "not a
    /// regular file", or the system's).
    virtual std::optional<std::uint64_t> regular_file_size(const std::filesystem::path& path,
                                                           std::string& error) const = 0;
    /// The file opened for reading; null and the system's reason in `error`.
    virtual std::unique_ptr<multipart_file_stream> open(const std::filesystem::path& path,
                                                        std::string& error) const = 0;
};

/// Knobs that tests and special callers need; the defaults suit everyone else.
struct multipart_options {
    /// Reads the parts given by path. Without it such a part is refused (errc::file_unreadable).
    std::shared_ptr<const multipart_file_system> files;
    /// Produces a candidate boundary: 1 to 70 characters among letters, digits, '-', '_' and '.'
    /// (so that the Content-Type needs no quoting). Asked again when a candidate occurs in a field
    /// value. Empty: 32 random letters and digits (about 190 bits) after a fixed prefix.
    std::function<std::string()> boundary_generator;
};

class multipart_body {
    struct state;

public:
    /// An empty, invalid body (what make() returns on failure).
    multipart_body() = default;

    /// Builds and validates a body. On failure returns an invalid body, sets `ec` and puts a
    /// message naming the offending field or file in `error_message`:
    /// - errc::invalid_file_name: a name or filename that is empty or holds a control character
    ///   (CR, LF, NUL, ...), a '"', or (names only) a '\\';
    /// - errc::invalid_request: an explicit content type with a control character, or no usable
    ///   boundary could be made;
    /// - errc::file_unreadable: a path that does not exist, is not a regular file or cannot be
    ///   opened and read;
    /// - errc::unsupported_image_type: no content type given and the bytes are not PNG, JPEG or
    ///   WebP.
    /// Each file's size is recorded; a reader refuses a file whose size changed since.
    static multipart_body make(std::vector<multipart_field> fields,
                               std::vector<multipart_file> files, boost::system::error_code& ec,
                               std::string& error_message);
    static multipart_body make(std::vector<multipart_field> fields,
                               std::vector<multipart_file> files, const multipart_options& options,
                               boost::system::error_code& ec, std::string& error_message);

    bool valid() const noexcept { return state_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }

    /// "multipart/form-data; boundary=..."
    std::string content_type() const;
    std::string_view boundary() const noexcept;
    /// Exact number of bytes every reader produces.
    std::uint64_t content_length() const noexcept;
    /// The file parts in order.
    const std::vector<multipart_file_info>& files() const noexcept;

    /// Produces the bytes of one pass over the body. Move-only (it may hold an open file). Reads
    /// file contents straight into the caller's buffer, a chunk of at most the buffer's size at a
    /// time; besides the buffer of the one open file stream it holds no copy of any file. Holds a
    /// reference to the body's shared state, so it may outlive the multipart_body it came from.
    class reader {
    public:
        reader() = default;
        reader(reader&&) noexcept = default;
        reader& operator=(reader&&) noexcept = default;

        /// Fills up to `size` bytes of `buf` with the next bytes of the body and returns their
        /// number: `size` unless the end is reached (then 0 once done()). On failure sets `ec`
        /// (errc::file_changed when a file's size differs from what make() saw, errc::
        /// file_unreadable when it cannot be opened or read again); the count then is what was
        /// placed before the failure, the body is unusable and every later call fails the same
        /// way. error_message() names the file.
        std::size_t read(char* buf, std::size_t size, boost::system::error_code& ec);

        /// True when every byte was produced.
        bool done() const noexcept;
        /// Bytes produced so far.
        std::uint64_t position() const noexcept { return position_; }
        const std::string& error_message() const noexcept { return error_message_; }

    private:
        friend class multipart_body;

        bool fail(boost::system::error_code& ec, boost::system::error_code what,
                  std::string message);
        bool open_file(std::size_t source, boost::system::error_code& ec);
        void next_segment() noexcept;

        std::shared_ptr<const state> state_;
        std::size_t segment_ = 0;  // index of the segment being produced
        std::uint64_t offset_ = 0; // bytes of that segment already produced
        std::uint64_t position_ = 0;
        std::unique_ptr<multipart_file_stream> file_;
        boost::system::error_code error_;
        std::string error_message_;
    };

    /// A new reader from the first byte (a retry calls this again and re-reads the files).
    /// Precondition: valid().
    reader open() const;

private:
    std::shared_ptr<const state> state_;
};

} // namespace openai::codec
