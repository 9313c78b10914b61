// The response-head reader as src/transport/connection.cpp runs it: a Beast
// response_parser<empty_body> with a 64 KB header limit and no body limit, fed through a buffer
// that keeps what put() did not use (read_head), or the proxy's CONNECT configuration (skip(true)).
// Then the body framing start_body() picks, the chunked decoder over the rest when the body is
// chunked, and the retry rules over the headers exchange.cpp reads.
#include "codec/chunked_decoder.hpp"
#include "codec/retry_rules.hpp"
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <string>

namespace openai::fuzz {
namespace {

namespace http = boost::beast::http;

// connection.cpp's limits.
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr std::size_t read_buffer_limit = 64 * 1024;

void check_retry_rules(const http::fields& fields, int status) {
    const std::string should_retry(fields["x-should-retry"]);
    const std::string retry_after_ms(fields["retry-after-ms"]);
    const std::string retry_after(fields["retry-after"]);
    const codec::retry_headers headers{should_retry, retry_after_ms, retry_after};
    (void)codec::is_retryable_status(status, headers);
    const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
    if (const auto delay = codec::server_retry_delay(headers, now))
        OPENAI_FUZZ_CHECK(delay->count() >= 0);
    (void)codec::parse_http_date(retry_after);
}

} // namespace

void fuzz_http_head(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    const bool proxy = in.option(0);
    http::response_parser<http::empty_body> parser;
    parser.header_limit(header_limit);
    if (proxy)
        parser.skip(true);
    else
        parser.body_limit(boost::none);

    // read_head(): each read appends to the buffer, put() sees all that is buffered.
    std::string buffer;
    boost::system::error_code ec;
    const auto pieces = in.pieces();
    std::size_t next = 0;
    bool header_done = false;
    for (;;) {
        if (!buffer.empty()) {
            const auto used = parser.put(boost::asio::buffer(buffer), ec);
            OPENAI_FUZZ_CHECK(used <= buffer.size());
            buffer.erase(0, used);
            if (ec == http::error::need_more)
                ec = {};
            if (ec || parser.is_header_done()) {
                header_done = !ec;
                break;
            }
        }
        if (buffer.size() >= read_buffer_limit)
            break; // header_limit
        if (next == pieces.size()) {
            // As Beast's read does (and connection::read_head): put_eof() only once the parser
            // has seen a byte; before that the end of stream is simply end_of_stream.
            if (parser.got_some())
                (void)parser.put_eof(ec);
            break; // end of stream or partial message
        }
        buffer.append(pieces[next++]);
    }
    if (!header_done)
        return;
    OPENAI_FUZZ_CHECK(parser.is_header_done());
    const auto& head = parser.get();
    const int status = static_cast<int>(head.result_int());
    OPENAI_FUZZ_CHECK(status >= 0 && status <= 999);
    (void)head.reason();
    (void)parser.keep_alive();
    check_retry_rules(head, status);
    if (proxy)
        return;

    // start_body(), then the body as read_body() would see it.
    std::string rest = buffer;
    for (; next < pieces.size(); ++next)
        rest.append(pieces[next]);
    if (parser.is_done()) {
        return;
    } else if (parser.chunked()) {
        codec::chunked_decoder chunked;
        std::string body;
        for (const auto piece : in.split(rest)) {
            std::string copy(piece);
            const auto r = chunked.decode(copy.data(), copy.size());
            OPENAI_FUZZ_CHECK(r.body + r.leftover <= copy.size());
            body.append(copy.data(), r.body);
            if (chunked.done() || chunked.failed())
                break;
        }
    } else if (const auto length = parser.content_length()) {
        (void)std::min<std::uint64_t>(*length, rest.size());
    }
}

} // namespace openai::fuzz
