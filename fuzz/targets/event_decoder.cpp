// The stream's event decoder as image_stream uses it: an SSE parser hands each event's data to a
// codec::event_decoder in pieces, and the event is judged as stream_state::judge_event does. Each
// result must be what the whole-text decoders give for the same event's data.
#include "codec/event_decoder.hpp"

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <openai/sse.hpp>

#include <string>
#include <vector>

namespace openai::fuzz {
namespace {

void check_same(const decode_result<decoded_event>& a, const decode_result<decoded_event>& b) {
    OPENAI_FUZZ_CHECK(a.code == b.code);
    OPENAI_FUZZ_CHECK(same_message(a.message, b.message));
    if (!a.ok())
        return;
    OPENAI_FUZZ_CHECK(a.value.kind == b.value.kind);
    OPENAI_FUZZ_CHECK(a.value.type == b.value.type);
    OPENAI_FUZZ_CHECK(a.value.error == b.value.error);
    if (a.value.kind == event_kind::image)
        OPENAI_FUZZ_CHECK(a.value.event == b.value.event);
}

} // namespace

void fuzz_event_decoder(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);

    // The reference: every event whole, decoded from its text.
    std::vector<sse::event> events;
    {
        sse::parser p;
        (void)sse::parse(p, in.text(), true, [&](sse::event&& ev) { events.push_back(ev); });
    }

    sse::parser p;
    codec::event_decoder decoder;
    p.set_data_sink(&decoder);
    std::size_t n = 0;
    sse::event ev;
    auto judge = [&] {
        p.take_event(ev);
        OPENAI_FUZZ_CHECK(n < events.size());
        const sse::event& ref = events[n++];
        OPENAI_FUZZ_CHECK(ev.type == ref.type && ev.id == ref.id && ev.data.empty());
        OPENAI_FUZZ_CHECK(decoder.size() == ref.data.size());
        OPENAI_FUZZ_CHECK(decoder.blank() ==
                          (ref.data.find_first_not_of(" \t\r\n") == std::string::npos));
        OPENAI_FUZZ_CHECK(decoder.is_done_marker() == (ref.data == "[DONE]"));
        (void)decoder.excerpt();
        if (ev.type == "error") {
            const auto got = decoder.decode_error();
            const auto want = decode_error_event(ref.data);
            OPENAI_FUZZ_CHECK(got.code == want.code && same_message(got.message, want.message));
            if (want.ok())
                OPENAI_FUZZ_CHECK(got.value == want.value);
        } else if (!decoder.blank() && !decoder.is_done_marker()) {
            check_same(decoder.decode_image(), decode_image_event(ref.data));
        } else if (in.option(0)) {
            (void)decoder.decode_image(); // what a careless caller could do: must not break
        }
        decoder.clear();
    };
    for (auto piece : in.pieces()) {
        boost::system::error_code ec;
        while (!piece.empty() && !ec) {
            piece.remove_prefix(p.feed(piece, ec));
            if (p.has_event())
                judge();
        }
        if (ec)
            break;
    }
    p.finish();
    OPENAI_FUZZ_CHECK(n == events.size());
}

} // namespace openai::fuzz
