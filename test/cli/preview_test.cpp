// The preview protocols parsed back: Kitty and iTerm2 payloads base64-decode to the saved bytes
// (or a PNG re-encoded at the preview size), Sixel streams are well formed with the right raster
// size, half blocks carry the picture's colours; sizing, terminal detection, decoding bounds.
#include "emulator/image_synth.hpp"
#include "preview_display.hpp"
#include "preview_image.hpp"
#include "preview_protocols.hpp"
#include "terminal_detect.hpp"
#include "terminal_query.hpp"

#include <openai/image_format.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace pv = openai::cli::preview;
namespace emu = openai::emulator;

namespace {

std::string picture(emu::image_format format, std::uint32_t w, std::uint32_t h,
                    const std::string& prompt = "a test picture") {
    emu::image_spec spec;
    spec.prompt = prompt;
    spec.width = w;
    spec.height = h;
    spec.format = format;
    return emu::synthesize(spec).bytes;
}

std::string base64_decode(std::string_view in) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else if (c == '=')
            break;
        else
            throw std::runtime_error("not base64: " + std::string(1, c));
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::map<std::string, std::string> keys_of(std::string_view control) {
    std::map<std::string, std::string> keys;
    std::size_t at = 0;
    while (at < control.size()) {
        auto comma = control.find(',', at);
        if (comma == std::string_view::npos)
            comma = control.size();
        const auto kv = control.substr(at, comma - at);
        const auto eq = kv.find('=');
        BOOST_TEST_REQUIRE(eq != std::string_view::npos, "key without value: " << kv);
        keys[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
        at = comma + 1;
    }
    return keys;
}

// Every APC G command of a Kitty stream: its keys and payload. Nothing may lie between them but
// the final newline.
struct kitty_command {
    std::map<std::string, std::string> keys;
    std::string payload;
};

std::vector<kitty_command> parse_kitty(std::string_view s) {
    std::vector<kitty_command> out;
    std::size_t at = 0;
    while (at < s.size()) {
        if (s.substr(at) == "\n")
            break;
        BOOST_TEST_REQUIRE((s.substr(at, 3) == "\x1b_G"), "expected APC G at " << at);
        const auto end = s.find("\x1b\\", at);
        BOOST_TEST_REQUIRE(end != std::string_view::npos, "APC without ST");
        const auto body = s.substr(at + 3, end - at - 3);
        const auto semi = body.find(';');
        kitty_command c;
        c.keys = keys_of(body.substr(0, semi));
        if (semi != std::string_view::npos)
            c.payload = std::string(body.substr(semi + 1));
        out.push_back(std::move(c));
        at = end + 2;
    }
    return out;
}

std::string kitty_payload(const std::vector<kitty_command>& commands) {
    std::string data;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        BOOST_TEST(commands[i].payload.size() <= 4096u);
        BOOST_TEST(commands[i].keys.at("m") == (i + 1 == commands.size() ? "0" : "1"));
        if (i + 1 < commands.size())
            BOOST_TEST(commands[i].payload.size() % 4 == 0); // chunks of whole base64 quads
        data += commands[i].payload;
    }
    return base64_decode(data);
}

struct sixel_parse {
    int declared_width = 0, declared_height = 0; // raster attributes
    int width = 0, height = 0;                   // what the data draws
    std::set<int> registers;
    bool terminated = false;
};

// A strict reading of the Sixel stream made by sixel_image().
sixel_parse parse_sixel(std::string_view s) {
    sixel_parse p;
    BOOST_TEST_REQUIRE((s.substr(0, 2) == "\x1bP"), "no DCS");
    auto q = s.find('q');
    BOOST_TEST_REQUIRE(q != std::string_view::npos);
    std::size_t at = q + 1;
    const auto number = [&] {
        int v = 0;
        bool any = false;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
            v = v * 10 + (s[at++] - '0');
            any = true;
        }
        BOOST_TEST_REQUIRE(any, "number expected at " << at);
        return v;
    };
    BOOST_TEST_REQUIRE(s[at] == '"');
    ++at;
    BOOST_TEST(number() == 1);
    BOOST_TEST_REQUIRE(s[at++] == ';');
    BOOST_TEST(number() == 1);
    BOOST_TEST_REQUIRE(s[at++] == ';');
    p.declared_width = number();
    BOOST_TEST_REQUIRE(s[at++] == ';');
    p.declared_height = number();
    int x = 0, band = 0, band_max_bit = -1;
    while (at < s.size()) {
        const char c = s[at];
        if (c == '\x1b') {
            BOOST_TEST_REQUIRE(s[at + 1] == '\\');
            p.terminated = true;
            at += 2;
            break;
        }
        if (c == '#') {
            ++at;
            const int reg = number();
            BOOST_TEST(reg < 256);
            if (at < s.size() && s[at] == ';') {
                ++at;
                BOOST_TEST(number() == 2); // RGB
                for (int k = 0; k < 3; ++k) {
                    BOOST_TEST_REQUIRE(s[at++] == ';');
                    BOOST_TEST(number() <= 100);
                }
                p.registers.insert(reg);
            } else {
                BOOST_TEST(p.registers.count(reg) == 1u, "colour " << reg << " used undefined");
            }
            continue;
        }
        if (c == '$') {
            x = 0;
            ++at;
            continue;
        }
        if (c == '-') {
            x = 0;
            ++band;
            ++at;
            continue;
        }
        int repeat = 1;
        if (c == '!') {
            ++at;
            repeat = number();
        }
        const char six = s[at++];
        BOOST_TEST_REQUIRE((six >= '?' && six <= '~'), "not a sixel: " << int(six));
        const int bits = six - '?';
        x += repeat;
        p.width = std::max(p.width, x);
        if (bits != 0) {
            int top = 5;
            while (!(bits & (1 << top)))
                --top;
            if (band * 6 + top > band_max_bit)
                band_max_bit = band * 6 + top;
        }
    }
    p.height = band_max_bit + 1;
    BOOST_TEST((s.substr(at) == "\n"));
    return p;
}

