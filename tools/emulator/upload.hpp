// What the emulator keeps of a multipart/form-data body: per part its headers, size, SHA-256,
// first bytes and probed image header, and the value of small text fields. Uploads of 16 x 50 MB
// are never held whole.
#pragma once

#include "emulator/image_probe.hpp"
#include "emulator/sha256.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

struct received_part {
    std::string name;
    std::optional<std::string> filename; // set for file parts
    std::string content_type;            // empty when the part had none
    std::uint64_t size = 0;
    std::string sha256; // hex
    std::string head;   // the first bytes (up to 64)
    image_info image;   // probed from the bytes
    std::string value;  // text fields: the value (up to max_text_value bytes)
    bool value_truncated = false;

    bool is_file() const noexcept { return filename.has_value(); }
};

struct multipart_summary {
    std::vector<received_part> parts;
    /// Set when the body is not well-formed multipart (the message says why).
    std::string error;
};

/// Text values longer than this are cut (a prompt is at most 32000 characters).
inline constexpr std::size_t max_text_value = 256 * 1024;

/// Builds a multipart_summary from a multipart parser's events.
class part_collector {
public:
    void begin_part(std::string name, std::optional<std::string> filename,
                    std::string content_type);
    void data(std::string_view bytes);
    void end_part();
    void fail(std::string message) {
        if (summary_.error.empty())
            summary_.error = std::move(message);
    }

    multipart_summary& summary() noexcept { return summary_; }

private:
    multipart_summary summary_;
    sha256 hash_;
    image_prober prober_;
    bool open_ = false;
};

} // namespace openai::emulator
