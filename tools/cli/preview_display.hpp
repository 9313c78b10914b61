// Inline previews for generate, edit, variation and preview: decides once per command how to draw
// (terminal_detect) and at what size (terminal_query), then draws each image on stdout after its
// "wrote" line. Partial images of a stream are replaceable: the next image takes their place where
// the protocol allows it (cursor up and erase; kitty also deletes the image), else they stay one
// under the other (Sixel). A preview that cannot be made is a note on stderr, never a failure.
#pragma once

#include "arguments.hpp"
#include "preview_protocols.hpp"
#include "terminal_detect.hpp"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace openai::cli::preview {

// Adds --preview MODE to a command's spec.
void add_preview_options(option_spec& spec);

// The help lines of --preview.
extern const char* const preview_help;

class display {
public:
    // Nothing is shown.
    display() = default;
    display(detection how, terminal_geometry geometry, std::ostream& out);

    // --preview (default auto) with this process's environment and stdout. Throws usage_error for
    // an unknown mode. `json`: --json output, never graphics.
    static display from_arguments(const parsed_arguments& args, bool json);

    bool active() const noexcept { return how_.chosen != protocol::none && out_ != nullptr; }
    const detection& how() const noexcept { return how_; }

    // Before the next text line: takes a replaceable preview off the screen.
    void erase_replaceable();

    // Draws `bytes` (a PNG, JPEG or WebP). Never throws.
    void show(std::string_view bytes, bool replaceable = false);

    // What show() writes for `bytes` (no erasing) and the rows the picture takes: throws
    // preview_error.
    struct rendering {
        std::string text;
        int rows = 0;
    };
    rendering render(std::string_view bytes, std::uint32_t kitty_id = 1) const;

private:
    detection how_;
    terminal_geometry geometry_;
    std::ostream* out_ = nullptr;
    int shown_rows_ = 0;               // rows of the replaceable preview on screen, 0: none
    std::uint32_t shown_kitty_id_ = 0; // its kitty image id
    std::uint32_t next_kitty_id_ = 1;
};

} // namespace openai::cli::preview
