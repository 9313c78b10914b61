// What the emulator keeps of a multipart/form-data request: text fields whole (up to a cap) and,
// for file parts, only their size, SHA-256, first bytes and image header, so that bodies of
// hundreds of megabytes pass through in bounded memory.
#pragma once

#include "emulator/image_probe.hpp"
#include "emulator/multipart_parser.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

struct form_limits {
    /// Text fields longer than this are refused (the emulator checks prompt lengths itself, so
    /// this is only a memory bound).
    std::size_t max_field_bytes = 256 * 1024;
    std::size_t max_fields = 64;
    std::size_t max_files = 64;
    /// Keep each file's bytes (`form_file::content`), up to this many per file; larger files are
    /// refused. 0: keep only the summary (the image endpoints). The Files API keeps uploads.
    std::size_t keep_file_bytes = 0;
};

struct form_field {
    std::string name;
    std::string value;
    std::string content_type; // as sent; usually empty
};

struct form_file {
    std::string name;         // e.g. "image[]", "mask"
    std::string filename;     // as sent, path included; empty when the part had none
    std::string content_type; // as sent; empty when absent
    std::uint64_t size = 0;
    std::array<unsigned char, 32> sha256{};
    std::string head; // the first bytes (up to form_collector::head_bytes), for sniffing
    image_info info;  // format, dimensions and alpha read from the file's header
    /// The whole file, only with form_limits::keep_file_bytes (shared: the Files API stores it
    /// without a copy).
    std::shared_ptr<std::string> content;

    /// Lower-case hex of sha256.
    std::string sha256_hex() const;
};

struct form_data {
    std::vector<form_field> fields; // in body order
    std::vector<form_file> files;   // in body order

    /// The first field called `name`, or nullptr.
    const form_field* field(std::string_view name) const;
    /// Every field called `name`, in order.
    std::vector<const form_field*> fields_named(std::string_view name) const;
    /// Every file part called `name`, in order.
    std::vector<const form_file*> files_named(std::string_view name) const;
};

/// A multipart_sink building a form_data. A part is a file when it has a filename, or a
/// Content-Type that is not text/*; otherwise a text field. Over-limit parts make the parser
/// fail with a message naming the part.
class form_collector final : public multipart_sink {
public:
    static constexpr std::size_t head_bytes = 64;

    explicit form_collector(form_limits limits = {});
    ~form_collector() override;

    void on_part_begin(const multipart_part& part) override;
    void on_part_data(std::string_view bytes) override;
    void on_part_end() override;

    const form_data& form() const noexcept { return form_; }
    form_data& form() noexcept { return form_; }

private:
    struct hasher;

    form_limits limits_;
    form_data form_;
    bool in_file_ = false;
    std::unique_ptr<hasher> hash_;
    image_prober prober_;
};

/// Reads a whole form: boundary from the Content-Type, then the body in pieces.
///
///     form_reader reader;
///     if (!reader.start(content_type)) return bad_request(reader.error());
///     for each piece: if (!reader.feed(piece)) return bad_request(reader.error());
///     if (!reader.finish()) return bad_request(reader.error());
///     use(reader.form());
class form_reader {
public:
    explicit form_reader(form_limits limits = {}, multipart_limits multipart = {});

    /// False (with error()) when `content_type` is not multipart/form-data with a valid boundary.
    bool start(std::string_view content_type);
    /// False (with error()) once the body is malformed or over a limit; also before start().
    bool feed(std::string_view bytes);
    /// False (with error()) unless the final boundary was seen.
    bool finish();

    const std::string& error() const noexcept { return error_; }
    const form_data& form() const noexcept { return collector_.form(); }
    form_data& form() noexcept { return collector_.form(); }

private:
    form_collector collector_;
    multipart_limits multipart_limits_;
    std::optional<multipart_parser> parser_;
    std::string error_;
};

} // namespace openai::emulator
