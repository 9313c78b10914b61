// The unary image calls: encode the request, run the exchange, decode the body as it arrives.
#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "api/exchange.hpp"
#include "api/prepare_request.hpp"

#include <openai/error.hpp>
#include <openai/images.hpp>
#include <openai/json.hpp>

#include <boost/asio/strand.hpp>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// Decodes a 2xx JSON body incrementally: base64 images are decoded as their text arrives, so
// the body is never held whole.
body_reader decode_into(images_response& out, response_metadata& meta, std::uint64_t max_body,
                        unsigned images, bool keep_unknown) {
    return [&out, &meta, max_body, images,
            keep_unknown](transport::lease& lease, const http::fields&, int,
                          const transport::deadline& limit) -> asio::awaitable<error_info> {
        error_info failure;
        images_response_parser parser;
        parser.keep_unknown_fields(keep_unknown);
        if (const auto length = lease->body_length())
            parser.expect_body_size(*length, images);
        std::unique_ptr<char[]> chunk(new char[body_read_chunk]);
        std::uint64_t total = 0;
        error_code ec;
        std::string what;
        bool parser_ok = true;
        while (!lease->body_done()) {
            const auto n = co_await lease->read_body(chunk.get(), body_read_chunk, limit, ec, what);
            if (ec)
                co_return body_read_failure(ec, std::move(what));
            if (total == 0 && n > 0)
                meta.times.first_body_byte = std::chrono::steady_clock::now();
            total += n;
            if (total > max_body) {
                lease->close();
                failure.code = errc::body_too_large;
                failure.message = "response body exceeds the configured maximum of " +
                                  std::to_string(max_body) + " bytes";
                co_return failure;
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
            failure.code = decoded.code;
            failure.message = "cannot decode the response: " + decoded.message;
            co_return failure;
        }
        out = std::move(decoded.value);
        co_return failure;
    };
}

asio::awaitable<operation_result<images_response>>
run_call(std::shared_ptr<client_impl> client, images_call call, request_options options) {
    operation_result<images_response> result;
    response_metadata meta;
    meta.times.started = std::chrono::steady_clock::now();
    prepared_request request;
    result.first = prepare(*client, call, false, options, request);
    if (result.first.code)
        co_return result;
    request.creates_images = true;
    // How many images the body should hold: each image buffer is sized from it once.
    const int images = std::visit([](const auto& r) { return r.n.value_or(1); }, call);
    auto reader =
        decode_into(result.second, meta, client->config().max_body_size,
                    images > 0 ? static_cast<unsigned>(images) : 1u, options.keep_unknown_fields);
    result.first = co_await exchange(*client, request, options, reader, meta);
    if (!result.first.code)
        meta.times.completed = std::chrono::steady_clock::now();
    result.second.meta = std::move(meta);
    co_return result;
}

} // namespace

void start_images_call(std::shared_ptr<client_impl> client, images_call call,
                       request_options options, operation_handler<images_response> handler) {
    auto strand = asio::make_strand(client->executor());
    start_operation(strand, client->executor(),
                    run_call(client, std::move(call), std::move(options)), std::move(handler));
}

} // namespace openai::detail
