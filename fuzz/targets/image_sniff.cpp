// Image sniffing: the codec's magic-byte and PNG-header readers (upload Content-Type, dall-e-2
// rules) and the emulator's incremental header prober, fed in pieces. The prober's answer must
// not depend on the pieces, and the codec and the emulator must agree on formats and PNG sizes.
#include "codec/image_sniff.hpp"

#include "emulator/image_probe.hpp"
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

namespace openai::fuzz {
namespace {

emulator::image_format to_emulator(std::optional<codec::image_type> t) {
    if (!t)
        return emulator::image_format::unknown;
    switch (*t) {
    case codec::image_type::png:
        return emulator::image_format::png;
    case codec::image_type::jpeg:
        return emulator::image_format::jpeg;
    case codec::image_type::webp:
        return emulator::image_format::webp;
    }
    return emulator::image_format::unknown;
}

} // namespace

void fuzz_image_sniff(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const std::string_view bytes = in.text();

    const auto type = codec::sniff_image_type(bytes);
    if (type) {
        OPENAI_FUZZ_CHECK(!codec::mime_type(*type).empty());
        OPENAI_FUZZ_CHECK(!codec::file_extension(*type).empty());
        OPENAI_FUZZ_CHECK(!codec::image_type_name(*type).empty());
    }
    OPENAI_FUZZ_CHECK(to_emulator(type) == emulator::sniff_format(bytes));
    // Fewer bytes than the sniff size decide the same way as the first image_sniff_size ones.
    OPENAI_FUZZ_CHECK(codec::sniff_image_type(bytes.substr(0, codec::image_sniff_size)) == type);
    const auto dims = codec::png_dimensions(bytes);
    OPENAI_FUZZ_CHECK(codec::png_dimensions(bytes.substr(0, codec::image_sniff_size)) == dims);
    if (dims)
        OPENAI_FUZZ_CHECK(type == codec::image_type::png && dims->first != 0 && dims->second != 0);

    // The reference: the whole file in one feed. probe() says the same, except that it also
    // names the format of a file too short for the prober's 12 magic bytes.
    emulator::image_prober one;
    one.feed(bytes);
    const auto& whole = one.info();
    const auto probed = emulator::probe(bytes);
    if (one.done() || whole.format != emulator::image_format::unknown)
        OPENAI_FUZZ_CHECK(probed.format == whole.format && probed.width == whole.width &&
                          probed.height == whole.height && probed.has_alpha == whole.has_alpha);
    else
        OPENAI_FUZZ_CHECK(probed.format == emulator::sniff_format(bytes));
    emulator::image_prober prober;
    bool done = false;
    for (const auto piece : in.pieces()) {
        const bool now_done = prober.feed(piece);
        OPENAI_FUZZ_CHECK(!done || now_done); // once final, stays final
        done = now_done;
    }
    const auto& split = prober.info();
    OPENAI_FUZZ_CHECK(split.format == whole.format);
    OPENAI_FUZZ_CHECK(split.width == whole.width && split.height == whole.height);
    OPENAI_FUZZ_CHECK(split.has_alpha == whole.has_alpha);
    if (bytes.size() >= 12)
        OPENAI_FUZZ_CHECK(whole.format == emulator::sniff_format(bytes));
    if (dims && whole.complete())
        OPENAI_FUZZ_CHECK(whole.width == dims->first && whole.height == dims->second);
}

} // namespace openai::fuzz