// The cells of a half-block picture: per line, per cell, (foreground, background).
using cell = std::pair<pv::rgb, pv::rgb>;
std::vector<std::vector<cell>> parse_blocks(std::string_view s, bool truecolor) {
    std::vector<std::vector<cell>> lines(1);
    pv::rgb fg, bg;
    std::size_t at = 0;
    while (at < s.size()) {
        if (s.substr(at, 2) == "\x1b[") {
            const auto m = s.find('m', at);
            BOOST_TEST_REQUIRE(m != std::string_view::npos);
            std::vector<int> params;
            std::stringstream in(std::string(s.substr(at + 2, m - at - 2)));
            std::string item;
            while (std::getline(in, item, ';'))
                params.push_back(std::stoi(item));
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (params[i] == 38 || params[i] == 48) {
                    const bool foreground = params[i] == 38;
                    pv::rgb c;
                    if (params.at(i + 1) == 2) {
                        BOOST_TEST(truecolor);
                        c = {static_cast<std::uint8_t>(params.at(i + 2)),
                             static_cast<std::uint8_t>(params.at(i + 3)),
                             static_cast<std::uint8_t>(params.at(i + 4))};
                        i += 4;
                    } else {
                        BOOST_TEST_REQUIRE(params.at(i + 1) == 5);
                        BOOST_TEST(!truecolor);
                        c = pv::xterm256_color(params.at(i + 2));
                        i += 2;
                    }
                    (foreground ? fg : bg) = c;
                } else {
                    BOOST_TEST(params[i] == 0);
                }
            }
            at = m + 1;
            continue;
        }
        if (s[at] == '\n') {
            lines.emplace_back();
            ++at;
            continue;
        }
        BOOST_TEST_REQUIRE((s.substr(at, 3) == "\u2580"), "unexpected byte at " << at);
        lines.back().push_back({fg, bg});
        at += 3;
    }
    BOOST_TEST(lines.back().empty()); // ended by a newline
    lines.pop_back();
    return lines;
}

