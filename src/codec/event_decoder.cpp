#include "codec/event_decoder.hpp"

namespace openai::codec {

namespace {

// Enough of the data for messages and for recognising "[DONE]".
constexpr std::size_t head_size = 120;

bool only_blanks(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

template <class T>
decode_result<T> failed(json_failure failure) {
    decode_result<T> out;
    out.code = failure.code;
    out.message = std::move(failure.message);
    return out;
}

} // namespace

void event_decoder::on_data(std::string_view piece) {
    if (!json_) {
        json_.emplace();
        if (previous_size_ != 0)
            json_->expect_size(previous_size_, 1);
    }
    if (head_.size() < head_size)
        head_.append(piece.substr(0, head_size - head_.size()));
    if (blank_)
        blank_ = only_blanks(piece);
    size_ += piece.size();
    json_->write(piece); // a failure is kept and reported by finish()
}

std::string event_decoder::excerpt() const {
    if (size_ <= head_.size())
        return head_;
    return head_ + "... (" + std::to_string(size_) + " bytes)";
}

bool event_decoder::finish(json_document& doc, json_failure& failure) {
    if (!json_)
        json_.emplace(); // no data at all: the empty text, which is not JSON
    if (!json_->finish()) {
        failure = json_->failure();
        return false;
    }
    doc = json_->release();
    return true;
}

decode_result<decoded_event> event_decoder::decode_image() {
    previous_size_ = size_;
    json_document doc;
    json_failure failure;
    if (!finish(doc, failure))
        return failed<decoded_event>(std::move(failure));
    return decode_image_event(doc, decode_options{keep_unknown_});
}

decode_result<api_error> event_decoder::decode_error() {
    json_document doc;
    json_failure failure;
    if (!finish(doc, failure))
        return failed<api_error>(std::move(failure));
    return decode_error_event(doc.root);
}

void event_decoder::clear() noexcept {
    json_.reset();
    head_.clear();
    size_ = 0;
    blank_ = true;
}

} // namespace openai::codec
