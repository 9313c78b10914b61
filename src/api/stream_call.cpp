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

asio::awaitable<operation_result<image_stream>> run_open(std::shared_ptr<client_impl> client,
                                                         std::shared_ptr<stream_state> state,
                                                         images_call call,
                                                         request_options options) {
    operation_result<image_stream> result;
    auto& meta = state->metadata();
    meta.times.started = std::chrono::steady_clock::now();
    std::visit(
        [](auto& r) {
            if constexpr (requires { r.stream; })
                r.stream = true;
        },
        call);
    prepared_request request;
    result.first = prepare(*client, call, true, options, request);
    if (result.first.code)
        co_return result;
    request.creates_images = true;
    state->keep_unknown_fields(options.keep_unknown_fields);
    const auto idle = options.timeouts.value_or(client->config().timeouts).stream_idle;
    // Nothing of the body is read here: the stream reads it when next() asks.
    body_reader hand_over = [&state,
                             idle](transport::lease& lease, const http::fields&, int,
                                   const transport::deadline&) -> asio::awaitable<error_info> {
        state->adopt(std::move(lease), idle);
        co_return error_info{};
    };
    result.first = co_await exchange(*client, request, options, hand_over, meta);
    if (!result.first.code)
        result.second = stream_access::make(std::move(state));
    co_return result; // on failure the state dies here, closing what it holds
}

} // namespace

void start_stream_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, operation_handler<image_stream> handler) {
    auto strand = asio::make_strand(client->executor());
    // The stream's next() calls run on the strand that opened it.
    auto state = std::make_shared<stream_state>(client, strand);
    start_operation(strand, client->executor(),
                    run_open(client, std::move(state), std::move(call), std::move(options)),
                    std::move(handler));
}

} // namespace openai::detail