pv::rgba_image checker() {
    // Left half red, right half blue; top half opaque, bottom transparent-green over black.
    pv::rgba_image img;
    img.width = 64;
    img.height = 32;
    img.pixels.resize(64 * 32 * 4);
    for (std::uint32_t y = 0; y < 32; ++y)
        for (std::uint32_t x = 0; x < 64; ++x) {
            auto* p = img.at(x, y);
            p[0] = x < 32 ? 220 : 10;
            p[1] = y < 16 ? 30 : 200;
            p[2] = x < 32 ? 20 : 230;
            p[3] = 255;
        }
    return img;
}

} // namespace

BOOST_AUTO_TEST_SUITE(preview_protocols)

BOOST_AUTO_TEST_CASE(kitty_sends_a_png_as_is_in_chunks) {
    const auto png = picture(emu::image_format::png, 640, 480);
    const auto pixels = pv::decode_image(png);
    const auto where = pv::fit(pixels.width, pixels.height, {100, 40, 10, 20});
    const auto out = pv::kitty_image(png, pixels, where, 77);
    const auto commands = parse_kitty(out);
    BOOST_TEST_REQUIRE(commands.size() > 1u);
    const auto& first = commands.front().keys;
    BOOST_TEST(first.at("a") == "T");
    BOOST_TEST(first.at("f") == "100");
    BOOST_TEST(first.at("q") == "2");
    BOOST_TEST(first.at("i") == "77");
    BOOST_TEST(first.at("c") == std::to_string(where.columns));
    BOOST_TEST(first.at("r") == std::to_string(where.rows));
    for (std::size_t i = 1; i < commands.size(); ++i)
        BOOST_TEST(commands[i].keys.size() == 1u); // only m= after the first
    BOOST_TEST((kitty_payload(commands) == png));
    BOOST_TEST(pv::delete_kitty_image(77) == "\x1b_Ga=d,d=I,q=2,i=77\x1b\\");
}

BOOST_AUTO_TEST_CASE(kitty_re_encodes_jpeg_and_webp_at_the_preview_size) {
    for (auto format : {emu::image_format::jpeg, emu::image_format::webp}) {
        const auto file = picture(format, 800, 400);
        const auto pixels = pv::decode_image(file);
        const auto where = pv::fit(pixels.width, pixels.height, {60, 30, 0, 0});
        const auto payload = kitty_payload(parse_kitty(pv::kitty_image(file, pixels, where, 1)));
        BOOST_TEST_REQUIRE((openai::detect_image_format(payload) == openai::image_format::png));
        const auto back = pv::decode_image(payload);
        BOOST_TEST(back.width == where.pixel_width);
        BOOST_TEST(back.height == where.pixel_height);
        BOOST_TEST(
            (back.pixels == pv::resize(pixels, where.pixel_width, where.pixel_height).pixels));
    }
}

