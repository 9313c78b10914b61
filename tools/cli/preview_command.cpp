// `openai-images preview FILE...`: saved PNG, JPEG and WebP files shown the way generate shows its
// results. No API key, no network.
#include "arguments.hpp"
#include "commands.hpp"
#include "image_command.hpp"
#include "preview_display.hpp"

#include <openai/image_format.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace openai::cli {
namespace {

const char* const preview_usage =
    R"(usage: openai-images preview FILE... [--preview MODE]

Shows saved PNG, JPEG and WebP images in the terminal: Kitty graphics, iTerm2 inline images or
Sixel where the terminal speaks one, else Unicode half blocks in colour. Needs no API key and
makes no network connection. Each file's line names it, its format and size.

%s)";

option_spec preview_spec() {
    option_spec spec;
    spec.flags = {"help"};
    preview::add_preview_options(spec);
    return spec;
}

} // namespace

int run_preview(const std::vector<std::string>& raw) {
    std::vector<std::string> options;
    std::vector<std::string> files;
    const auto spec = preview_spec();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i].rfind("--", 0) == 0) {
            options.push_back(raw[i]);
            if (raw[i].find('=') == std::string::npos && spec.valued.count(raw[i].substr(2)) &&
                i + 1 < raw.size())
                options.push_back(raw[++i]);
        } else {
            files.push_back(raw[i]);
        }
    }
    const parsed_arguments args(options, spec);
    if (args.flag("help")) {
        std::printf(preview_usage, preview::preview_help);
        return 0;
    }
    if (files.empty())
        throw usage_error("preview needs at least one FILE");
    auto display = preview::display::from_arguments(args, false);
    int status = 0;
    for (const auto& file : files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) {
            std::cerr << "error: cannot read '" << file << "': " << ec.message() << '\n';
            status = 1;
            continue;
        }
        const auto bytes = read_for_preview(file);
        const auto format = detect_image_format(bytes);
        if (!format) {
            std::cerr << "error: '" << file << "' is no PNG, JPEG or WebP image\n";
            status = 1;
            continue;
        }
        std::cout << file << " (" << to_string(*format) << ", " << size << " bytes)\n"
                  << std::flush;
        display.show(bytes);
    }
    return status;
}

// For the command table (help, completions, man page).
option_spec preview_options() {
    return preview_spec();
}
std::string preview_help_text() {
    return format_help(preview_usage, {preview::preview_help});
}

} // namespace openai::cli
