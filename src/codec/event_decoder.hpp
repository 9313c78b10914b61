// Decodes one server-sent event's data while it arrives (an sse::data_sink): the JSON is parsed
// and the base64 image decoded piece by piece, so a stream holds an event's image but never its
// text. Each image buffer is reserved from the size of the stream's previous event (partial and
// final images are alike), so it does not grow by copies.
#pragma once

#include "codec/json_document.hpp"

#include <openai/json.hpp>
#include <openai/sse.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openai::codec {

class event_decoder final : public sse::data_sink {
public:
    void on_data(std::string_view piece) override;

    // What the checks before decoding need of the block's data.
    std::uint64_t size() const noexcept { return size_; }
    bool blank() const noexcept { return blank_; } // only spaces, tabs, CR and LF, or nothing
    bool is_done_marker() const noexcept { return size_ == 6 && head_ == "[DONE]"; }
    // The start of the data, for messages: "..." and the size when there is more.
    std::string excerpt() const;

    // Keep the members of image events the library does not model (keep_unknown_fields).
    void keep_unknown_fields(bool on) noexcept { keep_unknown_ = on; }

    // Ends the block and decodes it as an image event, or as an error event.
    decode_result<decoded_event> decode_image();
    decode_result<api_error> decode_error();

    // Forgets the block (decoded or not); the next piece starts a new one.
    void clear() noexcept;

private:
    // Finishes the JSON text; false (and `failure`) when it is not a JSON document.
    bool finish(json_document& doc, json_failure& failure);

    std::optional<json_document_parser> json_;
    std::string head_; // the first bytes of the data
    std::uint64_t size_ = 0;
    std::uint64_t previous_size_ = 0; // the last decoded event's data size
    bool blank_ = true;
    bool keep_unknown_ = false;
};

} // namespace openai::codec
