// The commands of openai-images. Each returns the process exit status (0 ok, 1 failure) and
// throws usage_error for problems with its arguments (status 2).
#pragma once

#include "arguments.hpp"

#include <string>
#include <vector>

namespace openai::cli {

int run_generate(const std::vector<std::string>& args);
int run_edit(const std::vector<std::string>& args);
int run_variation(const std::vector<std::string>& args);
int run_sse_dump(const std::vector<std::string>& args);
int run_batch(const std::vector<std::string>& args);
int run_preview(const std::vector<std::string>& args);
int run_loadtest(const std::vector<std::string>& args);

// What each command's parser accepts (the very spec its run_ function parses with) and its
// --help text: the command table (command_table.hpp) builds the usage, the shell completions and
// the man page from them.
option_spec generate_options();
option_spec edit_options();
option_spec variation_options();
option_spec sse_dump_options();
option_spec batch_options();
option_spec preview_options();
option_spec loadtest_options();
std::string generate_help_text();
std::string edit_help_text();
std::string variation_help_text();
std::string sse_dump_help_text();
std::string batch_help_text();
std::string preview_help_text();
std::string loadtest_help_text();

} // namespace openai::cli
