// Consuming an image stream on the command line: partial images written as they arrive
// (STEM.partial-K.EXT), the final image as STEM.EXT, a progress line on a terminal, and with
// --json one line per event. Shared by `generate --stream` and `edit --stream`.
#pragma once

#include "arguments.hpp"
#include "session.hpp"

#include <openai/image_stream.hpp>
#include <openai/images.hpp>
#include <openai/request_error.hpp>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace openai::cli {

// Adds --stream and --partial-images K to a command's spec.
void add_stream_options(option_spec& spec);

// The help lines of --stream.
extern const char* const stream_help;

// --partial-images K, refused without --stream.
std::optional<int> partial_images_option(const parsed_arguments& args);

namespace preview {
class display;
}

struct stream_output_options {
    std::filesystem::path out_dir = ".";
    std::string stem;      // file name stem shared by every image: free_stem() of the wanted one
    bool json = false;     // one JSON line per event on stdout instead of text
    bool progress = false; // a progress line on stderr (a terminal)
    bool keep_unknown = false;           // bytes that are no image saved as .bin
    preview::display* display = nullptr; // previews (partial images replace each other)
};

struct stream_result {
    error_info error;                         // set when the stream failed
    std::vector<std::filesystem::path> files; // partial images first, then the final one
    bool completed = false;
};

// Pulls every event of `stream` and writes its images. Never throws for stream failures (they
// land in the result); throws std::runtime_error when a file cannot be written, not_an_image for
// an image that is none (without keep_unknown).
boost::asio::awaitable<stream_result> consume_stream(image_stream& stream,
                                                     const stream_output_options& options);

// Opens the stream (on failure: an invalid stream, with `info` filled).
using stream_opener =
    std::function<boost::asio::awaitable<image_stream>(openai::images images, error_info& info)>;

// A whole streamed command: a client from `s`, the stream from `open`, its images written under
// --out with the stem `stem` (or STEM-2, ... when taken: partial and final images alike), shown
// per --preview, failures reported on stderr (or as a JSON line). Returns the exit status: 0, 1 on
// failure, 2 when the request was refused before sending.
int run_stream_command(const parsed_arguments& args, const session& s, const std::string& stem,
                       stream_opener open);

} // namespace openai::cli
