// The incremental ImagesResponse decoder fed in pieces, with a size hint that may be wrong: its
// result (value, error code and message) must be the whole-text decoder's.
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <openai/json.hpp>

namespace openai::fuzz {

void fuzz_images_response(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const auto whole = decode_images_response(in.text());

    images_response_parser parser;
    if (in.option(0)) {
        // A right guess, or one off by the other option bits, and 1..4 images.
        const std::uint64_t guess =
            in.option(1) ? in.text().size() / (in.option(2) ? 3 : 1) + 7 : in.text().size();
        parser.expect_body_size(guess, 1u + (in.options() >> 2));
    }
    bool ok = true;
    for (const auto piece : in.pieces()) {
        ok = parser.write(piece);
        if (!ok && in.option(3))
            break; // a caller may stop at the first false
    }
    const auto split = parser.finish();
    OPENAI_FUZZ_CHECK(split.code == whole.code);
    OPENAI_FUZZ_CHECK(same_message(split.message, whole.message));
    if (whole.ok())
        OPENAI_FUZZ_CHECK(split.value == whole.value);
    else
        OPENAI_FUZZ_CHECK(!whole.message.empty());
}

} // namespace openai::fuzz
