// Command-line parsing for openai-images: `--name value` and `--flag` options after a command.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace openai::cli {

// A usage problem: the program prints it with a hint and exits with status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What one command accepts: options that take a value (possibly repeated) and bare flags.
struct option_spec {
    std::set<std::string> valued;
    std::set<std::string> repeatable; // subset of valued
    // Subset of repeatable: also takes the arguments that follow, up to the next option
    // (`--image a.png b.png` is `--image a.png --image b.png`).
    std::set<std::string> multi;
    std::set<std::string> flags;

    // Not read by the parser: what shell completions and the man page say of a valued option.
    // Its known values (completed after the option), or that it names a file or a directory.
    std::map<std::string, std::vector<std::string>> choices;
    std::set<std::string> files;
    std::set<std::string> directories;

    // Every option, valued or flag, in name order.
    std::vector<std::string> names() const;
};

// A help text written as a printf format: each %s replaced by the next of `parts`, %% by %.
std::string format_help(const char* format, std::initializer_list<const char*> parts);

class parsed_arguments {
public:
    // Throws usage_error naming the unknown option, missing value or stray argument.
    parsed_arguments(const std::vector<std::string>& args, const option_spec& spec);

    bool flag(const std::string& name) const { return flags_.count(name) != 0; }
    std::optional<std::string> value(const std::string& name) const;
    const std::vector<std::string>& values(const std::string& name) const;
    // Integer option within [min, max]; throws usage_error naming the option otherwise.
    std::optional<int> integer(const std::string& name, int min, int max) const;
    std::optional<double> number(const std::string& name, double min, double max) const;

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> flags_;
};

} // namespace openai::cli
