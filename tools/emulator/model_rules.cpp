#include "emulator/model_rules.hpp"

#include "emulator/request_checks.hpp"

namespace openai::emulator {
namespace {

api_error rule(std::string param, std::string message, std::string code = "invalid_value") {
    api_error e;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

} // namespace

// SEAM: the library's openai::validate (branch `model`) replaces the body of this function when
// it lands; until then only the rules the emulator needs to answer sensibly are here.
std::optional<api_error> apply_model_rules(const image_job& job, bool has_response_format) {
    if (job.stream && !job.gpt)
        return rule("stream", "Streaming is only supported for the GPT image models, not '" +
                                  job.model + "'.");
    if (job.gpt && has_response_format)
        return rule("response_format",
                    "Unknown parameter: 'response_format'. The GPT image "
                    "models always return base64-encoded images.",
                    "unknown_parameter");
    if (job.model == "dall-e-3" && job.n != 1)
        return rule("n", "Invalid 'n': dall-e-3 only supports n=1.");
    return std::nullopt;
}

} // namespace openai::emulator
