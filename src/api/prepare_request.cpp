#include "api/prepare_request.hpp"

#include "api/multipart_source.hpp"
#include "codec/extra_body.hpp"

#include <openai/error.hpp>
#include <openai/json.hpp>
#include <openai/validation.hpp>

#include <boost/json/serialize.hpp>

namespace openai::detail {

namespace {

std::shared_ptr<const transport::body_source> json_body(const boost::json::object& body) {
    return std::make_shared<transport::string_body>("application/json",
                                                    boost::json::serialize(body));
}

// The JSON body with the call's extra_body merged in; null with `err` filled on a collision.
std::shared_ptr<const transport::body_source>
json_body(boost::json::object body, const request_options& options, error_info& err) {
    if (auto v = codec::merge_extra_json(body, options.extra_body, options.extra_body_override)) {
        err = invalid_request_info(v);
        return nullptr;
    }
    return json_body(body);
}

// stream=true belongs to the *_stream() calls, and they always send it.
error_info check_stream_flag(const std::optional<bool>& stream, bool streaming,
                             const char* stream_call, const char* unary_call) {
    if (!streaming && stream.value_or(false))
        return invalid_request_info({errc::invalid_request, "stream",
                                     std::string("stream=true needs ") + stream_call + "(); " +
                                         unary_call + "() is unary"});
    if (streaming && !stream.value_or(false))
        return invalid_request_info(
            {errc::invalid_request, "stream", std::string(stream_call) + "() needs stream=true"});
    return {};
}

// Azure: a request without a model is checked as if it named its deployment, so the rules apply
// when the deployment carries a known model's name (and are skipped otherwise).
template <class Request>
validation_error check_request(const client_impl& client, const Request& req) {
    const auto& azure = client.config().azure;
    if (azure && !req.model) {
        auto named = req;
        named.model = azure->deployment;
        return validate(named);
    }
    return validate(req);
}

// The model family the file rules use, or none when checks are off.
template <class Request>
std::optional<model_family> upload_rules(const client_impl& client, const Request& req,
                                         model api_default) {
    if (!client.config().validate_requests)
        return std::nullopt;
    if (req.model)
        return family_of(*req.model);
    const auto& azure = client.config().azure;
    return family_of(azure ? model(azure->deployment) : api_default);
}

// The stream flag against the call that carries it, then the API's rules (when checked).
template <class Request>
error_info check_before_encoding(const client_impl& client, const Request& req, bool check,
                                 bool streaming, const char* stream_call, const char* unary_call) {
    auto err = check_stream_flag(req.stream, streaming, stream_call, unary_call);
    if (!err && check)
        if (auto v = check_request(client, req))
            err = invalid_request_info(v);
    return err;
}

} // namespace

error_info prepare(const client_impl& client, const images_call& call, bool streaming,
                   prepared_request& out) {
    return prepare(client, call, streaming, request_options{}, out);
}

error_info prepare(const client_impl& client, const images_call& call, bool streaming,
                   const request_options& options, prepared_request& out) {
    const bool check = client.config().validate_requests;
    out.accept = streaming ? "text/event-stream" : "application/json";
    error_info err;
    std::visit(
        [&](const auto& req) {
            using T = std::decay_t<decltype(req)>;
            if constexpr (std::is_same_v<T, generate_request>) {
                out.path = "/images/generations";
                err = check_before_encoding(client, req, check, streaming, "generate_stream",
                                            "generate");
                if (err)
                    return;
                out.body = json_body(to_json(req), options, err);
            } else if constexpr (std::is_same_v<T, edit_request>) {
                out.path = "/images/edits";
                err = check_before_encoding(client, req, check, streaming, "edit_stream", "edit");
                if (err)
                    return;
                if (req.uses_json_body())
                    out.body = json_body(to_json(req), options, err);
                else
                    out.body = make_multipart_source(
                        req, upload_rules(client, req, model(models::gpt_image_1_5)), err, options);
            } else {
                out.path = "/images/variations";
                if (streaming) {
                    err = invalid_request_info(
                        {errc::invalid_request, "stream", "variations cannot be streamed"});
                    return;
                }
                if (check)
                    if (auto v = check_request(client, req)) {
                        err = invalid_request_info(v);
                        return;
                    }
                out.body = make_multipart_source(
                    req, upload_rules(client, req, model(models::dall_e_2)), err, options);
            }
        },
        call);
    if (!err && !options.extra_query.empty())
        out.path =
            codec::append_query(std::move(out.path), codec::encode_query(options.extra_query));
    return err;
}

} // namespace openai::detail
