// The unary image calls: encode the request, run the exchange, decode the body as it arrives.
#include "api/client_impl.hpp"
#include "api/exchange.hpp"
#include "api/multipart_source.hpp"

#include <openai/error.hpp>
#include <openai/images.hpp>
#include <openai/json.hpp>
#include <openai/validation.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;

using call_outcome = std::pair<error_info, images_response>;

error_info invalid(const validation_error& v) {
    error_info info;
    info.code = v.code;
    info.message = "invalid request: " + v.param + ": " + v.message;
    info.api = api_error{v.message, std::string("invalid_request_error"), v.param, std::nullopt};
    return info;
}

std::shared_ptr<const transport::body_source> json_body(const boost::json::object& body) {
    return std::make_shared<transport::string_body>("application/json",
                                                    boost::json::serialize(body));
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

// Checks and encodes one call. Returns a filled error_info when it must not be sent.
error_info prepare(const client_impl& client, const images_call& call, prepared_request& out) {
    const bool check = client.config().validate_requests;
    error_info err;
    std::visit(
        [&](const auto& req) {
            using T = std::decay_t<decltype(req)>;
            if constexpr (std::is_same_v<T, generate_request>) {
                out.path = "/images/generations";
                if (req.stream.value_or(false)) {
                    err = invalid({errc::invalid_request, "stream",
                                   "stream=true needs generate_stream(); generate() is unary"});
                    return;
                }
                if (check)
                    if (auto v = check_request(client, req)) {
                        err = invalid(v);
                        return;
                    }
                out.body = json_body(to_json(req));
            } else if constexpr (std::is_same_v<T, edit_request>) {
                out.path = "/images/edits";
                if (req.stream.value_or(false)) {
                    err = invalid({errc::invalid_request, "stream",
                                   "stream=true needs edit_stream(); edit() is unary"});
                    return;
                }
                if (check)
                    if (auto v = check_request(client, req)) {
                        err = invalid(v);
                        return;
                    }
                if (req.uses_json_body())
                    out.body = json_body(to_json(req));
                else
                    out.body = make_multipart_source(
                        req, upload_rules(client, req, model(models::gpt_image_1_5)), err);
            } else {
                out.path = "/images/variations";
                if (check)
                    if (auto v = check_request(client, req)) {
                        err = invalid(v);
                        return;
                    }
                out.body = make_multipart_source(
                    req, upload_rules(client, req, model(models::dall_e_2)), err);
            }
        },
        call);
    return err;
}

// Decodes a 2xx JSON body incrementally: base64 images are decoded as their text arrives, so
// the body is never held whole.
body_reader decode_into(images_response& out, std::uint64_t max_body) {
    return [&out, max_body](transport::lease& lease, const http::fields&, int,
                            const transport::deadline& limit) -> asio::awaitable<body_result> {
        body_result result;
        images_response_parser parser;
        std::unique_ptr<char[]> chunk(new char[read_chunk]);
        std::uint64_t total = 0;
        error_code ec;
        std::string what;
        bool parser_ok = true;
        while (!lease->body_done()) {
            const auto n = co_await lease->read_body(chunk.get(), read_chunk, limit, ec, what);
            if (ec) {
                result.error.code = ec;
                result.error.message = what;
                result.retryable = ec == errc::connection_closed || ec == errc::truncated_body ||
                                   ec == errc::request_timeout;
                co_return result;
            }
            total += n;
            if (total > max_body) {
                lease->close();
                result.error.code = errc::body_too_large;
                result.error.message = "response body exceeds the configured maximum of " +
                                       std::to_string(max_body) + " bytes";
                co_return result;
            }
            if (!parser.write(std::string_view(chunk.get(), n))) {
                parser_ok = false;
                lease->close(); // the rest of the body is unread
                break;
            }
        }
        if (parser_ok)
            lease->finish_exchange();
        auto decoded = parser.finish();
        if (!decoded.ok()) {
            result.error.code = decoded.code;
            result.error.message = "cannot decode the response: " + decoded.message;
            co_return result;
        }
        out = std::move(decoded.value);
        co_return result;
    };
}

asio::awaitable<call_outcome> run_call(std::shared_ptr<client_impl> client, images_call call,
                                       request_options options) {
    call_outcome outcome;
    prepared_request request;
    outcome.first = prepare(*client, call, request);
    if (outcome.first.code)
        co_return outcome;
    response_metadata meta;
    auto reader = decode_into(outcome.second, client->config().max_body_size);
    outcome.first = co_await exchange(*client, request, options, reader, meta);
    outcome.second.meta = std::move(meta);
    co_return outcome;
}

// Where and how the user's handler wants to be completed, read before the handler is moved.
struct handler_binding {
    asio::cancellation_slot slot;
    asio::any_completion_executor executor;
};

template <class Handler>
handler_binding binding_of(const Handler& handler, const client_impl& client) {
    return {asio::get_associated_cancellation_slot(handler),
            asio::get_associated_executor(handler, client.executor())};
}

// Runs the call on a strand of its own and completes `on_done` on the handler's executor, with
// the handler's cancellation slot forwarded into the coroutine.
template <class OnDone>
void spawn(std::shared_ptr<client_impl> client, images_call call, request_options options,
           const handler_binding& binding, OnDone on_done) {
    auto strand = asio::make_strand(client->executor());
    asio::co_spawn(strand, run_call(client, std::move(call), std::move(options)),
                   asio::bind_cancellation_slot(
                       binding.slot, asio::bind_executor(binding.executor, std::move(on_done))));
}

error_info from_exception(std::exception_ptr ep) {
    error_info info;
    info.code = errc::invalid_response;
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        info.message = std::string("internal failure: ") + e.what();
    } catch (...) {
        info.message = "internal failure";
    }
    return info;
}

} // namespace

void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, throwing_handler handler) {
    const auto binding = binding_of(handler, *client);
    spawn(std::move(client), std::move(call), std::move(options), binding,
          [handler = std::move(handler)](std::exception_ptr ep, call_outcome outcome) mutable {
              if (!ep && outcome.first.code)
                  ep = std::make_exception_ptr(request_error(std::move(outcome.first)));
              std::move(handler)(ep, ep ? images_response{} : std::move(outcome.second));
          });
}

void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, error_info* info, code_handler handler) {
    const auto binding = binding_of(handler, *client);
    spawn(
        std::move(client), std::move(call), std::move(options), binding,
        [handler = std::move(handler), info](std::exception_ptr ep, call_outcome outcome) mutable {
            if (ep)
                outcome.first = from_exception(ep);
            const auto ec = outcome.first.code;
            *info = std::move(outcome.first);
            std::move(handler)(ec, ec ? images_response{} : std::move(outcome.second));
        });
}

} // namespace openai::detail
