/// The requests of the Images API: generate (POST /images/generations), edit (POST /images/edits)
/// and variation (POST /images/variations).
///
/// Members carry the spec's wire names. Optional members left unset are not sent, so the API
/// applies its own defaults. Check a request before sending with `openai::validate`
/// (<openai/validation.hpp>); the JSON encoding is in <openai/json.hpp>.
#pragma once

#include <openai/open_string.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace openai {

/// `CreateImageRequest`: the JSON body of POST /images/generations.
struct generate_request {
    /// Required. At most 1000 characters (dall-e-2), 4000 (dall-e-3) or 32000 (GPT image).
    std::string prompt{};
    /// Unset: the API uses dall-e-2, or a GPT image model when a GPT-only parameter is set.
    std::optional<openai::model> model{};
    std::optional<int> n{}; ///< 1..10; dall-e-3 only 1
    std::optional<image_quality> quality{};
    std::optional<openai::response_format> response_format{}; ///< DALL-E only
    std::optional<openai::output_format> output_format{};     ///< GPT image only
    std::optional<int> output_compression{};                  ///< 0..100, GPT image only
    /// GPT image only. `images::generate_stream` sets it; `images::generate` leaves it alone.
    std::optional<bool> stream{};
    std::optional<int> partial_images{}; ///< 0..3, streaming, GPT image only
    std::optional<image_size> size{};
    std::optional<openai::moderation> moderation{}; ///< GPT image only
    std::optional<image_background> background{};   ///< GPT image only
    std::optional<image_style> style{};             ///< dall-e-3 only
    std::optional<std::string> user{};
};

/// An input image uploaded as a multipart file part (edits and variations).
///
/// Either a path, read when the request is sent (and re-read if it is retried), or bytes in
/// memory, shared between copies of the request so that copying it and replaying its body are
/// cheap. The content type is sniffed from the magic bytes (PNG, JPEG, WebP) unless set with
/// `with_content_type`. Only the file name (never the directory) is sent.
class image_file {
public:
    /// An empty image (neither path nor bytes); validation rejects it.
    image_file() = default;

    /// An image read from `path` when the request is sent. No I/O happens here.
    static image_file from_path(std::filesystem::path path) {
        image_file f;
        f.filename_ = path.filename().string();
        f.path_ = std::move(path);
        return f;
    }

    /// An image held in memory, sent under `filename`.
    static image_file from_bytes(std::string bytes, std::string filename = "image.png") {
        image_file f;
        f.bytes_ = std::make_shared<const std::string>(std::move(bytes));
        f.filename_ = std::move(filename);
        return f;
    }

    /// Sends `content_type` (e.g. "image/png") instead of sniffing the bytes.
    image_file& with_content_type(std::string content_type) & {
        content_type_ = std::move(content_type);
        return *this;
    }
    image_file&& with_content_type(std::string content_type) && {
        content_type_ = std::move(content_type);
        return std::move(*this);
    }

    /// Sends `filename` as the part's file name instead of the path's.
    image_file& with_filename(std::string filename) & {
        filename_ = std::move(filename);
        return *this;
    }
    image_file&& with_filename(std::string filename) && {
        filename_ = std::move(filename);
        return std::move(*this);
    }

    bool empty() const noexcept { return bytes_ == nullptr && path_.empty(); }
    bool is_path() const noexcept { return bytes_ == nullptr && !path_.empty(); }
    bool is_memory() const noexcept { return bytes_ != nullptr; }

    /// The path (empty for an in-memory image).
    const std::filesystem::path& path() const noexcept { return path_; }
    /// The bytes (null for a path image). Shared by every copy of this `image_file`.
    const std::shared_ptr<const std::string>& bytes() const noexcept { return bytes_; }
    /// The file name sent in the multipart part.
    const std::string& filename() const noexcept { return filename_; }
    /// The explicit content type, if one was set.
    const std::optional<std::string>& content_type() const noexcept { return content_type_; }

private:
    std::filesystem::path path_;
    std::shared_ptr<const std::string> bytes_;
    std::string filename_{};
    std::optional<std::string> content_type_{};
};

