// What generate, edit and variation share: one call to the Images API on a fresh io_context, then
// the report of its result (image files written to --out, URL results listed or fetched with
// --download, usage, request id) as text or a JSON line, and the exit status.
#pragma once

#include "arguments.hpp"
#include "session.hpp"

#include <openai/images.hpp>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <tuple>

namespace openai::cli {

// The request options all three image commands share, read into `req` when given (the rest stay
// unset, left to the API's defaults): --model, --n, --size, --response-format, --user.
template <class Request>
void read_common_request_options(const parsed_arguments& args, Request& req) {
    if (auto v = args.value("model"))
        req.model = *v;
    if (auto v = args.integer("n", -1000, 1000))
        req.n = *v;
    if (auto v = args.value("size"))
        req.size = *v;
    if (auto v = args.value("response-format"))
        req.response_format = *v;
    if (auto v = args.value("user"))
        req.user = *v;
}

// The request options `generate` and `edit` share: the common ones, and --quality,
// --background, --output-format, --output-compression.
template <class Request>
void read_shared_request_options(const parsed_arguments& args, Request& req) {
    read_common_request_options(args, req);
    if (auto v = args.value("quality"))
        req.quality = *v;
    if (auto v = args.value("background"))
        req.background = *v;
    if (auto v = args.value("output-format"))
        req.output_format = *v;
    if (auto v = args.integer("output-compression", -1000, 1000))
        req.output_compression = *v;
}

// Adds --out DIR, --download (fetch URL results to --out), --name STEM, --keep-unknown and
// --preview MODE to a command's spec.
void add_output_options(option_spec& spec);

// The stem of the files of a result: --name STEM (checked: throws usage_error) or one made from
// `prompt` (file_stem). Also refuses a bad --preview MODE (usage_error).
std::string result_stem(const parsed_arguments& args, const std::string& prompt);

// The help lines of those options.
extern const char* const output_help;

// A file's bytes for a preview (at most 64 MiB + 1: the decoder refuses larger ones).
std::string read_for_preview(const std::filesystem::path& file);

struct not_an_image;
// The error of a result that is no image, as text on stderr or a JSON line on stdout.
void report_not_an_image(const not_an_image& e, bool json);

// Makes the call; completes with its error code (the facts of a failure in `info`).
using image_call =
    std::function<boost::asio::awaitable<std::tuple<boost::system::error_code, images_response>>(
        const openai::images&, error_info&)>;

// Runs `call` with a client for `s`, writes the images (named after `stem`), prints the report and
// returns the exit status: 0 success, 2 refused before sending (parameter rules, unusable input
// files), 1 otherwise.
int run_image_command(const parsed_arguments& args, session& s, const std::string& stem,
                      const image_call& call);

} // namespace openai::cli
