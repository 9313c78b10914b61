// The requests of `openai-images loadtest`: --prompt TEXT or --prompts FILE.jsonl (the batch
// command's line format, cycled in file order), with the request flags (--model, --size, ...)
// filling what a line leaves unset; for --edit, the --image files read into memory once, so
// that no disk read sits in the measurement path. Every request is validated before the load
// starts (unless --no-validate), so a bad one is a usage error, not a run of failures.
#pragma once

#include "arguments.hpp"
#include "loadtest_runner.hpp"

namespace openai::cli::loadtest {

// Adds the request options (shared with generate and edit) to a spec.
void add_workload_options(option_spec& spec);

// Throws usage_error naming the problem (no prompt, bad line, unreadable image, invalid
// parameter).
workload make_workload(const parsed_arguments& args, bool validate);

} // namespace openai::cli::loadtest