BOOST_AUTO_TEST_CASE(iterm2_payload_is_the_file) {
    for (auto format : {emu::image_format::png, emu::image_format::jpeg}) {
        const auto file = picture(format, 512, 256);
        const auto pixels = pv::decode_image(file);
        const auto where = pv::fit(pixels.width, pixels.height, {80, 24, 0, 0});
        const auto out = pv::iterm2_image(file, pixels, where);
        const std::string head = "\x1b]1337;File=";
        BOOST_TEST_REQUIRE((out.substr(0, head.size()) == head));
        const auto colon = out.find(':');
        const auto bel = out.find('\a');
        BOOST_TEST_REQUIRE(colon != std::string::npos);
        BOOST_TEST_REQUIRE(bel == out.size() - 2);
        BOOST_TEST(out.back() == '\n');
        std::map<std::string, std::string> args;
        std::stringstream in(out.substr(head.size(), colon - head.size()));
        std::string item;
        while (std::getline(in, item, ';'))
            args[item.substr(0, item.find('='))] = item.substr(item.find('=') + 1);
        BOOST_TEST(args.at("inline") == "1");
        BOOST_TEST(args.at("size") == std::to_string(file.size()));
        BOOST_TEST(args.at("width") == std::to_string(where.columns));
        BOOST_TEST(args.at("height") == std::to_string(where.rows));
        BOOST_TEST((base64_decode(out.substr(colon + 1, bel - colon - 1)) == file));
    }
    // WebP becomes a PNG of the preview size.
    const auto webp = picture(emu::image_format::webp, 300, 300);
    const auto pixels = pv::decode_image(webp);
    const auto where = pv::fit(300, 300, {80, 24, 0, 0});
    const auto out = pv::iterm2_image(webp, pixels, where);
    const auto payload =
        base64_decode(out.substr(out.find(':') + 1, out.find('\a') - out.find(':') - 1));
    BOOST_TEST((openai::detect_image_format(payload) == openai::image_format::png));
    BOOST_TEST(pv::decode_image(payload).width == where.pixel_width);
}

BOOST_AUTO_TEST_CASE(sixel_is_well_formed_with_the_right_raster) {
    const auto file = picture(emu::image_format::png, 1024, 1024, "sixel colours");
    const auto pixels = pv::decode_image(file);
    for (const pv::terminal_geometry g :
         {pv::terminal_geometry{80, 24, 10, 20}, pv::terminal_geometry{120, 50, 0, 0},
          pv::terminal_geometry{33, 17, 7, 13}}) {
        const auto where = pv::fit(pixels.width, pixels.height, g);
        const auto out = pv::sixel_image(pixels, where);
        const auto p = parse_sixel(out);
        BOOST_TEST(p.terminated);
        BOOST_TEST(p.declared_width == static_cast<int>(where.pixel_width));
        BOOST_TEST(p.declared_height == static_cast<int>(where.pixel_height));
        BOOST_TEST(p.width == p.declared_width);
        BOOST_TEST(p.height == p.declared_height);
        BOOST_TEST(p.registers.size() <= 256u);
        BOOST_TEST(p.registers.size() > 16u); // a real picture: many colours kept
    }
    // Odd heights (not a multiple of six) and a two-colour cap.
    auto small = checker();
    const pv::placement where{4, 2, 64, 31};
    const auto p = parse_sixel(pv::sixel_image(small, where, 2));
    BOOST_TEST(p.height == 31);
    BOOST_TEST(p.width == 64);
    BOOST_TEST(p.registers.size() <= 2u);
}

