// The terminal image protocols a preview speaks, as pure functions from pixels or file bytes to the
// bytes written to the terminal (escape sequences included), and the sizing they share:
//
//   kitty   Kitty graphics protocol: APC `ESC _ G keys ; base64 ESC \`, in chunks of 4096
//           base64 characters; a PNG is sent as it is, other formats re-encoded as PNG; the
//           terminal scales the picture to the cell box given with c= and r=.
//   iterm2  iTerm2 inline images: OSC `ESC ] 1337 ; File=inline=1;... : base64 BEL`; PNG and JPEG
//           as they are, WebP re-encoded as PNG; the cell box given as width= and height=.
//   sixel   DEC Sixel: DCS `ESC P 0;1;0 q "1;1;W;H`, up to 256 colour registers (median cut),
//           bands of six pixel rows, `ESC \`.
//   blocks  Unicode upper half blocks (U+2580), foreground the upper pixel, background the lower,
//           in 24-bit colour or the 256-colour palette.
//
// Each picture ends with a newline: the cursor is left at the start of the line below it.
#pragma once

#include "preview_image.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace openai::cli::preview {

// The terminal: its size in cells, and a cell's size in pixels when the terminal reports it (0:
// unknown; 8x16 is assumed then).
struct terminal_geometry {
    int columns = 80;
    int rows = 24;
    int cell_width = 0;
    int cell_height = 0;
};

// Where a picture goes: `columns` x `rows` cells, the picture itself `pixel_width` x
// `pixel_height` (the cell box at the cell size, aspect kept).
struct placement {
    int columns = 1;
    int rows = 1;
    std::uint32_t pixel_width = 1;
    std::uint32_t pixel_height = 1;
};

// The largest box for an image of `width` x `height` that keeps its aspect, is no wider than the
// window, leaves `reserved_rows` rows of the window free (so that a preview can be redrawn in
// place) and does not enlarge the picture beyond its own pixels.
placement fit(std::uint32_t width, std::uint32_t height, const terminal_geometry& terminal,
              int reserved_rows = 3);

// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);

// Kitty: `file` is the image as saved (sent unchanged when it is a PNG of at most
// `max_png_bytes`); otherwise `pixels` scaled to the placement and re-encoded as PNG. `id`
// numbers the image (a later delete_kitty_image(id) removes it). q=2: the terminal sends no reply.
std::string kitty_image(std::string_view file, const rgba_image& pixels, const placement& where,
                        std::uint32_t id, std::size_t max_png_bytes = std::size_t{32} << 20);
std::string delete_kitty_image(std::uint32_t id);

// iTerm2: PNG and JPEG files sent unchanged (up to `max_bytes`), else a PNG of `pixels` at the
// placement's size.
std::string iterm2_image(std::string_view file, const rgba_image& pixels, const placement& where,
                         std::size_t max_bytes = std::size_t{16} << 20);

// Sixel: `pixels` scaled to the placement's pixel size, flattened on black, quantised to at most
// `max_colors` (2..256) registers.
std::string sixel_image(const rgba_image& pixels, const placement& where, int max_colors = 256);

// Half blocks: `pixels` scaled to placement.columns x (2 * placement.rows), flattened on black.
std::string blocks_image(const rgba_image& pixels, const placement& where, bool truecolor);

// The xterm 256-colour index nearest to `c` (the 6x6x6 cube 16..231 or the greys 232..255).
int xterm256_index(rgb c);
rgb xterm256_color(int index);

// Inside tmux: the sequence wrapped for pass-through (`ESC P tmux; ... ESC \`, every ESC of it
// doubled), which tmux forwards to the outer terminal when allow-passthrough is on.
std::string tmux_passthrough(std::string_view sequence);

} // namespace openai::cli::preview
