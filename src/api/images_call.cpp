// The unary image calls: encode the request, run the exchange, decode the body as it arrives.
#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "api/exchange.hpp"
#include "api/prepare_request.hpp"

#include <openai/error.hpp>
#include <openai/images.hpp>
#include <openai/json.hpp>

#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;

using call_outcome = std::pair<error_info, images_response>;

// Decodes a 2xx JSON body incrementally: base64 images are decoded as their text arrives, so
// the body is never held whole.
body_reader decode_into(images_response& out, std::uint64_t max_body, unsigned images,
                        bool keep_unknown) {
    return [&out, max_body, images,
            keep_unknown](transport::lease& lease, const http::fields&, int,
                          const transport::deadline& limit) -> asio::awaitable<body_result> {
        body_result result;
        images_response_parser parser;
        parser.keep_unknown_fields(keep_unknown);
        if (const auto length = lease->body_length())
            parser.expect_body_size(*length, images);
        std::unique_ptr<char[]> chunk(new char[read_chunk]);
        std::uint64_t total = 0;
        error_code ec;
        std::string what;
        bool parser_ok = true;
        while (!lease->body_done()) {
            const auto n = co_await lease->read_body(chunk.get(), read_chunk, limit, ec, what);
            if (ec)
                co_return body_read_failure(ec, std::move(what));
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
    outcome.first = prepare(*client, call, false, options, request);
    if (outcome.first.code)
        co_return outcome;
    response_metadata meta;
    // How many images the body should hold: each image buffer is sized from it once.
    const int images = std::visit([](const auto& r) { return r.n.value_or(1); }, call);
    auto reader =
        decode_into(outcome.second, client->config().max_body_size,
                    images > 0 ? static_cast<unsigned>(images) : 1u, options.keep_unknown_fields);
    outcome.first = co_await exchange(*client, request, options, reader, meta);
    outcome.second.meta = std::move(meta);
    co_return outcome;
}

// Runs the call on a strand of its own and completes `on_done` on the handler's executor, with
// the handler's cancellation slot forwarded into the coroutine.
template <class OnDone>
void spawn(std::shared_ptr<client_impl> client, images_call call, request_options options,
           const handler_binding& binding, OnDone on_done) {
    auto strand = asio::make_strand(client->executor());
    spawn_bound(strand, run_call(client, std::move(call), std::move(options)), binding,
                std::move(on_done));
}

} // namespace

void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, throwing_handler handler) {
    const auto binding = binding_of(handler, client->executor());
    spawn(std::move(client), std::move(call), std::move(options), binding,
          [handler = std::move(handler)](std::exception_ptr ep, call_outcome outcome) mutable {
              if (!ep && outcome.first.code)
                  ep = std::make_exception_ptr(request_error(std::move(outcome.first)));
              std::move(handler)(ep, ep ? images_response{} : std::move(outcome.second));
          });
}

void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, error_info* info, code_handler handler) {
    const auto binding = binding_of(handler, client->executor());
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