/// `ImageRefParam`: an input image of a JSON edit body, by URL (or data URL) or by File API id.
class image_reference {
public:
    enum class kind { image_url, file_id };

    /// A fully qualified URL or a base64 data URL ("data:image/png;base64,...").
    static image_reference url(std::string image_url) {
        return image_reference(kind::image_url, std::move(image_url));
    }
    /// The id of a file uploaded through the Files API ("file-abc123").
    static image_reference file(std::string file_id) {
        return image_reference(kind::file_id, std::move(file_id));
    }

    kind which() const noexcept { return kind_; }
    bool is_url() const noexcept { return kind_ == kind::image_url; }
    bool is_file_id() const noexcept { return kind_ == kind::file_id; }
    /// The URL or the file id.
    const std::string& value() const noexcept { return value_; }

    friend bool operator==(const image_reference&, const image_reference&) = default;

private:
    image_reference(kind k, std::string v)
        : kind_(k)
        , value_(std::move(v)) {}

    kind kind_;
    std::string value_{};
};

/// An edit input: an uploaded file (multipart body) or a reference (JSON body).
using edit_image = std::variant<image_file, image_reference>;

/// `CreateImageEditRequest` (multipart) and `EditImageBodyJsonParam` (JSON) in one type.
///
/// When every input (images and mask) is an `image_file` the request is sent as
/// multipart/form-data with `image[]` parts in order; when every input is an `image_reference`
/// it is sent as a JSON body with `images` and `mask`. Mixing the two is a validation error.
struct edit_request {
    std::vector<edit_image> images{};     ///< 1..16 (dall-e-2: exactly 1)
    std::optional<edit_image> mask{};     ///< applies to the first image
    std::string prompt{};                 ///< required
    std::optional<openai::model> model{}; ///< unset: the API's default (gpt-image-1.5)
    std::optional<int> n{};
    std::optional<image_size> size{};
    std::optional<image_quality> quality{};
    /// dall-e-2 only, multipart only (the JSON body has none).
    std::optional<openai::response_format> response_format{};
    std::optional<openai::output_format> output_format{};   ///< GPT image only
    std::optional<int> output_compression{};                ///< 0..100, GPT image only
    std::optional<image_background> background{};           ///< GPT image only
    std::optional<openai::input_fidelity> input_fidelity{}; ///< GPT image only, not -mini
    /// GPT image only, and JSON body only (image references): the multipart edit endpoint has
    /// no such parameter, so validation refuses it on an edit with uploaded files.
    std::optional<openai::moderation> moderation{};
    std::optional<bool> stream{};
    std::optional<int> partial_images{}; ///< 0..3
    std::optional<std::string> user{};

    /// True when the request goes as a JSON body: it has at least one input and every input
    /// (images and mask) is an `image_reference`.
    bool uses_json_body() const noexcept {
        bool any = false;
        for (const auto& im : images) {
            if (!std::holds_alternative<image_reference>(im))
                return false;
            any = true;
        }
        if (mask) {
            if (!std::holds_alternative<image_reference>(*mask))
                return false;
            any = true;
        }
        return any;
    }
};

/// `CreateImageVariationRequest`: the multipart body of POST /images/variations (dall-e-2).
///
/// Legacy: variations exist only for DALL-E 2, which the API retired on 2026-05-12. The type
/// and `images::create_variation` stay for servers that still serve it; with the API, an edit
/// (`edit_request` with the image and a prompt such as "a variation of this image", on a GPT
/// image model) replaces it.
struct variation_request {
    image_file image{}; ///< required: a square PNG under 4 MB
    std::optional<openai::model> model{};
    std::optional<int> n{};
    std::optional<openai::response_format> response_format{};
    std::optional<image_size> size{};
    std::optional<std::string> user{};
};

} // namespace openai
