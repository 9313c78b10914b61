// The emulator's Batch API input reader (parse_batch_input): whatever the text, requests come in
// line order with distinct custom ids, every error names a line the text has (or none, for an
// empty file), nothing is both a request and an error, and every request's output line is JSON
// that gives its custom id back. Option 0 checks against the edits endpoint instead.
#include "emulator/batch_lines.hpp"
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <string>

namespace openai::fuzz {

void fuzz_emulator_batch_lines(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const std::string_view endpoint = in.option(0) ? "/v1/images/edits" : "/v1/images/generations";
    const auto result = emulator::parse_batch_input(in.text(), endpoint);
    const std::size_t lines =
        static_cast<std::size_t>(std::count(in.text().begin(), in.text().end(), '\n')) + 1;

    std::set<std::string> ids;
    std::set<std::size_t> request_lines;
    std::size_t previous = 0;
    for (const auto& r : result.requests) {
        OPENAI_FUZZ_CHECK(r.line > previous && r.line <= lines);
        previous = r.line;
        OPENAI_FUZZ_CHECK(ids.insert(r.custom_id).second);
        OPENAI_FUZZ_CHECK(r.body.is_object());
        request_lines.insert(r.line);
        emulator::byte_list body;
        body.add(boost::json::serialize(r.body));
        const std::string out =
            emulator::batch_response_line("batch_req_x", r.custom_id, 200, "req_x", body).flatten();
        boost::system::error_code ec;
        const auto v = boost::json::parse(out, ec);
        OPENAI_FUZZ_CHECK(!ec && v.at("custom_id").as_string() == r.custom_id);
    }
    for (const auto& e : result.errors) {
        OPENAI_FUZZ_CHECK(!e.code.empty() && !e.message.empty());
        if (e.line) {
            OPENAI_FUZZ_CHECK(*e.line >= 1 && *e.line <= lines);
            OPENAI_FUZZ_CHECK(!request_lines.contains(*e.line));
        } else {
            OPENAI_FUZZ_CHECK(e.code == "empty_file" && result.requests.empty() &&
                              result.errors.size() == 1);
        }
    }
    OPENAI_FUZZ_CHECK(!result.requests.empty() || !result.errors.empty());
}

} // namespace openai::fuzz