BOOST_AUTO_TEST_CASE(half_blocks_carry_the_colours) {
    const auto img = checker();
    const pv::placement where{8, 2, 64, 32};
    for (bool truecolor : {true, false}) {
        const auto out = pv::blocks_image(img, where, truecolor);
        const auto lines = parse_blocks(out, truecolor);
        BOOST_TEST_REQUIRE(lines.size() == 2u);
        for (const auto& line : lines) {
            BOOST_TEST_REQUIRE(line.size() == 8u);
            for (std::size_t x = 0; x < 8; ++x) {
                const auto expect = [&](int y) {
                    pv::rgb c{static_cast<std::uint8_t>(x < 4 ? 220 : 10),
                              static_cast<std::uint8_t>(y < 2 ? 30 : 200),
                              static_cast<std::uint8_t>(x < 4 ? 20 : 230)};
                    return truecolor ? c : pv::xterm256_color(pv::xterm256_index(c));
                };
                const int row = static_cast<int>(&line - lines.data());
                BOOST_TEST((line[x].first == expect(row * 2)));
                BOOST_TEST((line[x].second == expect(row * 2 + 1)));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(xterm_palette) {
    BOOST_TEST(pv::xterm256_index({0, 0, 0}) == 16);
    BOOST_TEST(pv::xterm256_index({255, 255, 255}) == 231);
    BOOST_TEST(pv::xterm256_index({255, 0, 0}) == 196);
    BOOST_TEST(pv::xterm256_index({128, 128, 128}) == 244);
    for (int i = 16; i < 256; ++i)
        BOOST_TEST(pv::xterm256_index(pv::xterm256_color(i)) == i);
}

BOOST_AUTO_TEST_CASE(tmux_passthrough_doubles_escapes) {
    BOOST_TEST(pv::tmux_passthrough("\x1b_Ga=T;AAAA\x1b\\") ==
               "\x1bPtmux;\x1b\x1b_Ga=T;AAAA\x1b\x1b\\\x1b\\");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(preview_sizing)

BOOST_AUTO_TEST_CASE(never_wider_than_the_window_aspect_kept) {
    for (auto [w, h] : {std::pair{1024u, 1024u},
                        {1536u, 1024u},
                        {1024u, 1536u},
                        {4000u, 100u},
                        {100u, 4000u},
                        {16u, 16u}}) {
        for (const pv::terminal_geometry g :
             {pv::terminal_geometry{80, 24, 0, 0}, pv::terminal_geometry{200, 60, 9, 18},
              pv::terminal_geometry{20, 10, 0, 0}, pv::terminal_geometry{1, 4, 0, 0}}) {
            const auto p = pv::fit(w, h, g, 3);
            BOOST_TEST(p.columns >= 1);
            BOOST_TEST(p.columns <= g.columns);
            BOOST_TEST(p.rows <= std::max(1, g.rows - 3));
            BOOST_TEST(p.pixel_width <= w);
            BOOST_TEST(p.pixel_height <= h);
            const double cw = g.cell_width ? g.cell_width : 8,
                         ch = g.cell_height ? g.cell_height : 16;
            BOOST_TEST(p.pixel_width <= g.columns * cw + 0.5);
            BOOST_TEST(p.pixel_height <= std::max(1, g.rows - 3) * ch + 0.5);
            // Aspect within rounding (a pixel either way), unless a side hit its 1-pixel floor.
            if (std::min(p.pixel_width, p.pixel_height) <= 1)
                continue;
            const double want = double(w) / h;
            const double got = double(p.pixel_width) / p.pixel_height;
            BOOST_TEST(std::abs(got - want) / want <
                       0.02 + 1.0 / std::min(p.pixel_width, p.pixel_height));
        }
    }
    // Small pictures are not enlarged.
    const auto p = pv::fit(16, 16, {200, 60, 8, 16});
    BOOST_TEST(p.pixel_width == 16u);
    BOOST_TEST(p.columns == 2);
    BOOST_TEST(p.rows == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(preview_decoding)

BOOST_AUTO_TEST_CASE(all_three_formats) {
    for (auto format : {emu::image_format::png, emu::image_format::jpeg, emu::image_format::webp}) {
        const auto img = pv::decode_image(picture(format, 96, 64));
        BOOST_TEST(img.width == 96u);
        BOOST_TEST(img.height == 64u);
        BOOST_TEST(img.pixels.size() == 96u * 64u * 4u);
    }
}

BOOST_AUTO_TEST_CASE(bounded_and_never_crashing) {
    const auto png = picture(emu::image_format::png, 200, 100);
    pv::decode_limits tight;
    tight.max_pixels = 200 * 100 - 1;
    BOOST_CHECK_THROW(pv::decode_image(png, tight), pv::preview_error);
    tight.max_pixels = 200 * 100;
    BOOST_CHECK_NO_THROW(pv::decode_image(png, tight));
    tight.max_bytes = png.size() - 1;
    BOOST_CHECK_THROW(pv::decode_image(png, tight), pv::preview_error);
    for (auto format : {emu::image_format::jpeg, emu::image_format::webp}) {
        const auto file = picture(format, 200, 100);
        pv::decode_limits small;
        small.max_pixels = 100;
        BOOST_CHECK_THROW(pv::decode_image(file, small), pv::preview_error);
        // Truncated files: an error or a partly grey picture (libjpeg), never a crash.
        try {
            const auto img = pv::decode_image(file.substr(0, file.size() / 3));
            BOOST_TEST(img.pixels.size() == 200u * 100u * 4u);
        } catch (const pv::preview_error&) {
        }
    }
    BOOST_CHECK_THROW(pv::decode_image(png.substr(0, 60)), pv::preview_error);
    BOOST_CHECK_THROW(pv::decode_image("string"), pv::preview_error);
    // The default bounds: 64 MiB, 16 megapixels.
    BOOST_TEST(pv::decode_limits{}.max_bytes == 64u << 20);
    BOOST_TEST(pv::decode_limits{}.max_pixels == 16u << 20);
}

BOOST_AUTO_TEST_CASE(a_failed_preview_is_a_note_not_an_exception) {
    std::ostringstream out;
    pv::detection how;
    how.chosen = pv::protocol::blocks_truecolor;
    pv::display d(how, {80, 24, 0, 0}, out);
    BOOST_CHECK_NO_THROW(d.show("not an image"));
    BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(partial_previews_are_replaced_in_place) {
    std::ostringstream out;
    pv::detection how;
    how.chosen = pv::protocol::blocks_truecolor;
    pv::display d(how, {40, 20, 0, 0}, out);
    const auto png = picture(emu::image_format::png, 256, 256);
    d.show(png, true);
    const auto rows = d.render(png).rows;
    BOOST_TEST(rows == 16); // 256 px at 16 px per row: not enlarged
    out.str("");
    d.erase_replaceable();
    BOOST_TEST(out.str() == "\x1b[16F\x1b[J");
    out.str("");
    d.erase_replaceable(); // nothing left to erase
    d.show(png, false);
    d.erase_replaceable(); // a final image stays
    BOOST_TEST(out.str().find("\x1b[16F") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(terminal_detection)

pv::detection run(std::map<std::string, std::string> env,
                  pv::preview_mode mode = pv::preview_mode::automatic, bool tty = true,
                  bool json = false, bool sixel = false, bool passthrough = false,
                  int* queries = nullptr) {
    pv::detect_input in;
    in.mode = mode;
    in.env = std::move(env);
    in.output_is_terminal = tty;
    in.json = json;
    in.query_sixel = [=] {
        if (queries)
            ++*queries;
        return sixel;
    };
    in.tmux_allows_passthrough = [=] { return passthrough; };
    return pv::detect(in);
}

BOOST_AUTO_TEST_CASE(identity_picks_the_protocol) {
    using pv::protocol;
    BOOST_TEST(
        (run({{"TERM", "xterm-kitty"}, {"KITTY_WINDOW_ID", "1"}}).chosen == protocol::kitty));
    BOOST_TEST((run({{"TERM", "xterm-ghostty"}, {"GHOSTTY_RESOURCES_DIR", "/x"}}).chosen ==
                protocol::kitty));
    BOOST_TEST(
        (run({{"TERM", "xterm-256color"}, {"WEZTERM_PANE", "0"}}).chosen == protocol::iterm2));
    BOOST_TEST((run({{"TERM_PROGRAM", "iTerm.app"}}).chosen == protocol::iterm2));
    BOOST_TEST(
        (run({{"LC_TERMINAL", "iTerm2"}, {"TERM", "xterm-256color"}}).chosen == protocol::iterm2));
    BOOST_TEST((run({{"TERM_PROGRAM", "vscode"}}).chosen == protocol::iterm2));
    BOOST_TEST((run({{"TERM", "foot"}}).chosen == protocol::sixel));
    BOOST_TEST(
        (run({{"TERM", "xterm-256color"}, {"WT_SESSION", "abc"}}).chosen == protocol::sixel));
    BOOST_TEST((run({{"TERM", "linux"}, {"COLORTERM", "truecolor"}}).chosen ==
                protocol::blocks_truecolor));
    BOOST_TEST((run({{"TERM", "linux"}}).chosen == protocol::blocks_256));
}

BOOST_AUTO_TEST_CASE(device_attributes_only_when_nothing_else_tells) {
    int queries = 0;
    BOOST_TEST((run({{"TERM", "xterm-256color"}}, pv::preview_mode::automatic, true, false, true,
                    false, &queries)
                    .chosen == pv::protocol::sixel));
    BOOST_TEST(queries == 1);
    BOOST_TEST((run({{"TERM", "xterm-256color"}, {"COLORTERM", "truecolor"}},
                    pv::preview_mode::automatic, true, false, false, false, &queries)
                    .chosen == pv::protocol::blocks_truecolor));
    BOOST_TEST(queries == 2);
    run({{"TERM", "xterm-kitty"}}, pv::preview_mode::automatic, true, false, true, false, &queries);
    run({{"TERM", "linux"}}, pv::preview_mode::automatic, true, false, true, false, &queries);
    BOOST_TEST(queries == 2);
    BOOST_TEST(pv::device_attributes_say_sixel("\x1b[?63;1;2;4;6;9;15;22c"));
    BOOST_TEST(!pv::device_attributes_say_sixel("\x1b[?62;1;2;6;9;15;22c"));
    BOOST_TEST(!pv::device_attributes_say_sixel("\x1b[?4c")); // 4 as the class, not an attribute
    BOOST_TEST(!pv::device_attributes_say_sixel(""));
}

BOOST_AUTO_TEST_CASE(off_for_pipes_dumb_ci_json) {
    using pv::protocol;
    const std::map<std::string, std::string> kitty{{"TERM", "xterm-kitty"},
                                                   {"KITTY_WINDOW_ID", "1"}};
    BOOST_TEST((run(kitty, pv::preview_mode::automatic, false).chosen == protocol::none));
    BOOST_TEST((run(kitty, pv::preview_mode::automatic, true, true).chosen == protocol::none));
    BOOST_TEST((run({{"TERM", "dumb"}}).chosen == protocol::none));
    auto ci = kitty;
    ci["CI"] = "true";
    BOOST_TEST((run(ci).chosen == protocol::none));
    BOOST_TEST((run(ci, pv::preview_mode::on).chosen == protocol::kitty));
    BOOST_TEST((run(kitty, pv::preview_mode::off).chosen == protocol::none));
    BOOST_TEST((run(kitty, pv::preview_mode::blocks, false).chosen == protocol::blocks_256));
    // --json wins over everything, --preview blocks included.
    BOOST_TEST((run(kitty, pv::preview_mode::blocks, true, true).chosen == protocol::none));
    BOOST_TEST((run(kitty, pv::preview_mode::sixel, false).chosen == protocol::sixel));
}

BOOST_AUTO_TEST_CASE(no_color_and_tmux) {
    using pv::protocol;
    BOOST_TEST((run({{"TERM", "linux"}, {"NO_COLOR", "1"}}).chosen == protocol::none));
    BOOST_TEST((run({{"KITTY_WINDOW_ID", "1"}, {"NO_COLOR", "1"}}).chosen == protocol::kitty));
    const std::map<std::string, std::string> tmux{
        {"TERM", "tmux-256color"}, {"TMUX", "/tmp/tmux-0/default,1,0"}, {"LC_TERMINAL", "iTerm2"}};
    auto d = run(tmux, pv::preview_mode::automatic, true, false, false, true);
    BOOST_TEST((d.chosen == protocol::iterm2));
    BOOST_TEST(d.tmux_passthrough);
    d = run(tmux, pv::preview_mode::automatic, true, false, false, false);
    BOOST_TEST((d.chosen == protocol::blocks_256));
    BOOST_TEST(!d.tmux_passthrough);
    BOOST_TEST((run({{"TERM", "tmux-256color"}, {"TMUX", "x"}}, pv::preview_mode::automatic, true,
                    false, true, true)
                    .chosen == protocol::blocks_256));
    BOOST_CHECK_THROW(pv::parse_preview_mode("sometimes"), openai::cli::usage_error);
}

BOOST_AUTO_TEST_SUITE_END()
