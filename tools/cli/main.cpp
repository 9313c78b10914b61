// openai-images: create images with the OpenAI Images API from the command line.
//
// Exit status: 0 on success, 2 on a usage or validation error (nothing was sent), 1 on any other
// failure. The API key comes from OPENAI_API_KEY and is never printed.
#include "arguments.hpp"
#include "commands.hpp"

#include <openai/version.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char* const usage_text =
    R"(usage: openai-images COMMAND [OPTIONS]

commands:
  generate   create images from a prompt (POST /images/generations)
  edit       change images following a prompt (POST /images/edits)
  variation  variations of an image (POST /images/variations): legacy, dall-e-2 (retired)
  sse-dump   decode a captured event stream on stdin into JSON lines
  batch      run a JSONL file of generation requests: concurrent, rate-limited, resumable
             (batch report DIR: rebuild DIR/index.html, the run's contact sheet)
  preview    show saved PNG/JPEG/WebP files in the terminal (no key, no network)
  loadtest   load-test an Images API service: closed or open loop, latency per phase from the
             intended start, --json/--csv/--plot, an --slo gate
  help       show this text (also: openai-images COMMAND --help)
  version    print the version

Run 'openai-images generate --help' for the options of a command. The API key is read from
OPENAI_API_KEY; OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID and the proxy variables
(HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are honoured too.
Add --emulator to try everything against a local emulator, without an account.
)";

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(usage_text, stderr);
        return 2;
    }
    const std::string command = args.front();
    args.erase(args.begin());
    try {
        if (command == "generate")
            return openai::cli::run_generate(args);
        if (command == "edit")
            return openai::cli::run_edit(args);
        if (command == "variation")
            return openai::cli::run_variation(args);
        if (command == "sse-dump")
            return openai::cli::run_sse_dump(args);
        if (command == "batch")
            return openai::cli::run_batch(args);
        if (command == "preview")
            return openai::cli::run_preview(args);
        if (command == "loadtest")
            return openai::cli::run_loadtest(args);
        if (command == "help" || command == "--help" || command == "-h") {
            std::fputs(usage_text, stdout);
            return 0;
        }
        if (command == "version" || command == "--version") {
            std::printf("openai-images %s\n", openai::version_string());
            return 0;
        }
        throw openai::cli::usage_error("unknown command '" + command + "'");
    } catch (const openai::cli::usage_error& e) {
        std::cerr << "openai-images: " << e.what() << "\n(run 'openai-images help' for usage)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "openai-images: " << e.what() << "\n";
        return 1;
    }
}
