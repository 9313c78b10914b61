// The commands of openai-images in one table: main() dispatches through it, and the usage text,
// the shell completions (`openai-images completion bash|zsh|fish`) and the man page
// (`openai-images man`) are generated from it and from each command's own option_spec (the one
// its parser uses), so that none of them can drift from what the parser accepts.
#pragma once

#include "arguments.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace openai::cli {

struct command_info {
    std::string name;
    std::string summary;  // as in the usage text (continuation lines indented by 13 columns)
    std::string operands; // the synopsis of its arguments other than options ("FILE...")
    int (*run)(const std::vector<std::string>&) = nullptr;
    option_spec (*options)() = nullptr;       // nullptr: takes no options
    std::string (*help)() = nullptr;          // its --help text; nullptr: none
    std::vector<std::string> operand_choices; // completed operands (completion: the shells)
    bool file_operands = false;               // operands are file names (completed as such)
};

const std::vector<command_info>& command_table();
const command_info* find_command(std::string_view name);

// `openai-images help`: the commands and their summaries.
std::string usage_text();

// The spec of a command with what is known of its values (choices, files, directories) filled
// in, by option name: the same meaning across commands. Empty for commands without options.
option_spec described_options(const command_info& command);

// One option line of a help text, "  --name ARG      description" with its continuation lines.
struct help_entry {
    std::string name;     // without the dashes
    std::string argument; // "TEXT", "PATH...", empty for a flag
    std::string description;
};
std::vector<help_entry> help_entries(const std::string& help);

// Shell completion scripts and the man page (roff), generated from the table.
std::string completion_script(std::string_view shell); // throws usage_error for another shell
std::string man_page();

int run_completion(const std::vector<std::string>& args);
int run_man(const std::vector<std::string>& args);

} // namespace openai::cli
