/// The response of the three image endpoints: `ImagesResponse`, `Image` and the usage objects.
///
/// Images hold their DECODED bytes: the base64 text of `b64_json` is decoded while the response
/// is parsed and never kept, so a result costs about its image size in memory.
#pragma once

#include <openai/open_string.hpp>
#include <openai/response_metadata.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace openai {

/// Token counts are optional: a count the server did not send is unset, never a made-up zero.

/// `input_tokens_details` of `ImagesUsage` / `ImageGenUsage`.
struct input_tokens_details {
    std::optional<std::int64_t> text_tokens{};
    std::optional<std::int64_t> image_tokens{};

    friend bool operator==(const input_tokens_details&, const input_tokens_details&) = default;
};

/// `ImageGenOutputTokensDetails`.
struct output_tokens_details {
    std::optional<std::int64_t> image_tokens{};
    std::optional<std::int64_t> text_tokens{};

    friend bool operator==(const output_tokens_details&, const output_tokens_details&) = default;
};

/// Token usage of GPT image models: `ImagesUsage` (stream events) and `ImageGenUsage`
/// (responses) in one type; `output_tokens_details` is only in the latter.
struct image_usage {
    std::optional<std::int64_t> total_tokens{};
    std::optional<std::int64_t> input_tokens{};
    std::optional<std::int64_t> output_tokens{};
    /// Members unset when the server sent no `input_tokens_details`.
    openai::input_tokens_details input_tokens_details{};
    std::optional<openai::output_tokens_details> output_tokens_details{};

    friend bool operator==(const image_usage&, const image_usage&) = default;
};

/// `Image`: one generated image, as bytes (GPT image models, or `response_format=b64_json`) or
/// as a URL valid for 60 minutes (DALL-E with `response_format=url`).
struct image {
    /// The decoded image file (PNG, JPEG or WebP); unset when the result is a URL.
    std::optional<std::string> bytes{};
    std::optional<std::string> url{};
    std::optional<std::string> revised_prompt{}; ///< dall-e-3 only
    /// With request_options::keep_unknown_fields: this image's members the library does not
    /// model, as sent. Empty otherwise.
    boost::json::object unknown_fields{};

    bool has_bytes() const noexcept { return bytes.has_value(); }

    /// The bytes encoded again as base64, as the API sent them; empty when there are none.
    /// Costs a new buffer 4/3 the image size: prefer `bytes`.
    std::string b64_json() const;

    /// Writes the bytes to `path` atomically: to a temporary file in the same directory, flushed
    /// to disk, then renamed over `path` (an existing file is replaced; readers never see half an
    /// image). The directory must exist. Throws std::filesystem::filesystem_error naming the path;
    /// an image without bytes (a URL result: see `client::download`) is
    /// std::errc::invalid_argument.
    void save(const std::filesystem::path& path) const;
    /// The same, reporting a failure in `ec` instead of throwing.
    void save(const std::filesystem::path& path, std::error_code& ec) const noexcept;

    friend bool operator==(const image&, const image&) = default;
};

/// `ImagesResponse`.
struct images_response {
    std::optional<std::int64_t> created{}; ///< Unix time, seconds; unset when not sent
    std::vector<openai::image> data{};
    std::optional<image_background> background{};
    std::optional<openai::output_format> output_format{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    std::optional<image_usage> usage{}; ///< GPT image models only
    /// With request_options::keep_unknown_fields: the body's members the library does not model
    /// (newer than it), as sent. Empty otherwise, so memory stays what the modelled members take.
    boost::json::object unknown_fields{};
    /// Not part of the body: status, x-request-id, rate limits, attempts of the call.
    response_metadata meta{};

    friend bool operator==(const images_response&, const images_response&) = default;
};

} // namespace openai
