#include "command_table.hpp"

#include "commands.hpp"

#include <openai/open_string.hpp>
#include <openai/request_fields.hpp>
#include <openai/version.hpp>

#include <cstdio>

namespace openai::cli {
namespace {

int run_help(const std::vector<std::string>&) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
}

int run_version(const std::vector<std::string>& args) {
    if (!args.empty())
        throw usage_error("version takes no arguments");
    std::printf("openai-images %s\n", openai::version_string());
    return 0;
}

template <class Values>
std::vector<std::string> strings(const Values& values) {
    return {values.begin(), values.end()};
}

} // namespace

const std::vector<command_info>& command_table() {
    static const std::vector<command_info> table{
        {"generate",
         "create images from a prompt (POST /images/generations)",
         "",
         run_generate,
         generate_options,
         generate_help_text,
         {},
         false},
        {"edit",
         "change images following a prompt (POST /images/edits)",
         "",
         run_edit,
         edit_options,
         edit_help_text,
         {},
         false},
        {"variation",
         "variations of an image (POST /images/variations): legacy, dall-e-2 (retired)",
         "",
         run_variation,
         variation_options,
         variation_help_text,
         {},
         false},
        {"sse-dump",
         "decode a captured event stream on stdin into JSON lines",
         "",
         run_sse_dump,
         sse_dump_options,
         sse_dump_help_text,
         {},
         false},
        {"batch",
         "run a JSONL file of generation requests: concurrent, rate-limited, resumable\n"
         "(batch report DIR: rebuild DIR/index.html, the run's contact sheet)",
         "FILE.jsonl | report DIR",
         run_batch,
         batch_options,
         batch_help_text,
         {},
         true},
        {"preview",
         "show saved PNG/JPEG/WebP files in the terminal (no key, no network)",
         "FILE...",
         run_preview,
         preview_options,
         preview_help_text,
         {},
         true},
        {"loadtest",
         "load-test an Images API service: closed or open loop, latency per phase from the\n"
         "intended start, --json/--csv/--plot, an --slo gate",
         "",
         run_loadtest,
         loadtest_options,
         loadtest_help_text,
         {},
         false},
        {"completion",
         "print a shell completion script: bash, zsh or fish",
         "SHELL",
         run_completion,
         nullptr,
         nullptr,
         {"bash", "zsh", "fish"},
         false},
        {"man",
         "print the manual page (roff; view with: openai-images man | man -l -)",
         "",
         run_man,
         nullptr,
         nullptr,
         {},
         false},
        {"help",
         "show this text (also: openai-images COMMAND --help)",
         "",
         run_help,
         nullptr,
         nullptr,
         {},
         false},
        {"version", "print the version", "", run_version, nullptr, nullptr, {}, false},
    };
    return table;
}

const command_info* find_command(std::string_view name) {
    for (const auto& c : command_table())
        if (c.name == name)
            return &c;
    return nullptr;
}

std::string usage_text() {
    std::string out = "usage: openai-images COMMAND [OPTIONS]\n\ncommands:\n";
    for (const auto& c : command_table()) {
        std::string line = "  " + c.name;
        line.resize(13, ' ');
        for (char ch : c.summary) {
            line += ch;
            if (ch == '\n')
                line += std::string(13, ' ');
        }
        out += line + "\n";
    }
    out += R"(
Run 'openai-images generate --help' for the options of a command. The API key is read from
OPENAI_API_KEY; OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID and the proxy variables
(HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are honoured too.
Add --emulator to try everything against a local emulator, without an account.
)";
    return out;
}

option_spec described_options(const command_info& command) {
    if (command.options == nullptr)
        return {};
    option_spec spec = command.options();
    namespace v = field_values;
    namespace m = models;
    const std::vector<std::pair<std::string, std::vector<std::string>>> known{
        {"quality", strings(v::quality)},
        {"background", strings(v::background)},
        {"output-format", strings(v::output_format)},
        {"moderation", strings(v::moderation)},
        {"style", strings(v::style)},
        {"response-format", strings(v::response_format)},
        {"input-fidelity", strings(v::input_fidelity)},
        {"model",
         {std::string(m::gpt_image_2_5_flare.view()), std::string(m::gpt_image_2_5_sunburst.view()),
          std::string(m::gpt_image_2.view()), std::string(m::gpt_image_1_5.view()),
          std::string(m::gpt_image_1.view()), std::string(m::gpt_image_1_mini.view()),
          std::string(m::chatgpt_image_latest.view()), std::string(m::dall_e_2.view()),
          std::string(m::dall_e_3.view())}},
        {"size", command.name == "variation"
                     ? strings(v::variation_size)
                     : std::vector<std::string>{"auto", "1024x1024", "1536x1024", "1024x1536"}},
        {"preview", {"auto", "on", "off", "blocks", "kitty", "iterm2", "sixel"}},
        {"arrival", {"constant", "poisson"}},
    };
    for (const auto& [name, values] : known)
        if (spec.valued.count(name))
            spec.choices[name] = values;
    for (const char* name : {"image", "mask", "ca-file", "prompts", "csv", "plot"})
        if (spec.valued.count(name))
            spec.files.insert(name);
    for (const char* name : {"out", "save-images"})
        if (spec.valued.count(name))
            spec.directories.insert(name);
    return spec;
}

std::vector<help_entry> help_entries(const std::string& help) {
    constexpr std::size_t column = 29; // where the descriptions start
    std::vector<help_entry> out;
    bool in_entry = false;
    std::size_t pos = 0;
    while (pos < help.size()) {
        auto end = help.find('\n', pos);
        if (end == std::string::npos)
            end = help.size();
        const std::string line = help.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind("  --", 0) == 0) {
            std::string head, description;
            if (line.size() > column && line[column - 1] == ' ') {
                head = line.substr(2, column - 3);
                description = line.substr(column);
            } else if (auto gap = line.find("  ", 2); gap != std::string::npos) {
                head = line.substr(2, gap - 2);
                description = line.substr(line.find_first_not_of(' ', gap));
            } else {
                in_entry = false; // a list of options, not an entry
                continue;
            }
            while (!head.empty() && head.back() == ' ')
                head.pop_back();
            const auto space = head.find(' ');
            help_entry e;
            e.name = head.substr(2, space == std::string::npos ? std::string::npos : space - 2);
            if (e.name.find(',') != std::string::npos) {
                in_entry = false;
                continue;
            }
            if (space != std::string::npos)
                e.argument = head.substr(space + 1);
            e.description = description;
            out.push_back(std::move(e));
            in_entry = true;
        } else if (in_entry && line.size() > column && line.find_first_not_of(' ') >= column - 1) {
            out.back().description += " " + line.substr(line.find_first_not_of(' '));
        } else {
            in_entry = false;
        }
    }
    return out;
}

} // namespace openai::cli
