// The chunked decoder fed in pieces: the body, the verdict and the bytes after the message must be
// those of the whole wire decoded at once, and decoding in place never writes past a piece.
#include "codec/chunked_decoder.hpp"

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <memory>
#include <string>

namespace openai::fuzz {
namespace {

struct outcome {
    std::string body;
    std::size_t leftover = 0;
    bool done = false;
    bool failed = false;
};

outcome run(const std::vector<std::string_view>& pieces) {
    codec::chunked_decoder d;
    outcome out;
    for (const auto piece : pieces) {
        // Each piece in a buffer of its own exact size, so ASan sees any write beyond it.
        const auto buffer = std::make_unique<char[]>(piece.size());
        std::copy(piece.begin(), piece.end(), buffer.get());
        const auto r = d.decode(buffer.get(), piece.size());
        OPENAI_FUZZ_CHECK(r.body <= piece.size());
        OPENAI_FUZZ_CHECK(r.leftover <= piece.size() - r.body);
        OPENAI_FUZZ_CHECK(r.leftover == 0 || d.done());
        out.body.append(buffer.get(), r.body);
        if (d.done()) {
            // The leftover is the tail of this piece, plus every later piece.
            std::size_t rest = r.leftover;
            bool after = false;
            for (const auto later : pieces) {
                if (after)
                    rest += later.size();
                after = after || later.data() == piece.data();
            }
            out.leftover = rest;
            break;
        }
        if (d.failed())
            break;
    }
    out.done = d.done();
    out.failed = d.failed();
    OPENAI_FUZZ_CHECK(!(out.done && out.failed));
    OPENAI_FUZZ_CHECK(out.failed == !d.error().empty());
    return out;
}

} // namespace

void fuzz_chunked_decoder(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const outcome whole = run({in.text()});
    const outcome split = run(in.pieces());
    OPENAI_FUZZ_CHECK(split.done == whole.done);
    OPENAI_FUZZ_CHECK(split.failed == whole.failed);
    OPENAI_FUZZ_CHECK(split.leftover == whole.leftover);
    // Also after a failure: what was decoded before it is the same.
    OPENAI_FUZZ_CHECK(split.body == whole.body);
}

} // namespace openai::fuzz
