// What only the terminal itself can tell: its size (TIOCGWINSZ, with the cell size in pixels when
// the terminal fills it in), whether it draws Sixel (its answer to the primary device-attributes
// query), and whether the tmux around it forwards pass-through sequences.
#pragma once

#include "preview_protocols.hpp"

#include <chrono>
#include <string_view>

namespace openai::cli::preview {

// The size of the terminal on `fd`; COLUMNS and LINES, then 80x24, where it has none.
terminal_geometry query_geometry(int fd);

// Sends ESC [ c to the controlling terminal and reads the answer (ESC [ ? 6x ; ... c) for at most
// `timeout`; true when attribute 4 (Sixel graphics) is listed. False without a terminal.
bool query_sixel_support(std::chrono::milliseconds timeout = std::chrono::milliseconds{150});

// Parses a device-attributes answer: does it list attribute 4?
bool device_attributes_say_sixel(std::string_view answer);

// `tmux show-options -gv allow-passthrough` says on or all.
bool tmux_allows_passthrough();

} // namespace openai::cli::preview
