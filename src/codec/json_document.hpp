// Parsing JSON text into a DOM, except for the image payloads: the `b64_json` strings at the top
// level (stream events) and in `data[i]` (ImagesResponse) are base64-decoded while they are
// parsed and kept as bytes beside the DOM, which holds an empty string in their place. The base64
// text is never stored, so peak memory is the decoded size plus the piece being parsed.
#pragma once

#include <openai/json.hpp>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace openai::codec {

/// A decoding failure: the code (openai::errc) and a message naming the JSON path.
struct json_failure {
    boost::system::error_code code;
    std::string message;
};

/// Where a decoded `b64_json` was: `top_level_blob` for the document's own member, i for
/// `data[i].b64_json`.
inline constexpr std::int64_t top_level_blob = -1;

/// A captured `b64_json`: its bytes, or why it is not base64. The error is raised only by a
/// decoder that uses the member, so an unknown event type with odd text in it is still skipped.
struct json_blob {
    std::string bytes;
    std::string error; ///< e.g. "invalid base64: invalid character at offset 3"; empty if fine
};

struct json_document {
    boost::json::value root;
    std::map<std::int64_t, json_blob> blobs; ///< captured b64_json, by position
};

/// Takes captured images' bytes as they are decoded (json_document_parser::stream_blobs).
class json_blob_sink {
public:
    /// A captured string starts: `index` as json_document::blobs would key it.
    virtual void on_blob_begin(std::int64_t index) = 0;
    /// The next decoded bytes of that string.
    virtual void on_blob_data(std::string_view bytes) = 0;
    /// The string ended; `ok` false when it is not base64 (the blob's error says why). A string
    /// the text breaks off inside never ends.
    virtual void on_blob_end(bool ok) = 0;

protected:
    ~json_blob_sink() = default;
};

/// Incremental parser of one JSON document (pieces may split the text anywhere).
class json_document_parser {
public:
    json_document_parser();
    ~json_document_parser();
    json_document_parser(json_document_parser&&) noexcept;
    json_document_parser& operator=(json_document_parser&&) noexcept;

    /// The length of the whole text, when known, and how many `data[i].b64_json` images it
    /// should hold: image buffers are reserved from them.
    void expect_size(std::uint64_t bytes, unsigned images) noexcept;

    /// Before the first write(): capture the images of the object at `keys` (e.g. {"response",
    /// "body"} for a Batch API output line) instead of the document's own `b64_json` and
    /// `data[i].b64_json`. Each key must name an object member, not an array element.
    void capture_under(std::vector<std::string> keys);

    /// Before the first write(): hand captured images' bytes to `sink` as they are decoded
    /// instead of keeping them (their blobs then hold no bytes, only the error if any), so that
    /// memory does not grow with an image. Null: keep them. The sink must not throw.
    void stream_blobs(json_blob_sink* sink) noexcept;

    /// Before the first write(): the most the DOM may take, roughly in bytes (each key, string
    /// and other value counts its text plus 32; captured images count 32), 0 for no limit. Over
    /// it, write() or finish() fails with errc::body_too_large. Only completed keys and values
    /// count, so where text is split does not change the verdict.
    void limit_dom(std::uint64_t bytes) noexcept;

    /// Feeds a piece. Returns false on error (see failure()); further calls keep failing.
    bool write(std::string_view piece);

    /// Ends the text. Returns false when the document is incomplete or bad.
    bool finish();

    /// The error after write() or finish() returned false.
    const json_failure& failure() const noexcept;

    /// The document after finish() returned true.
    json_document release();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Parses a whole text; on error returns false and fills `failure`.
bool parse_json_document(std::string_view text, json_document& out, json_failure& failure);

/// decode_image_event() of <openai/json.hpp> on a document parsed already (its captured image
/// bytes are moved into the event).
decode_result<decoded_event> decode_image_event(json_document& doc,
                                                const decode_options& options = {});

/// decode_images_response() of <openai/json.hpp> on `body`, a value inside a document parsed
/// already with capture_under() naming it: the captured image bytes are moved out of `blobs`.
/// Paths in messages are relative to `body`.
decode_result<images_response> decode_images_response(const boost::json::value& body,
                                                      std::map<std::int64_t, json_blob>& blobs,
                                                      const decode_options& options = {});

} // namespace openai::codec
