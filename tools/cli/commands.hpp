// The commands of openai-images. Each returns the process exit status (0 ok, 1 failure) and
// throws usage_error for problems with its arguments (status 2).
#pragma once

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

} // namespace openai::cli
