// Where results go: image files written atomically without overwriting anything, and the
// human-readable or JSON-lines reports of what was written or what failed.
#pragma once

#include <openai/request_error.hpp>
#include <openai/responses.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli {

// "png", "jpeg" or "webp" from the image's magic bytes (openai::detect_image_format), never from
// the response's fields; std::nullopt for bytes that are no known image.
std::optional<std::string> image_extension(std::string_view bytes);

// Bytes that are no PNG, JPEG or WebP image came back where an image was expected. what() says
// what came back: its size and first bytes.
struct not_an_image : std::runtime_error {
    // `bytes`: the result, or its head when `total_size` gives the whole size.
    explicit not_an_image(std::string_view bytes, std::optional<std::uint64_t> total_size = {});
};

// The extension to save `bytes` under: image_extension(), or "bin" when `keep_unknown` (the
// caller says so), else throws not_an_image.
std::string extension_or_throw(std::string_view bytes, bool keep_unknown);

// --name STEM checked: a plain file name stem (not empty, no '/' or '\\', not "." or "..", no
// control characters, at most 200 bytes). Throws usage_error saying why otherwise.
std::string checked_stem(const std::string& name);

// The first of STEM, STEM-2, STEM-3, ... that no file in `dir` uses yet (as STEM.EXT or
// STEM.partial-K.EXT): the stem every file of one result shares, partial images included.
std::string free_stem(const std::filesystem::path& dir, const std::string& stem);

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

// One JSON line for a failed call: status, type, code, param, message, request id, and the
// outcome ("not_sent", "refused", "unknown": whether the request may have been billed).
boost::json::object error_line(const error_info& info);

// What an outcome means for the caller's bill, in one sentence fragment.
std::string_view describe_outcome(request_outcome outcome);

// The same facts for people, on a few lines, the outcome last.
std::string describe_error(const error_info& info);

} // namespace openai::cli
