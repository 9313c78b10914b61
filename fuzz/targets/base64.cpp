// The streaming base64 decoder fed in pieces, through both of its interfaces (the raw one with a
// buffer of exactly the documented size, so ASan catches a write past it): the bytes, the verdict
// and the error offset must be those of the whole text. What decodes re-encodes to a text that
// decodes to the same bytes.
#include "codec/base64.hpp"

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <memory>
#include <string>

namespace openai::fuzz {
namespace {

struct outcome {
    std::string bytes;
    bool ok = true;
    std::size_t error_offset = 0;
};

outcome run(const std::vector<std::string_view>& pieces, bool raw) {
    codec::base64_decoder d;
    outcome out;
    for (const auto piece : pieces) {
        if (raw) {
            const std::size_t room = codec::base64_decoded_size_upper_bound(piece.size() + 3);
            const auto buffer = std::make_unique<char[]>(room);
            std::size_t written = 0;
            out.ok = d.feed(piece, buffer.get(), written);
            OPENAI_FUZZ_CHECK(written <= room);
            out.bytes.append(buffer.get(), written);
        } else {
            out.ok = d.feed(piece, out.bytes);
        }
        if (!out.ok)
            break;
    }
    if (out.ok) {
        if (raw) {
            const auto tail = std::make_unique<char[]>(2);
            std::size_t written = 0;
            out.ok = d.finish(tail.get(), written);
            OPENAI_FUZZ_CHECK(written <= 2);
            out.bytes.append(tail.get(), written);
        } else {
            out.ok = d.finish(out.bytes);
        }
    }
    OPENAI_FUZZ_CHECK(out.ok == !d.failed());
    OPENAI_FUZZ_CHECK(d.failed() == !d.error_reason().empty());
    if (!out.ok)
        out.error_offset = d.error_offset();
    return out;
}

} // namespace

void fuzz_base64(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const std::string_view text = in.text();

    std::string whole;
    boost::system::error_code ec;
    const bool ok = codec::base64_decode(text, whole, ec);
    OPENAI_FUZZ_CHECK(ok == !ec);
    OPENAI_FUZZ_CHECK(ok || whole.empty());
    OPENAI_FUZZ_CHECK(whole.size() <= codec::base64_decoded_size_upper_bound(text.size()));

    const outcome reference = run({text}, false);
    OPENAI_FUZZ_CHECK(reference.ok == ok);
    if (ok)
        OPENAI_FUZZ_CHECK(reference.bytes == whole);
    else
        OPENAI_FUZZ_CHECK(reference.error_offset <= text.size());

    const outcome split = run(in.pieces(), in.option(0));
    OPENAI_FUZZ_CHECK(split.ok == reference.ok);
    OPENAI_FUZZ_CHECK(split.error_offset == reference.error_offset);
    // Before an error, each interface has the bytes of the quanta completed before it.
    OPENAI_FUZZ_CHECK(split.bytes == reference.bytes);

    if (ok) {
        const std::string again = codec::base64_encode(whole);
        OPENAI_FUZZ_CHECK(again.size() == codec::base64_encoded_size(whole.size()));
        std::string round;
        OPENAI_FUZZ_CHECK(codec::base64_decode(again, round, ec) && round == whole);
    }
    // Any bytes encode to a text that decodes back to them.
    const std::string encoded = codec::base64_encode(text);
    std::string decoded;
    OPENAI_FUZZ_CHECK(codec::base64_decode(encoded, decoded, ec) && decoded == text);
}

} // namespace openai::fuzz
