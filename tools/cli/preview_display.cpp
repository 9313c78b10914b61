#include "preview_display.hpp"

#include "terminal_query.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <ostream>

#include <unistd.h>

extern char** environ;

namespace openai::cli::preview {

const char* const preview_help =
    R"(preview (images shown in the terminal after they are written):
  --preview MODE             auto (default: on a terminal, not with --json, TERM=dumb or CI),
                             on (also where auto would not), off, blocks (Unicode half blocks),
                             or a protocol: kitty, iterm2, sixel
)";

void add_preview_options(option_spec& spec) {
    spec.valued.insert("preview");
}

display::display(detection how, terminal_geometry geometry, std::ostream& out)
    : how_(std::move(how))
    , geometry_(geometry)
    , out_(&out) {
    // Kitty image ids of this process: distinct from another process's in the same window.
    next_kitty_id_ = ((static_cast<std::uint32_t>(::getpid()) & 0xfffffu) << 10) + 1;
}

display display::from_arguments(const parsed_arguments& args, bool json) {
    detect_input in;
    in.mode = parse_preview_mode(args.value("preview").value_or("auto"));
    in.json = json;
    if (in.mode == preview_mode::off || json)
        return {};
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        if (auto eq = entry.find('='); eq != std::string::npos)
            in.env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    in.output_is_terminal = ::isatty(STDOUT_FILENO) == 1;
    in.query_sixel = [&] { return in.output_is_terminal && query_sixel_support(); };
    in.tmux_allows_passthrough = [] { return tmux_allows_passthrough(); };
    auto how = detect(in);
    if (how.chosen == protocol::none)
        return {};
    return display(std::move(how), query_geometry(STDOUT_FILENO), std::cout);
}

display::rendering display::render(std::string_view bytes, std::uint32_t kitty_id) const {
    const auto pixels = decode_image(bytes);
    const auto where = fit(pixels.width, pixels.height, geometry_);
    std::string out;
    switch (how_.chosen) {
    case protocol::kitty:
        out = kitty_image(bytes, pixels, where, kitty_id);
        break;
    case protocol::iterm2:
        out = iterm2_image(bytes, pixels, where);
        break;
    case protocol::sixel:
        out = sixel_image(pixels, where);
        break;
    case protocol::blocks_truecolor:
    case protocol::blocks_256:
        return {blocks_image(pixels, where, how_.chosen == protocol::blocks_truecolor), where.rows};
    case protocol::none:
        return {};
    }
    if (how_.tmux_passthrough) {
        // Each escape sequence wrapped alone (kitty sends one per chunk); the newline stays out.
        std::string wrapped;
        std::size_t at = 0;
        while (at < out.size()) {
            if (out[at] != '\x1b') {
                wrapped += out[at++];
                continue;
            }
            // A sequence ends with ST (ESC \) or BEL.
            std::size_t end = at + 1;
            while (end < out.size() && out[end] != '\a' &&
                   !(out[end] == '\x1b' && end + 1 < out.size() && out[end + 1] == '\\'))
                ++end;
            end = end < out.size() && out[end] == '\a' ? end + 1 : std::min(end + 2, out.size());
            wrapped += tmux_passthrough(std::string_view(out).substr(at, end - at));
            at = end;
        }
        // Room for the picture: tmux does not know it is there.
        wrapped += std::string(static_cast<std::size_t>(where.rows > 1 ? where.rows - 1 : 0), '\n');
        out = std::move(wrapped);
    }
    return {std::move(out), where.rows};
}

void display::erase_replaceable() {
    if (!active() || shown_rows_ == 0)
        return;
    std::string seq;
    if (how_.chosen == protocol::kitty) {
        seq = delete_kitty_image(shown_kitty_id_);
        if (how_.tmux_passthrough)
            seq = tmux_passthrough(seq);
    }
    // Up to the first row of the picture, then erase to the end of the screen.
    seq += "\x1b[" + std::to_string(shown_rows_) + "F\x1b[J";
    *out_ << seq << std::flush;
    shown_rows_ = 0;
}

void display::show(std::string_view bytes, bool replaceable) {
    if (!active())
        return;
    try {
        const auto id = next_kitty_id_++;
        const auto r = render(bytes, id);
        *out_ << r.text << std::flush;
        // Sixel leaves the cursor where each terminal sees fit: those stay one under the other.
        if (replaceable && how_.chosen != protocol::sixel) {
            shown_rows_ = r.rows;
            shown_kitty_id_ = id;
        } else {
            shown_rows_ = 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "(no preview: " << e.what() << ")\n" << std::flush;
    }
}

} // namespace openai::cli::preview
