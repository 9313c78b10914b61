// Opening a stream: the request goes out like a unary call (same validation, retries up to the
// response head, error bodies read and decoded), but a 2xx text/event-stream response hands its
// connection, unread, to a new image_stream.
#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "api/exchange.hpp"
#include "api/prepare_request.hpp"
#include "api/stream_state.hpp"

#include <openai/images.hpp>

#include <boost/asio/strand.hpp>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

asio::awaitable<error_info> run_open(std::shared_ptr<client_impl> client,
                                     std::shared_ptr<stream_state> state, images_call call,
                                     request_options options) {
    prepared_request request;
    auto err = prepare(*client, call, true, options, request);
    if (err)
        co_return err;
    state->keep_unknown_fields(options.keep_unknown_fields);
    const auto idle = options.timeouts.value_or(client->config().timeouts).stream_idle;
    // Nothing of the body is read here: the stream reads it when next() asks.
    body_reader hand_over = [&state,
                             idle](transport::lease& lease, const http::fields&, int,
                                   const transport::deadline&) -> asio::awaitable<body_result> {
        state->adopt(std::move(lease), idle);
        co_return body_result{};
    };
    response_metadata meta;
    err = co_await exchange(*client, request, options, hand_over, meta);
    state->metadata() = std::move(meta);
    co_return err;
}

template <class OnDone>
void spawn_open(std::shared_ptr<client_impl> client, images_call call, request_options options,
                const handler_binding& binding, OnDone on_done) {
    auto strand = asio::make_strand(client->executor());
    // The stream's next() calls run on the strand that opened it.
    auto state = std::make_shared<stream_state>(client, strand);
    spawn_bound(
        strand, run_open(std::move(client), state, std::move(call), std::move(options)), binding,
        [state, on_done = std::move(on_done)](std::exception_ptr ep, error_info err) mutable {
            if (ep)
                err = from_exception(ep);
            on_done(std::move(err), std::move(state));
        });
}

} // namespace

void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, stream_throwing_handler handler) {
    const auto binding = binding_of(handler, client->executor());
    spawn_open(std::move(client), std::move(call), std::move(options), binding,
               [handler = std::move(handler)](error_info err,
                                              std::shared_ptr<stream_state> state) mutable {
                   if (err) {
                       state.reset(); // closes whatever it holds
                       std::move(handler)(std::make_exception_ptr(request_error(std::move(err))),
                                          image_stream{});
                       return;
                   }
                   std::move(handler)(nullptr, stream_access::make(std::move(state)));
               });
}

void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, error_info* info, stream_code_handler handler) {
    const auto binding = binding_of(handler, client->executor());
    spawn_open(std::move(client), std::move(call), std::move(options), binding,
               [handler = std::move(handler), info](error_info err,
                                                    std::shared_ptr<stream_state> state) mutable {
                   const auto ec = err.code;
                   *info = std::move(err);
                   if (ec) {
                       state.reset();
                       std::move(handler)(ec, image_stream{});
                       return;
                   }
                   std::move(handler)(ec, stream_access::make(std::move(state)));
               });
}

} // namespace openai::detail
