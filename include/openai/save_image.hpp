/// Saving decoded image bytes (a unary result's `image::bytes`, a stream event's
/// `image_bytes(ev)`) to a file, atomically: the bytes go to a temporary file in the same
/// directory, which is then renamed over `path`, so a reader never sees half an image.
///
///   while (auto ev = co_await stream.next())
///       openai::save_image(openai::image_bytes(*ev),
///                          openai::is_partial(*ev) ? "preview.png" : "final.png");
#pragma once

#include <boost/system/error_code.hpp>

#include <filesystem>
#include <string_view>

namespace openai {

/// Writes `bytes` to `path`, replacing an existing file. On failure sets `ec` (a system error
/// from open, write, fsync or rename) and leaves no temporary file behind; `path` is then
/// untouched.
void save_image(std::string_view bytes, const std::filesystem::path& path,
                boost::system::error_code& ec) noexcept;

/// As above; throws boost::system::system_error naming the path on failure.
void save_image(std::string_view bytes, const std::filesystem::path& path);

} // namespace openai
