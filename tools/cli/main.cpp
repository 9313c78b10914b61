// openai-images: create images with the OpenAI Images API from the command line.
//
// Exit status: 0 on success, 2 on a usage or validation error (nothing was sent), 1 on any other
// failure. The API key comes from OPENAI_API_KEY and is never printed.
//
// The commands are those of the command table (command_table.hpp), from which the usage text,
// the shell completions and the man page are generated too.
#include "arguments.hpp"
#include "command_table.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(openai::cli::usage_text().c_str(), stderr);
        return 2;
    }
    std::string command = args.front();
    args.erase(args.begin());
    if (command == "--help" || command == "-h")
        command = "help";
    else if (command == "--version")
        command = "version";
    try {
        if (const auto* c = openai::cli::find_command(command))
            return c->run(args);
        throw openai::cli::usage_error("unknown command '" + command + "'");
    } catch (const openai::cli::usage_error& e) {
        std::cerr << "openai-images: " << e.what() << "\n(run 'openai-images help' for usage)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "openai-images: " << e.what() << "\n";
        return 1;
    }
}
