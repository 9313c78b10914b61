// `openai-images sse-dump`: a captured event stream on standard input, decoded by the library's
// incremental parser, one JSON line per dispatched event. A debugging aid for captured streams,
// and how the parser is tested from outside the library (test/cli).
#include "arguments.hpp"
#include "commands.hpp"

#include <openai/sse.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <unistd.h>

namespace openai::cli {
namespace {

const char* const sse_dump_help =
    R"(usage: openai-images sse-dump [--max-event-size BYTES] < captured-stream

Reads a raw text/event-stream body on standard input and prints each dispatched event as one JSON
line, {"event":...,"data":...,"id":...}, then {"retry":N} (the last valid retry field) or
{"retry":null}. Decoding follows WHATWG HTML 9.2.6: LF, CRLF and CR line ends, comments, a
leading BOM, invalid UTF-8 replaced by U+FFFD; an unfinished last block is discarded.

  --max-event-size BYTES     fail on a larger event (default 67108864; 0: no limit)

Exit status: 0, or 1 when an event exceeds the limit or standard input cannot be read.
)";

// Standard input is read in pieces of this size, each fed to the parser as it arrives.
constexpr std::size_t piece_size = 4096;

void print_event(const sse::event& ev) {
    boost::json::object line;
    line["event"] = ev.type;
    line["data"] = ev.data;
    line["id"] = ev.id;
    std::cout << boost::json::serialize(line) << '\n';
}

} // namespace

int run_sse_dump(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, sse_dump_options());
    if (args.flag("help")) {
        std::fputs(sse_dump_help, stdout);
        return 0;
    }
    sse::parser_options options;
    if (auto v = args.number("max-event-size", 0, 1e18))
        options.max_event_size = static_cast<std::size_t>(*v);
    sse::parser parser(options);
    sse::event event;

    char piece[piece_size];
    boost::system::error_code ec;
    for (;;) {
        const auto n = ::read(STDIN_FILENO, piece, sizeof piece);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            std::cerr << "openai-images sse-dump: cannot read standard input: "
                      << std::strerror(errno) << '\n';
            return 1;
        }
        if (n == 0)
            break;
        std::string_view input(piece, static_cast<std::size_t>(n));
        while (!input.empty()) {
            input.remove_prefix(parser.feed(input, ec));
            if (parser.has_event()) {
                parser.take_event(event);
                print_event(event);
            }
            if (ec) {
                std::cout << std::flush;
                std::cerr << "openai-images sse-dump: " << ec.message() << " (limit "
                          << options.max_event_size << " bytes; see --max-event-size)\n";
                return 1;
            }
        }
    }
    parser.finish();
    boost::json::object last;
    if (auto retry = parser.retry())
        last["retry"] = *retry;
    else
        last["retry"] = nullptr;
    std::cout << boost::json::serialize(last) << '\n' << std::flush;
    return std::cout ? 0 : 1;
}

// For the command table (help, completions, man page).
option_spec sse_dump_options() {
    option_spec spec;
    spec.valued = {"max-event-size"};
    spec.flags = {"help"};
    return spec;
}
std::string sse_dump_help_text() {
    return sse_dump_help;
}

} // namespace openai::cli
