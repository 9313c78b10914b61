#include "emulator/form_reader.hpp"

namespace openai::emulator {

// SEAM: the incremental multipart parser comes from branch `media`; until it is merged, every
// multipart body is reported as unreadable.
struct form_reader::impl {
    std::string boundary;
    part_collector parts;
};

form_reader::form_reader(std::string boundary)
    : impl_(std::make_unique<impl>()) {
    impl_->boundary = std::move(boundary);
}
form_reader::~form_reader() = default;
form_reader::form_reader(form_reader&&) noexcept = default;
form_reader& form_reader::operator=(form_reader&&) noexcept = default;

void form_reader::feed(std::string_view) {}

multipart_summary form_reader::finish() {
    impl_->parts.fail("multipart parsing is not available in this build yet");
    return std::move(impl_->parts.summary());
}

} // namespace openai::emulator
