#include "transport/origin.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace openai::transport {

std::string origin::host_header() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80))
        out += ":" + std::to_string(port);
    return out;
}

std::string origin::key() const {
    return (tls ? "https://" : "http://") + host + "#" + std::to_string(port);
}

std::optional<std::uint16_t> parse_port(std::string_view p) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

origin_problem read_origin(const boost::urls::url_view& u, origin& out) {
    if (u.scheme() == "https")
        out.tls = true;
    else if (u.scheme() == "http")
        out.tls = false;
    else
        return origin_problem::scheme;
    if (u.has_userinfo())
        return origin_problem::user_info;
    out.host = u.host_address();
    if (out.host.empty())
        return origin_problem::no_host;
    out.port = out.tls ? 443 : 80;
    if (u.has_port()) {
        const auto port = parse_port(u.port());
        if (!port)
            return origin_problem::port;
        out.port = *port;
    }
    return origin_problem::none;
}

std::optional<base_location> parse_base_url(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        error = "invalid base URL '" + std::string(url) + "': " + parsed.error().message();
        return std::nullopt;
    }
    const auto& u = *parsed;
    base_location out;
    switch (read_origin(u, out.origin)) {
    case origin_problem::none:
        break;
    case origin_problem::scheme:
        error = "base URL must use http or https, not '" + std::string(u.scheme()) + "'";
        return std::nullopt;
    case origin_problem::user_info:
        error = "base URL must not contain user info (credentials go in the API key)";
        return std::nullopt;
    case origin_problem::no_host:
        error = "base URL '" + std::string(url) + "' has no host";
        return std::nullopt;
    case origin_problem::port:
        error = "base URL has an invalid port '" + std::string(u.port()) + "'";
        return std::nullopt;
    }
    out.path = std::string(u.encoded_path());
    while (!out.path.empty() && out.path.back() == '/')
        out.path.pop_back();
    out.query = std::string(u.encoded_query());
    return out;
}

} // namespace openai::transport
