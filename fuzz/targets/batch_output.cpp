// The Batch API output reader fed in pieces: its results (kind, ids, response, error facts) must
// be those of the whole text fed at once, with line numbers rising; with a small line limit
// (option bit 0) each line's result is the unlimited one or errc::body_too_large. Option bit 3
// sets a small max_line_json for every run.
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

std::vector<batch_result> read(const std::vector<std::string_view>& pieces,
                               const batch_output_options& options, bool pull) {
    batch_output_reader reader(options);
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
