// Where the handlers get encoded images and their base64 text. The server wires this to the
// image cache, so a repeated request (and every request of a benchmark) costs no encoding.
#pragma once

#include "emulator/image_synth.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace openai::emulator {

struct image_payload {
    std::shared_ptr<const std::string> bytes;
    std::shared_ptr<const std::string> base64;
    image_format format = image_format::png;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

/// Returns the image for a spec; may throw std::invalid_argument for an impossible spec.
using image_source = std::function<image_payload(const image_spec&)>;

} // namespace openai::emulator
