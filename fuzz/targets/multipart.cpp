// The emulator's multipart/form-data parser. The text's first line is a Content-Type value for
// parse_multipart_boundary; the rest is the body, fed in pieces. The parts, their data and the
// verdict (with its message) must be those of the whole body fed at once.
#include "emulator/multipart_parser.hpp"
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <string>
#include <vector>

namespace openai::fuzz {
namespace {

struct recorder final : emulator::multipart_sink {
    std::vector<std::string> events;
    std::string data;
    bool in_part = false;
    std::size_t data_cap = 0; // 0: none; else the sink refuses a part past this many bytes

    void on_part_begin(const emulator::multipart_part& part) override {
        OPENAI_FUZZ_CHECK(!in_part);
        OPENAI_FUZZ_CHECK(!part.name.empty());
        in_part = true;
        events.push_back("begin " + std::to_string(part.index) + " " + part.name + " " +
                         part.filename.value_or("-") + " " + part.content_type);
    }
    void on_part_data(std::string_view bytes) override {
        OPENAI_FUZZ_CHECK(in_part);
        data.append(bytes);
        if (data_cap != 0 && data.size() > data_cap)
            throw emulator::multipart_error("part too large");
    }
    void on_part_end() override {
        OPENAI_FUZZ_CHECK(in_part);
        in_part = false;
        events.push_back("data " + data);
        data.clear();
    }
};

struct outcome {
    bool ok = false;
    std::string error;
    std::vector<std::string> events;
    std::uint64_t offset = 0;
};

outcome run(const std::string& boundary, const std::vector<std::string_view>& pieces,
            const emulator::multipart_limits& limits, std::size_t data_cap) {
    recorder r;
    r.data_cap = data_cap;
    emulator::multipart_parser p(boundary, r, limits);
    bool ok = true;
    for (const auto piece : pieces)
        ok = p.feed(piece) && ok;
    const auto offset = p.offset();
    ok = p.finish() && ok;
    OPENAI_FUZZ_CHECK(ok == !p.failed());
    OPENAI_FUZZ_CHECK(ok == p.error().empty());
    OPENAI_FUZZ_CHECK(!ok || p.complete());
    return {ok, p.error(), r.events, offset};
}

} // namespace

void fuzz_multipart(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    std::string_view text = in.text();
    const auto eol = text.find('\n');
    const std::string_view content_type = text.substr(0, eol);
    const std::string_view body =
        eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);

    std::string error;
    const auto boundary = emulator::parse_multipart_boundary(content_type, error);
    OPENAI_FUZZ_CHECK(boundary.has_value() == error.empty());
    // A bad boundary still makes a parser (failed from the start); the option picks which.
    const std::string used = boundary       ? *boundary
                             : in.option(3) ? std::string(content_type)
                                            : "XyZ";

    emulator::multipart_limits limits;
    if (in.option(0)) { // small limits, so that each is reached
        limits.max_header_line = 40;
        limits.max_header_lines = 3;
        limits.max_parts = 3;
        limits.max_preamble = 16;
    }
    const std::size_t cap = in.option(1) ? 8 : 0;
    const outcome whole = run(used, {body}, limits, cap);
    const outcome split = run(used, in.split(body), limits, cap);
    OPENAI_FUZZ_CHECK(split.ok == whole.ok);
    OPENAI_FUZZ_CHECK(split.error == whole.error);
    OPENAI_FUZZ_CHECK(split.events == whole.events);
}

} // namespace openai::fuzz
