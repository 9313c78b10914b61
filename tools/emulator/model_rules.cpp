#include "emulator/model_rules.hpp"

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

template <class T>
void take(const boost::json::object& sent, const char* name, std::optional<T>& out) {
    const auto* v = sent.if_contains(name);
    if (!v)
        return;
    if constexpr (std::is_same_v<T, int>)
        out = static_cast<int>(v->to_number<std::int64_t>());
    else if constexpr (std::is_same_v<T, bool>)
        out = v->as_bool();
    else
        out = T(std::string(v->as_string()));
}

std::string take_string(const boost::json::object& sent, const char* name) {
    const auto* v = sent.if_contains(name);
    return v ? std::string(v->as_string()) : std::string();
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
    case operation::generate: {
        generate_request r;
        r.prompt = take_string(sent, "prompt");
        take(sent, "model", r.model);
        take(sent, "n", r.n);
        take(sent, "quality", r.quality);
        take(sent, "response_format", r.response_format);
        take(sent, "output_format", r.output_format);
        take(sent, "output_compression", r.output_compression);
        take(sent, "stream", r.stream);
        take(sent, "partial_images", r.partial_images);
        take(sent, "size", r.size);
        take(sent, "moderation", r.moderation);
        take(sent, "background", r.background);
        take(sent, "style", r.style);
        take(sent, "user", r.user);
        verdict = validate(r);
        break;
    }
    case operation::edit: {
        edit_request r;
        r.images = inputs.images;
        r.mask = inputs.mask;
        r.prompt = take_string(sent, "prompt");
        take(sent, "model", r.model);
        take(sent, "n", r.n);
        take(sent, "size", r.size);
        take(sent, "quality", r.quality);
        take(sent, "response_format", r.response_format);
        take(sent, "output_format", r.output_format);
        take(sent, "output_compression", r.output_compression);
        take(sent, "background", r.background);
        take(sent, "input_fidelity", r.input_fidelity);
        take(sent, "moderation", r.moderation);
        take(sent, "stream", r.stream);
        take(sent, "partial_images", r.partial_images);
        take(sent, "user", r.user);
        verdict = validate(r);
        break;
    }
    case operation::variation: {
        variation_request r;
        if (!inputs.images.empty())
            if (const auto* f = std::get_if<image_file>(&inputs.images.front()))
                r.image = *f;
        take(sent, "model", r.model);
        take(sent, "n", r.n);
        take(sent, "response_format", r.response_format);
        take(sent, "size", r.size);
        take(sent, "user", r.user);
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
