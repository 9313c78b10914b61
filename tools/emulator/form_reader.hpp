// Reads a multipart/form-data body incrementally into a multipart_summary: the server feeds the
// body as it arrives, in pieces of any size, and nothing but the summary is kept.
#pragma once

#include "emulator/upload.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace openai::emulator {

class form_reader {
public:
    explicit form_reader(std::string boundary);
    ~form_reader();
    form_reader(form_reader&&) noexcept;
    form_reader& operator=(form_reader&&) noexcept;

    void feed(std::string_view bytes);
    /// Call at the end of the body; the summary's `error` says what was wrong, if anything.
    multipart_summary finish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace openai::emulator
