// Turning a raw request body (JSON text or a multipart summary) into an `image_job`, or into the
// API's 400 error naming the parameter. The emulator does not trust the client: it checks the
// JSON types and the multipart structure itself (missing prompt, wrong types, unknown
// parameters, unknown models, files that are not PNG/JPEG/WebP, octet-stream parts) before the
// per-model rules.
#pragma once

#include "emulator/api_errors.hpp"
#include "emulator/image_format.hpp"
#include "emulator/upload.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace openai::emulator {

enum class operation { generate, edit, variation };

/// A request the emulator accepted, with every value resolved (defaults applied).
struct image_job {
    operation op = operation::generate;
    /// An edit sent as JSON (`images` references) rather than multipart.
    bool json_edit = false;
    std::string model;
    bool gpt = false; // a GPT image model (usage, streaming, output_format ...)
    std::string prompt;
    unsigned n = 1;
    /// As requested ("auto" when unset for GPT models), and resolved to pixels.
    std::string size;
    std::uint32_t width = 1024;
    std::uint32_t height = 1024;
    /// As requested ("auto" when unset) and as reported (auto resolved).
    std::string quality = "auto";
    std::string background = "auto";
    image_format output_format = image_format::png;
    int output_compression = 100;
    /// "b64_json" or "url".
    std::string response_format = "b64_json";
    bool stream = false;
    unsigned partial_images = 0;
    std::string input_fidelity;
    std::string moderation;
    std::string style;
    std::string user;
    /// Edits and variations: width and height of each input image, in order (0x0 for
    /// references that were not downloaded).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> input_images;
    /// Variations: the SHA-256 of the input image (the picture derives from it).
    std::string input_digest;

    /// The reported `quality` (auto resolved: "medium" for GPT models, "standard" for DALL-E).
    std::string reported_quality() const;
    /// The reported `background` (auto resolved to "opaque").
    std::string reported_background() const;
    /// "WxH" of the produced image.
    std::string reported_size() const;
};

using check_result = std::variant<image_job, error_reply>;

check_result check_generation(const boost::json::value& body);
check_result check_edit_json(const boost::json::value& body);
check_result check_edit_multipart(const received_form& form);
check_result check_variation(const received_form& form);

/// True for the GPT image model names (gpt-image-*, chatgpt-image-*).
bool is_gpt_image_model(std::string_view model) noexcept;

/// Parses "WxH" (positive integers); false otherwise.
bool parse_size(std::string_view s, std::uint32_t& width, std::uint32_t& height) noexcept;

} // namespace openai::emulator
