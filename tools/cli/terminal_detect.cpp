#include "terminal_detect.hpp"

#include "arguments.hpp"

namespace openai::cli::preview {
namespace {

bool has(const std::map<std::string, std::string>& env, const std::string& name) {
    auto it = env.find(name);
    return it != env.end() && !it->second.empty();
}

std::string get(const std::map<std::string, std::string>& env, const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
}

bool has_prefix(const std::map<std::string, std::string>& env, const std::string& prefix) {
    for (auto it = env.lower_bound(prefix); it != env.end() && it->first.starts_with(prefix); ++it)
        if (!it->second.empty())
            return true;
    return false;
}

bool truecolor(const std::map<std::string, std::string>& env) {
    const auto c = get(env, "COLORTERM");
    return c == "truecolor" || c == "24bit";
}

protocol blocks_for(const std::map<std::string, std::string>& env) {
    return truecolor(env) ? protocol::blocks_truecolor : protocol::blocks_256;
}

// The native protocol the terminal's identity names, or none when it names none.
protocol native_protocol(const std::map<std::string, std::string>& env, std::string& who) {
    const auto term = get(env, "TERM");
    const auto program = get(env, "TERM_PROGRAM");
    const auto lc_terminal = get(env, "LC_TERMINAL");
    if (has(env, "KITTY_WINDOW_ID") || term == "xterm-kitty") {
        who = "kitty";
        return protocol::kitty;
    }
    if (has_prefix(env, "GHOSTTY_") || term == "xterm-ghostty" || program == "ghostty") {
        who = "Ghostty";
        return protocol::kitty;
    }
    if (has_prefix(env, "WEZTERM_") || program == "WezTerm") {
        who = "WezTerm";
        return protocol::iterm2; // WezTerm's iTerm2 support is its most complete
    }
    if (has(env, "KONSOLE_VERSION")) {
        who = "Konsole";
        return protocol::kitty;
    }
    if (program == "iTerm.app" || lc_terminal == "iTerm2") {
        who = "iTerm2";
        return protocol::iterm2;
    }
    if (program == "vscode") {
        who = "VS Code";
        return protocol::iterm2;
    }
    if (term.starts_with("foot") || term.starts_with("mlterm") || program == "mlterm" ||
        has(env, "WT_SESSION") || term.find("sixel") != std::string::npos) {
        who = has(env, "WT_SESSION") ? "Windows Terminal" : term;
        return protocol::sixel;
    }
    return protocol::none;
}

} // namespace

preview_mode parse_preview_mode(const std::string& text) {
    if (text == "auto")
        return preview_mode::automatic;
    if (text == "on")
        return preview_mode::on;
    if (text == "off")
        return preview_mode::off;
    if (text == "blocks")
        return preview_mode::blocks;
    if (text == "kitty")
        return preview_mode::kitty;
    if (text == "iterm2")
        return preview_mode::iterm2;
    if (text == "sixel")
        return preview_mode::sixel;
    throw usage_error("--preview takes auto, on, off, blocks, kitty, iterm2 or sixel, not '" +
                      text + "'");
}

const char* protocol_name(protocol p) {
    switch (p) {
    case protocol::none:
        return "none";
    case protocol::kitty:
        return "kitty";
    case protocol::iterm2:
        return "iterm2";
    case protocol::sixel:
        return "sixel";
    case protocol::blocks_truecolor:
        return "blocks (24-bit colour)";
    case protocol::blocks_256:
        return "blocks (256 colours)";
    }
    return "none";
}

detection detect(const detect_input& in) {
    detection d;
    const auto& env = in.env;
    if (in.json || in.mode == preview_mode::off) {
        d.reason = in.json ? "--json output carries no graphics" : "--preview off";
        return d;
    }
    switch (in.mode) {
    case preview_mode::blocks:
        d.chosen = blocks_for(env);
        d.reason = "--preview blocks";
        return d;
    case preview_mode::kitty:
    case preview_mode::iterm2:
    case preview_mode::sixel:
        d.chosen = in.mode == preview_mode::kitty    ? protocol::kitty
                   : in.mode == preview_mode::iterm2 ? protocol::iterm2
                                                     : protocol::sixel;
        d.reason = "--preview " + std::string(protocol_name(d.chosen));
        return d;
    default:
        break;
    }
    if (in.mode == preview_mode::automatic) {
        if (!in.output_is_terminal) {
            d.reason = "output is not a terminal";
            return d;
        }
        if (get(env, "TERM") == "dumb") {
            d.reason = "TERM=dumb";
            return d;
        }
        if (has(env, "CI")) {
            d.reason = "CI is set";
            return d;
        }
    }
    const bool colour_ok = !has(env, "NO_COLOR");
    const auto fallback = [&](std::string why) {
        if (colour_ok) {
            d.chosen = blocks_for(env);
            d.reason = std::move(why);
        } else {
            d.chosen = protocol::none;
            d.reason = std::move(why) + "; NO_COLOR rules out colour blocks";
        }
        return d;
    };
    std::string who;
    const auto native = native_protocol(env, who);
    const auto term = get(env, "TERM");
    const bool in_tmux =
        has(env, "TMUX") || term.starts_with("tmux") || get(env, "TERM_PROGRAM") == "tmux";
    if (in_tmux) {
        // The outer terminal's variables survive in tmux when the server was started from it.
        if ((native == protocol::kitty || native == protocol::iterm2) &&
            in.tmux_allows_passthrough && in.tmux_allows_passthrough()) {
            d.chosen = native;
            d.tmux_passthrough = true;
            d.reason = "tmux pass-through to " + who;
            return d;
        }
        return fallback("inside tmux without pass-through to a graphics terminal");
    }
    if (native != protocol::none) {
        d.chosen = native;
        d.reason = who;
        return d;
    }
    if (term.starts_with("xterm") && in.query_sixel && in.query_sixel()) {
        d.chosen = protocol::sixel;
        d.reason = "the terminal reports Sixel in its device attributes";
        return d;
    }
    return fallback("no graphics protocol known for this terminal");
}

} // namespace openai::cli::preview
