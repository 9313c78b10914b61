#include "emulator/usage.hpp"

#include <algorithm>
#include <cmath>

namespace openai::emulator {
namespace {

// Output tokens of one square 1024x1024 image per quality (the API's published figures).
std::uint64_t square_tokens(std::string_view quality) {
    if (quality == "low")
        return 272;
    // xhigh and max (GPT Image 2.5) have no published figure here: counted like high.
    if (quality == "high" || quality == "hd" || quality == "xhigh" || quality == "max")
        return 4160;
    return 1056; // medium, auto, standard
}

// Input image tokens: tiles of 512x512 after fitting into 2048 and scaling the short side to 768.
std::uint64_t input_image_tokens(std::uint32_t w, std::uint32_t h, bool high_fidelity) {
    if (w == 0 || h == 0)
        w = h = 1024;
    double dw = w, dh = h;
    double fit = std::min(1.0, 2048.0 / std::max(dw, dh));
    dw *= fit;
    dh *= fit;
    double shrink = std::min(1.0, 768.0 / std::min(dw, dh));
    dw *= shrink;
    dh *= shrink;
    auto tiles = static_cast<std::uint64_t>(std::ceil(dw / 512.0) * std::ceil(dh / 512.0));
    return 65 + 129 * tiles + (high_fidelity ? 4096 : 0);
}

} // namespace

image_usage compute_usage(const usage_input& in) {
    image_usage u;
    u.text_tokens = std::max<std::uint64_t>(1, (in.prompt.size() + 3) / 4);
    for (auto [w, h] : in.input_images)
        u.image_tokens += input_image_tokens(w, h, in.high_input_fidelity);
    double pixels =
        double(std::max<std::uint32_t>(in.width, 1)) * std::max<std::uint32_t>(in.height, 1);
    auto per_image = static_cast<std::uint64_t>(
        std::llround(double(square_tokens(in.quality)) * std::sqrt(pixels / (1024.0 * 1024.0))));
    // The API bills the two rectangular standard sizes 1.5x the square one.
    if (in.width != in.height && std::max(in.width, in.height) == 1536 &&
        std::min(in.width, in.height) == 1024)
        per_image = square_tokens(in.quality) * 3 / 2;
    u.output_tokens =
        per_image * std::max(1u, in.n) + 100ull * in.partial_images * std::max(1u, in.n);
    return u;
}

boost::json::object usage_json(const image_usage& u, bool output_details) {
    boost::json::object o;
    o["total_tokens"] = u.total_tokens();
    o["input_tokens"] = u.input_tokens();
    o["output_tokens"] = u.output_tokens;
    boost::json::object in;
    in["text_tokens"] = u.text_tokens;
    in["image_tokens"] = u.image_tokens;
    o["input_tokens_details"] = std::move(in);
    if (output_details) {
        boost::json::object out;
        out["image_tokens"] = u.output_tokens;
        out["text_tokens"] = 0;
        o["output_tokens_details"] = std::move(out);
    }
    return o;
}

} // namespace openai::emulator
