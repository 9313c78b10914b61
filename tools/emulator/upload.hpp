// A multipart/form-data request body as the emulator keeps it: the form collector's summary
// (text fields whole; per file only size, SHA-256, first bytes and image header), plus the order
// in which fields and files came, so that the request log shows the parts exactly as sent.
#pragma once

#include "emulator/multipart_form.hpp"
#include "emulator/multipart_parser.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

struct received_form {
    form_data data;
    /// Every part in body order: a file (index into data.files) or a field (into data.fields).
    struct part_ref {
        bool file = false;
        std::size_t index = 0;
    };
    std::vector<part_ref> order;
    /// Set when the body is not well-formed multipart (the message says why).
    std::string error;
};

/// Reads a multipart body incrementally: start() with the Content-Type, feed() the body in
/// pieces of any size, finish() at its end. Never throws for bad input: the first problem lands
/// in the result's `error`, and later pieces are ignored.
class form_intake {
public:
    explicit form_intake(form_limits limits = {});
    ~form_intake();
    form_intake(const form_intake&) = delete;
    form_intake& operator=(const form_intake&) = delete;

    void start(std::string_view content_type);
    void feed(std::string_view bytes);
    /// Ends the body and hands over what was read.
    received_form finish();

private:
    class ordered_sink;
    received_form form_;
    std::unique_ptr<ordered_sink> sink_;
    std::optional<multipart_parser> parser_;
};

} // namespace openai::emulator
