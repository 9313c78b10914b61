// Where results go: image files written atomically without overwriting anything, and the
// human-readable or JSON-lines reports of what was written or what failed.
#pragma once

#include <openai/request_error.hpp>
#include <openai/responses.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli {

// "png", "jpeg" or "webp" from the image's magic bytes, else the response's output_format, else
// "png".
std::string image_extension(std::string_view bytes, const images_response& response);

// A file name stem from the prompt ("a-lighthouse-at-dawn") plus a timestamp, so that runs never
// collide; at most ~40 characters of the prompt.
std::string file_stem(std::string_view prompt);

// A token count for people: the number, or "?" when the server did not send it.
std::string count_text(const std::optional<std::int64_t>& count);

// Writes `bytes` to DIR/STEM.EXT (or STEM-2.EXT, ... when taken) through a temporary file and a
// rename, so a reader never sees half an image. Creates DIR. Throws std::runtime_error naming
// the path on failure.
std::filesystem::path write_new_file(const std::filesystem::path& dir, const std::string& stem,
                                     const std::string& extension, std::string_view bytes);

// Gives the complete file `complete` (in `dir`) the name DIR/STEM.EXT, or STEM-2.EXT, ... when
// taken, never replacing a file; `complete` disappears. Throws std::runtime_error naming the path.
std::filesystem::path claim_new_name(const std::filesystem::path& dir, const std::string& stem,
                                     const std::string& extension,
                                     const std::filesystem::path& complete);

// One JSON line for a successful call: files written, URLs, usage, request id.
boost::json::object result_line(const images_response& response,
                                const std::vector<std::filesystem::path>& files);

// One JSON line for a failed call: status, type, code, param, message, request id.
boost::json::object error_line(const error_info& info);

// The same facts for people, on one or a few lines.
std::string describe_error(const error_info& info);

} // namespace openai::cli
