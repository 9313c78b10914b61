// The Batch API output reader fed in pieces: its results (kind, ids, response, error facts) must
// be those of the whole text fed at once, with line numbers rising; with a small line limit
// (option bit 0) each line's result is the unlimited one or errc::body_too_large. Option bit 3
// sets a small max_line_json for every run. Read again with an image sink, the results are the
// same but for the image bytes, which the sink got whole, in order, each image ended.
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <openai/batch_output.hpp>

#include <string>
#include <vector>

namespace openai::fuzz {
namespace {

bool same_result(const batch_result& a, const batch_result& b) {
    if (a.line != b.line || a.kind != b.kind || a.error.code != b.error.code)
        return false;
    if (a.error.code == errc::invalid_json || a.error.code == errc::truncated_body) {
        // Boost.JSON names the failing byte differently when a literal is split (see
        // same_message): only the line's prefix must agree.
        return a.error.message.substr(0, a.error.message.find(':')) ==
               b.error.message.substr(0, b.error.message.find(':'));
    }
    return a.id == b.id && a.custom_id == b.custom_id && a.response == b.response &&
           a.error.message == b.error.message && a.error.http_status == b.error.http_status &&
           a.error.request_id == b.error.request_id && a.error.api == b.error.api &&
           a.error.outcome == b.error.outcome;
}

// What an image sink is given, with the order of its calls checked.
struct recording_sink final : batch_image_sink {
    struct image {
        std::uint64_t line = 0;
        std::size_t index = 0;
        std::string bytes;
        bool complete = false;
        bool ended = false;
    };
    std::vector<image> images;

    void on_image_begin(std::uint64_t line, std::size_t index) override {
        OPENAI_FUZZ_CHECK(images.empty() || images.back().ended);
        images.push_back({line, index, {}, false, false});
    }
    void on_image_data(std::string_view bytes) override {
        OPENAI_FUZZ_CHECK(!images.empty() && !images.back().ended && !bytes.empty());
        images.back().bytes.append(bytes);
    }
    void on_image_end(bool complete) override {
        OPENAI_FUZZ_CHECK(!images.empty() && !images.back().ended);
        images.back().complete = complete;
        images.back().ended = true;
    }
};

std::vector<batch_result> read(const std::vector<std::string_view>& pieces,
                               const batch_output_options& options, bool pull,
                               recording_sink* sink = nullptr) {
    batch_output_reader reader(options);
    reader.set_image_sink(sink);
    std::vector<batch_result> out;
    for (auto piece : pieces) {
        if (pull) {
            while (!piece.empty()) {
                piece.remove_prefix(reader.feed(piece));
                if (reader.has_result())
                    out.push_back(reader.take_result());
                else
                    OPENAI_FUZZ_CHECK(piece.empty());
            }
        } else {
            read_batch_output(reader, piece, false,
                              [&](batch_result&& r) { out.push_back(std::move(r)); });
        }
    }
    read_batch_output(reader, {}, true, [&](batch_result&& r) { out.push_back(std::move(r)); });
    OPENAI_FUZZ_CHECK(reader.finished() && !reader.has_result());
    OPENAI_FUZZ_CHECK(reader.feed("x\n", true) == 0);
    return out;
}

} // namespace

void fuzz_batch_output(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    batch_output_options options;
    options.keep_unknown_fields = in.option(1);
    if (in.option(3))
        options.max_line_json = 300; // small enough for the seeds to cross it
    const auto whole = read({in.text()}, options, true);
    std::uint64_t previous = 0;
    for (const auto& r : whole) {
        OPENAI_FUZZ_CHECK(r.line > previous);
        previous = r.line;
        OPENAI_FUZZ_CHECK(r.ok() == r.response.has_value());
        OPENAI_FUZZ_CHECK(r.ok() == !r.error.code);
        if (!r.ok())
            OPENAI_FUZZ_CHECK(r.error.message.starts_with("line " + std::to_string(r.line)));
        if (r.kind == batch_result_kind::api_error)
            OPENAI_FUZZ_CHECK(r.error.http_status < 200 || r.error.http_status > 299);
    }

    const auto split = read(in.pieces(), options, in.option(2));
    OPENAI_FUZZ_CHECK(split.size() == whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i)
        OPENAI_FUZZ_CHECK(same_result(split[i], whole[i]));

    // With an image sink: the same results but for the bytes, which the sink got whole.
    recording_sink sink;
    const auto sunk = read(in.pieces(), options, !in.option(2), &sink);
    OPENAI_FUZZ_CHECK(sunk.size() == whole.size());
    for (const auto& image : sink.images)
        OPENAI_FUZZ_CHECK(image.ended);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        auto expected = whole[i];
        if (expected.ok()) {
            for (std::size_t k = 0; k < expected.response->data.size(); ++k) {
                auto& bytes = expected.response->data[k].bytes;
                if (!bytes)
                    continue;
                // The last image of that place (a key given twice is captured twice, and the
                // last capture is the one a result without a sink holds).
                const recording_sink::image* last = nullptr;
                for (const auto& image : sink.images)
                    if (image.line == expected.line && image.index == k)
                        last = &image;
                OPENAI_FUZZ_CHECK(last != nullptr || bytes->empty());
                if (last != nullptr)
                    OPENAI_FUZZ_CHECK(last->complete && last->bytes == *bytes);
                bytes->clear();
            }
        }
        OPENAI_FUZZ_CHECK(same_result(sunk[i], expected));
    }

    if (in.option(0)) {
        // A small limit: lines over it fail alone, the others are read as before.
        options.max_line_size = 1 + (in.options() >> 2) * 24;
        const auto limited = read(in.pieces(), options, true);
        OPENAI_FUZZ_CHECK(limited.size() >= whole.size());
        std::size_t j = 0;
        for (const auto& r : limited) {
            while (j < whole.size() && whole[j].line < r.line)
                ++j;
            if (r.error.code == errc::body_too_large)
                continue;
            OPENAI_FUZZ_CHECK(j < whole.size() && same_result(r, whole[j]));
        }
    }
}

} // namespace openai::fuzz
