// client::download: GET a result URL through the client's pool and stream the body to a file.
#include "api/atomic_file.hpp"
#include "api/client_impl.hpp"
#include "api/completion.hpp"
#include "api/exchange.hpp"

#include <openai/download.hpp>
#include <openai/error.hpp>

#include <boost/asio/strand.hpp>
#include <boost/url/parse.hpp>

namespace openai::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

using outcome = operation_result<download_result>;

struct download_target {
    transport::origin origin;
    std::string target;    // path and query
    std::string displayed; // scheme://host/path, never the query (it may hold a signature)
};

std::optional<download_target> parse_url(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        error = "not an absolute URL (" + parsed.error().message() + ")";
        return std::nullopt;
    }
    const auto& u = *parsed;
    download_target out;
    switch (transport::read_origin(u, out.origin)) {
    case transport::origin_problem::none:
        break;
    case transport::origin_problem::scheme:
        error = "the scheme must be http or https, not '" + std::string(u.scheme()) + "'";
        return std::nullopt;
    case transport::origin_problem::user_info:
        error = "URLs with user info are not downloaded";
        return std::nullopt;
    case transport::origin_problem::no_host:
        error = "the URL has no host";
        return std::nullopt;
    case transport::origin_problem::port:
        error = "invalid port '" + std::string(u.port()) + "'";
        return std::nullopt;
    }
    std::string path(u.encoded_path());
    if (path.empty())
        path = "/";
    out.target = path;
    if (u.has_query())
        out.target += "?" + std::string(u.encoded_query());
    out.displayed = std::string(u.scheme()) + "://" + out.origin.host_header() + path;
    return out;
}

// Streams a 2xx body into an atomic file; a retry starts a new temporary file.
body_reader write_to(const std::filesystem::path& path, std::uint64_t max_body,
                     download_result& out) {
    return [&path, max_body,
            &out](transport::lease& lease, const http::fields& fields, int,
                  const transport::deadline& limit) -> asio::awaitable<error_info> {
        error_info result;
        atomic_file file;
        std::error_code fec;
        std::string what;
        const auto file_failed = [&] {
            lease->close(); // the rest of the body is unread
            result.code = error_code(fec.value(), boost::system::generic_category());
            result.message = what;
        };
        if (!file.open(path, fec, what)) {
            file_failed();
            co_return result;
        }
        // Read now: finishing the exchange releases the response head.
        std::string content_type(fields[http::field::content_type]);
        std::unique_ptr<char[]> chunk(new char[body_read_chunk]);
        while (!lease->body_done()) {
            error_code ec;
            const auto n = co_await lease->read_body(chunk.get(), body_read_chunk, limit, ec, what);
            if (ec)
                co_return body_read_failure(ec, std::move(what));
            if (file.size() + n > max_body) {
                lease->close();
                result.code = errc::body_too_large;
                result.message = "the download exceeds the configured maximum of " +
                                 std::to_string(max_body) + " bytes";
                co_return result;
            }
            if (!file.write(std::string_view(chunk.get(), n), fec, what)) {
                file_failed();
                co_return result;
            }
        }
        lease->finish_exchange();
        if (!file.commit(fec, what)) {
            result.code = error_code(fec.value(), boost::system::generic_category());
            result.message = what;
            co_return result;
        }
        out.path = path;
        out.size = file.size();
        out.content_type = std::move(content_type);
        co_return result;
    };
}

asio::awaitable<outcome> run_download(std::shared_ptr<client_impl> client, std::string url,
                                      std::filesystem::path path, request_options options) {
    outcome o;
    o.second.meta.times.started = std::chrono::steady_clock::now();
    std::string error;
    auto where = parse_url(url, error);
    if (!where) {
        o.first.code = errc::invalid_request;
        o.first.message = "cannot download: " + error;
        co_return o;
    }
    if (where->origin.tls && !client->tls_error().empty()) {
        o.first.code = errc::tls_handshake_failed;
        o.first.message = "cannot download " + where->displayed + ": " + client->tls_error();
        co_return o;
    }
    prepared_request request;
    request.method = "GET";
    request.path = where->target;
    request.origin = where->origin;
    request.accept = "image/*, */*;q=0.5";
    request.expected_type = "*/*"; // storage services label images loosely; the bytes decide
    response_metadata meta = o.second.meta;
    auto reader = write_to(path, client->config().max_body_size, o.second);
    o.first = co_await exchange(*client, request, options, reader, meta);
    if (o.first.code) {
        if (o.first.http_status == 404) {
            o.first.code = errc::not_found;
            o.first.message = "download of " + where->displayed +
                              " failed: the URL has expired (result URLs are valid for 60 "
                              "minutes) or never existed (" +
                              o.first.message + ")";
        } else {
            o.first.message = "download of " + where->displayed + " failed: " + o.first.message;
        }
        o.second = {};
    } else {
        meta.times.completed = std::chrono::steady_clock::now();
    }
    o.second.meta = std::move(meta);
    co_return o;
}

} // namespace

void start_download(std::shared_ptr<client_impl> client, std::string url,
                    std::filesystem::path path, request_options options,
                    operation_handler<download_result> handler) {
    auto strand = asio::make_strand(client->executor());
    start_operation(strand, client->executor(),
                    run_download(client, std::move(url), std::move(path), std::move(options)),
                    std::move(handler));
}

} // namespace openai::detail
