// The SSE parser fed in pieces, with and without a data sink: the events, the last event ID, the
// retry value and the error must be those of the whole text fed at once without a sink.
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <openai/sse.hpp>

#include <optional>
#include <string>
#include <vector>

namespace openai::fuzz {
namespace {

struct collecting_sink final : sse::data_sink {
    std::string data;
    void on_data(std::string_view piece) override { data.append(piece); }
};

struct outcome {
    std::vector<sse::event> events;
    std::string last_event_id;
    std::optional<std::uint64_t> retry;
    bool failed = false;
};

outcome run(const std::vector<std::string_view>& pieces, sse::parser_options options, bool use_sink,
            bool reuse_event) {
    sse::parser p(options);
    collecting_sink sink;
    if (use_sink)
        p.set_data_sink(&sink);
    outcome out;
    sse::event reused;
    auto take = [&] {
        sse::event ev;
        if (reuse_event) {
            p.take_event(reused);
            ev = reused;
        } else {
            ev = p.take_event();
        }
        if (use_sink) {
            OPENAI_FUZZ_CHECK(ev.data.empty());
            ev.data = std::move(sink.data);
            sink.data.clear();
        }
        out.events.push_back(std::move(ev));
    };
    for (auto piece : pieces) {
        boost::system::error_code ec;
        while (!piece.empty()) {
            const std::size_t used = p.feed(piece, ec);
            OPENAI_FUZZ_CHECK(used <= piece.size());
            piece.remove_prefix(used);
            if (p.has_event())
                take();
            if (ec)
                break;
            // Progress: with no pending event, non-empty input is consumed in part at least.
            OPENAI_FUZZ_CHECK(used != 0 || piece.empty());
        }
        if (ec) {
            OPENAI_FUZZ_CHECK(ec == errc::event_too_large && p.failed());
            out.failed = true;
            break;
        }
    }
    p.finish();
    OPENAI_FUZZ_CHECK(!p.has_event());
    out.last_event_id = p.last_event_id();
    out.retry = p.retry();
    return out;
}

} // namespace

void fuzz_sse_parser(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    sse::parser_options options;
    // A small limit now and then, so that event_too_large is reached.
    if (in.option(0))
        options.max_event_size = 1 + in.options() * 8u;
    const outcome whole = run({in.text()}, options, false, false);
    const outcome split = run(in.pieces(), options, in.option(1), in.option(2));
    OPENAI_FUZZ_CHECK(split.failed == whole.failed);
    OPENAI_FUZZ_CHECK(split.events == whole.events);
    if (!whole.failed) {
        OPENAI_FUZZ_CHECK(split.last_event_id == whole.last_event_id);
        OPENAI_FUZZ_CHECK(split.retry == whole.retry);
    }
    for (const auto& ev : whole.events) {
        OPENAI_FUZZ_CHECK(!ev.type.empty());
        if (options.max_event_size != 0)
            OPENAI_FUZZ_CHECK(ev.data.size() + (ev.type == "message" ? 0 : ev.type.size()) <=
                              options.max_event_size);
    }
}

} // namespace openai::fuzz
