// The per-model rules of the spec (sizes, n, prompt lengths, model-only parameters, edit inputs),
// applied to a request whose structure and types the emulator already checked. They come from
// the library's own `openai::validate`, fed a typed request rebuilt from what the client sent.
#pragma once

#include "emulator/api_errors.hpp"

#include <openai/requests.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <vector>

namespace openai::emulator {

struct image_job;

/// The inputs of an edit or variation as the rules see them: uploads (only their first bytes,
/// file name and content type; the emulator checks sizes itself) or JSON references.
struct rule_inputs {
    std::vector<openai::edit_image> images;
    std::optional<openai::edit_image> mask;
};

/// The first rule the request breaks, as the API's 400 error naming the parameter.
/// `sent` holds the parameters the client sent (strings, integers, booleans), `job` what the
/// emulator resolved from them.
std::optional<error_reply> apply_model_rules(const image_job& job, const boost::json::object& sent,
                                             const rule_inputs& inputs);

} // namespace openai::emulator
