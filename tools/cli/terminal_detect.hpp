// Which way to show images, decided from the --preview option, whether output goes to a terminal
// and the terminal's identity in the environment. Pure: the environment comes in as a map and the
// two things only the terminal can tell (Sixel support, tmux pass-through) as callbacks, asked
// only when nothing else decides.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace openai::cli::preview {

enum class protocol { none, kitty, iterm2, sixel, blocks_truecolor, blocks_256 };

// --preview: auto (default), on (even where auto would not), off, blocks (always half blocks),
// and, to force one protocol, kitty, iterm2, sixel.
enum class preview_mode { automatic, on, off, blocks, kitty, iterm2, sixel };

// Throws usage_error for other words.
preview_mode parse_preview_mode(const std::string& text);

const char* protocol_name(protocol p);

struct detection {
    protocol chosen = protocol::none;
    bool tmux_passthrough = false; // wrap the sequences for tmux (inside tmux, allowed)
    std::string reason;            // why: for --preview diagnostics and tests
};

struct detect_input {
    preview_mode mode = preview_mode::automatic;
    std::map<std::string, std::string> env; // the process environment
    bool output_is_terminal = false;        // stdout is a terminal
    bool json = false;                      // --json: never any graphics
    // Asked only when the terminal's identity leaves Sixel support open (xterm and the like):
    // the terminal's answer to the primary device-attributes query (ESC [ c), with a short timeout.
    std::function<bool()> query_sixel;
    // Asked only inside tmux: whether tmux forwards pass-through sequences (allow-passthrough).
    std::function<bool()> tmux_allows_passthrough;
};

detection detect(const detect_input& in);

} // namespace openai::cli::preview
