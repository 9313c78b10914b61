// Plausible, deterministic token counts for the GPT image models' `usage` object: the same
// request always reports the same numbers, and they grow with the prompt, the input images, the
// output size, quality, count and partial images the way the API's do.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace openai::emulator {

struct usage_input {
    std::string_view prompt;
    /// Width and height of each input image (edits); 0x0 when unknown (a file_id reference).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> input_images;
    bool high_input_fidelity = false;
    std::string_view quality = "auto";
    std::uint32_t width = 1024;
    std::uint32_t height = 1024;
    unsigned n = 1;
    unsigned partial_images = 0;
};

struct image_usage {
    std::uint64_t text_tokens = 0;
    std::uint64_t image_tokens = 0;
    std::uint64_t output_tokens = 0;

    std::uint64_t input_tokens() const noexcept { return text_tokens + image_tokens; }
    std::uint64_t total_tokens() const noexcept { return input_tokens() + output_tokens; }
};

image_usage compute_usage(const usage_input& in);

/// The ImagesUsage object; `output_details` adds `output_tokens_details` (ImageGenUsage).
boost::json::object usage_json(const image_usage& u, bool output_details);

} // namespace openai::emulator
