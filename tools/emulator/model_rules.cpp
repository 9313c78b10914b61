#include "emulator/model_rules.hpp"

#include "codec/field_codec.hpp"
#include "emulator/request_checks.hpp"

#include <openai/validation.hpp>

namespace openai::emulator {
namespace {

error_reply rule(std::string param, std::string message, std::string code = "invalid_value") {
    error_reply e;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

// The typed request the client sent, rebuilt through the library's field table (`sent` holds
// only values whose types the structural checks accepted, so the walk does not throw).
template <class Request>
Request rebuild(const boost::json::object& sent, unsigned body) {
    Request r;
    try {
        codec::decode_fields(sent, r, body, codec::json_path{});
    } catch (const codec::json_read_error&) {
    }
    return r;
}

std::optional<error_reply> to_api_error(const validation_error& e) {
    if (!e)
        return std::nullopt;
    std::string message = e.message;
    if (!message.empty())
        message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
    if (!message.ends_with("."))
        message += '.';
    return rule(e.param, "Invalid '" + e.param + "': " + message);
}

} // namespace

std::optional<error_reply> apply_model_rules(const image_job& job, const boost::json::object& sent,
                                             const rule_inputs& inputs) {
    validation_error verdict;
    switch (job.op) {
    case operation::generate:
        verdict = validate(rebuild<generate_request>(sent, bodies::json));
        break;
    case operation::edit: {
        auto r = rebuild<edit_request>(sent, job.json_edit ? bodies::json : bodies::form);
        r.images = inputs.images;
        r.mask = inputs.mask;
        verdict = validate(r);
        break;
    }
    case operation::variation: {
        auto r = rebuild<variation_request>(sent, bodies::form);
        if (!inputs.images.empty())
            if (const auto* f = std::get_if<image_file>(&inputs.images.front()))
                r.image = *f;
        verdict = validate(r);
        break;
    }
    }
    if (auto e = to_api_error(verdict))
        return e;

    // What the emulator itself relies on, whatever the rules above say.
    if (job.stream && !job.gpt)
        return rule("stream", "Streaming is only supported for the GPT image models, not '" +
                                  job.model + "'.");
    if (job.gpt && sent.contains("response_format"))
        return rule("response_format",
                    "Unknown parameter: 'response_format'. The GPT image models always return "
                    "base64-encoded images.",
                    "unknown_parameter");
    if (job.model == "dall-e-3" && job.n != 1)
        return rule("n", "Invalid 'n': dall-e-3 only supports n=1.");
    return std::nullopt;
}

} // namespace openai::emulator
