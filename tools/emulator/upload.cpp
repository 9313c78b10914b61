#include "emulator/upload.hpp"

namespace openai::emulator {

// Forwards to the form collector and notes, per part, whether it became a file or a field.
class form_intake::ordered_sink final : public multipart_sink {
public:
    ordered_sink(received_form& form, form_limits limits)
        : form_(form)
        , collector_(limits) {}

    void on_part_begin(const multipart_part& part) override {
        std::size_t files = collector_.form().files.size();
        std::size_t fields = collector_.form().fields.size();
        collector_.on_part_begin(part);
        if (collector_.form().files.size() > files)
            form_.order.push_back({true, files});
        else if (collector_.form().fields.size() > fields)
            form_.order.push_back({false, fields});
    }
    void on_part_data(std::string_view bytes) override { collector_.on_part_data(bytes); }
    void on_part_end() override { collector_.on_part_end(); }

    form_data take() { return std::move(collector_.form()); }

private:
    received_form& form_;
    form_collector collector_;
};

form_intake::form_intake(form_limits limits)
    : sink_(std::make_unique<ordered_sink>(form_, limits)) {}

form_intake::~form_intake() = default;

void form_intake::start(std::string_view content_type) {
    std::string error;
    auto boundary = parse_multipart_boundary(content_type, error);
    if (!boundary) {
        form_.error = error;
        return;
    }
    parser_.emplace(std::move(*boundary), *sink_);
}

void form_intake::feed(std::string_view bytes) {
    if (!parser_ || !form_.error.empty())
        return;
    if (!parser_->feed(bytes))
        form_.error = parser_->error();
}

received_form form_intake::finish() {
    if (parser_ && form_.error.empty() && !parser_->finish())
        form_.error = parser_->error();
    if (!parser_ && form_.error.empty())
        form_.error = "no multipart body";
    received_form out;
    out.order = std::move(form_.order);
    out.error = std::move(form_.error);
    out.data = sink_->take();
    return out;
}

} // namespace openai::emulator
