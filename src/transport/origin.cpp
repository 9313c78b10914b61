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

std::optional<base_location> parse_base_url(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        error = "invalid base URL '" + std::string(url) + "': " + parsed.error().message();
        return std::nullopt;
    }
    const auto& u = *parsed;
    base_location out;
    if (u.scheme() == "https")
        out.origin.tls = true;
    else if (u.scheme() == "http")
        out.origin.tls = false;
    else {
        error = "base URL must use http or https, not '" + std::string(u.scheme()) + "'";
        return std::nullopt;
    }
    if (u.has_userinfo()) {
        error = "base URL must not contain user info (credentials go in the API key)";
        return std::nullopt;
    }
    out.origin.host = u.host_address();
    if (out.origin.host.empty()) {
        error = "base URL '" + std::string(url) + "' has no host";
        return std::nullopt;
    }
    out.origin.port = out.origin.tls ? 443 : 80;
    if (u.has_port()) {
        const auto p = u.port();
        unsigned value = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
        if (ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535) {
            error = "base URL has an invalid port '" + std::string(p) + "'";
            return std::nullopt;
        }
        out.origin.port = static_cast<std::uint16_t>(value);
    }
    out.path = std::string(u.encoded_path());
    while (!out.path.empty() && out.path.back() == '/')
        out.path.pop_back();
    out.query = std::string(u.encoded_query());
    return out;
}

} // namespace openai::transport
