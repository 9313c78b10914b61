// The per-model rules of the spec (sizes, n, prompt lengths, model-only parameters) applied to a
// job whose structure was already checked.
#pragma once

#include "emulator/api_errors.hpp"

#include <optional>

namespace openai::emulator {

struct image_job;

/// The first rule the job breaks, as the API's 400 error naming the parameter.
/// `has_response_format`: the request named response_format explicitly.
std::optional<api_error> apply_model_rules(const image_job& job, bool has_response_format);

} // namespace openai::emulator
