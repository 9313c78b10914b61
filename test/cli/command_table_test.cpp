// The command table: every option a command's parser accepts is described by its --help text and
// offered by the completions, and nothing the help describes is refused by the parser; the
// completion scripts and the man page come out of the same table.
#include "command_table.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace cli = openai::cli;

BOOST_AUTO_TEST_SUITE(command_table)

BOOST_AUTO_TEST_CASE(help_and_parser_describe_the_same_options) {
    for (const auto& c : cli::command_table()) {
        if (c.options == nullptr)
            continue;
        BOOST_TEST_CONTEXT("openai-images " << c.name) {
            const auto spec = c.options();
            std::set<std::string> described;
            for (const auto& e : cli::help_entries(c.help()))
                described.insert(e.name);
            // loadtest describes the request flags it shares with generate in one line
            // ("--model, --n, ...: as for generate and edit"): they are checked there.
            const std::set<std::string> listed{"model",
                                               "n",
                                               "size",
                                               "quality",
                                               "background",
                                               "output-format",
                                               "output-compression",
                                               "moderation",
                                               "style",
                                               "response-format",
                                               "user",
                                               "mask",
                                               "image",
                                               "input-fidelity"};
            for (const auto& name : spec.names()) {
                if (name == "help" || (c.name == "loadtest" && listed.count(name)))
                    continue;
                BOOST_TEST(described.count(name) == 1, "--" << name << " is not in the help");
            }
            for (const auto& name : described)
                BOOST_TEST((spec.valued.count(name) + spec.flags.count(name)) == 1,
                           "--" << name << " is described but not accepted");
            // A valued option's help line names its argument; a flag's does not.
            for (const auto& e : cli::help_entries(c.help()))
                if (spec.flags.count(e.name) && e.name != "edit")
                    BOOST_TEST(e.argument.empty(), "flag --" << e.name << " shows an argument");
        }
    }
}

BOOST_AUTO_TEST_CASE(known_values_are_values_the_parser_takes) {
    for (const auto& c : cli::command_table()) {
        const auto spec = cli::described_options(c);
        for (const auto& [name, values] : spec.choices) {
            BOOST_TEST(spec.valued.count(name) == 1, c.name << " --" << name);
            BOOST_TEST(!values.empty());
        }
    }
    const auto* generate = cli::find_command("generate");
    BOOST_TEST_REQUIRE(generate != nullptr);
    const auto spec = cli::described_options(*generate);
    const std::set<std::string> quality(spec.choices.at("quality").begin(),
                                        spec.choices.at("quality").end());
    BOOST_TEST(quality.count("xhigh") == 1);
    BOOST_TEST(quality.count("standard") == 1);
    BOOST_TEST(spec.directories.count("out") == 1);
    BOOST_TEST(cli::described_options(*cli::find_command("variation")).choices.count("quality") ==
               0);
}

BOOST_AUTO_TEST_CASE(scripts_and_man_page_name_every_option) {
    const auto bash = cli::completion_script("bash");
    const auto zsh = cli::completion_script("zsh");
    const auto fish = cli::completion_script("fish");
    const auto man = cli::man_page();
    for (const auto& c : cli::command_table()) {
        BOOST_TEST(bash.find("    " + c.name + ")") != std::string::npos, c.name);
        BOOST_TEST(fish.find("-a " + c.name + " ") != std::string::npos, c.name);
        std::string roff_name; // hyphens are minus signs in roff
        for (char ch : c.name)
            roff_name += ch == '-' ? std::string("\\-") : std::string(1, ch);
        BOOST_TEST(man.find("\\fB" + roff_name + "\\fR") != std::string::npos, c.name);
        if (c.options == nullptr)
            continue;
        for (const auto& name : c.options().names()) {
            BOOST_TEST(bash.find("--" + name) != std::string::npos, c.name << " --" << name);
            BOOST_TEST(zsh.find("--" + name) != std::string::npos, c.name << " --" << name);
            BOOST_TEST(fish.find("-l " + name) != std::string::npos, c.name << " --" << name);
        }
    }
    BOOST_CHECK_THROW(cli::completion_script("tcsh"), cli::usage_error);
}

BOOST_AUTO_TEST_CASE(usage_lists_every_command) {
    const auto usage = cli::usage_text();
    for (const auto& c : cli::command_table())
        BOOST_TEST(usage.find("  " + c.name + " ") != std::string::npos, c.name);
}

BOOST_AUTO_TEST_SUITE_END()
