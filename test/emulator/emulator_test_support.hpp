// Helpers for the emulator's unit tests: real small images and multipart bodies built by hand.
#pragma once

#include "emulator/image_synth.hpp"
#include "emulator/upload.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace openai::emulator::test {

inline std::string image_bytes(std::uint32_t w, std::uint32_t h, image_format f = image_format::png,
                               bool transparent = false, std::string prompt = "test picture") {
    image_spec spec;
    spec.prompt = std::move(prompt);
    spec.width = w;
    spec.height = h;
    spec.format = f;
    spec.transparent = transparent;
    return synthesize(spec).bytes;
}

struct form_part {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type; // empty: no Content-Type header
    std::string data;
};

inline form_part field(std::string name, std::string value) {
    return {std::move(name), std::nullopt, "", std::move(value)};
}

inline form_part file(std::string name, std::string filename, std::string content_type,
                      std::string data) {
    return {std::move(name), std::move(filename), std::move(content_type), std::move(data)};
}

inline constexpr const char* test_boundary = "----emulator-test-boundary-7MA4YWxkTrZu0gW";

inline std::string multipart_body(const std::vector<form_part>& parts) {
    std::string b = test_boundary;
    std::string body;
    for (const auto& p : parts) {
        body += "--" + b + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
        if (p.filename)
            body += "; filename=\"" + *p.filename + "\"";
        body += "\r\n";
        if (!p.content_type.empty())
            body += "Content-Type: " + p.content_type + "\r\n";
        body += "\r\n" + p.data + "\r\n";
    }
    body += "--" + b + "--\r\n";
    return body;
}

inline std::string multipart_content_type() {
    return std::string("multipart/form-data; boundary=") + test_boundary;
}

/// Feeds the body through the server's form intake in small pieces.
inline received_form read_form(const std::string& body, std::size_t piece = 7) {
    form_intake in;
    in.start(multipart_content_type());
    for (std::size_t i = 0; i < body.size(); i += piece)
        in.feed(std::string_view(body).substr(i, piece));
    return in.finish();
}

inline received_form read_form(const std::vector<form_part>& parts) {
    return read_form(multipart_body(parts));
}

} // namespace openai::emulator::test
