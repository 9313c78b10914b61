#include "transport/proxy.hpp"

#include "codec/ascii.hpp"
#include "codec/base64.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace openai::transport {
namespace {

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::optional<std::vector<unsigned char>> address_bytes(std::string_view text) {
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(std::string(text), ec);
    if (ec)
        return std::nullopt;
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        return std::vector<unsigned char>(b.begin(), b.end());
    }
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) {
        const auto b = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_bytes();
        return std::vector<unsigned char>(b.begin(), b.end());
    }
    const auto b = v6.to_bytes();
    return std::vector<unsigned char>(b.begin(), b.end());
}

bool prefix_matches(const std::vector<unsigned char>& net, unsigned prefix,
                    const std::vector<unsigned char>& addr) {
    if (net.size() != addr.size())
        return false;
    unsigned bits = prefix;
    for (std::size_t i = 0; i < net.size() && bits > 0; ++i) {
        const unsigned take = std::min(bits, 8u);
        const auto mask = static_cast<unsigned char>(0xff << (8 - take));
        if ((net[i] & mask) != (addr[i] & mask))
            return false;
        bits -= take;
    }
    return true;
}

} // namespace

std::string proxy_endpoint::display() const {
    return bracketed(host) + ":" + std::to_string(port);
}

std::optional<proxy_endpoint> parse_proxy_url(std::string_view url, std::string& error) {
    std::string text(url);
    // Trailing whitespace is common in hand-written environment files.
    text.resize(codec::trim_right(text, " \t\n\v\f\r").size());
    if (text.find("://") == std::string::npos)
        text = "http://" + text;
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        // The text may hold credentials: do not repeat it.
        error = "invalid proxy URL: " + parsed.error().message();
        return std::nullopt;
    }
    const auto& u = *parsed;
    if (codec::to_lower(u.scheme()) != "http") {
        error = "proxy URL scheme '" + std::string(u.scheme()) +
                "' is not supported (only http:// proxies, which tunnel https with CONNECT)";
        return std::nullopt;
    }
    proxy_endpoint out;
    out.host = u.host_address();
    if (out.host.empty()) {
        error = "proxy URL has no host";
        return std::nullopt;
    }
    if (u.has_port()) {
        const auto p = parse_port(u.port());
        if (!p) {
            error = "proxy URL has an invalid port '" + std::string(u.port()) + "'";
            return std::nullopt;
        }
        out.port = *p;
    }
    const auto path = u.encoded_path();
    if ((!path.empty() && path != "/") || u.has_query() || u.has_fragment()) {
        error = "proxy URL must be scheme://host:port, without a path, query or fragment";
        return std::nullopt;
    }
    if (u.has_userinfo()) {
        const std::string credentials = u.user() + ":" + u.password();
        out.authorization = "Basic " + codec::base64_encode(credentials);
    }
    return out;
}

no_proxy_list::no_proxy_list(std::string_view spec) {
    std::size_t i = 0;
    while (i < spec.size()) {
        const auto end = spec.find_first_of(", \t", i);
        const auto item = spec.substr(i, end == std::string_view::npos ? spec.size() - i : end - i);
        i = end == std::string_view::npos ? spec.size() : end + 1;
        if (item.empty())
            continue;
        if (item == "*") {
            all_ = true;
            continue;
        }
        entry e;
        std::string_view host = item;
        // "[v6]:port", "[v6]", "host:port", "v6" (more than one colon: no port).
        if (host.front() == '[') {
            const auto close = host.find(']');
            if (close == std::string_view::npos)
                continue;
            const auto rest = host.substr(close + 1);
            host = host.substr(1, close - 1);
            if (rest.size() > 1 && rest.front() == ':') {
                const auto p = parse_port(rest.substr(1));
                if (!p)
                    continue;
                e.port = *p;
            }
        } else if (std::count(host.begin(), host.end(), ':') == 1) {
            const auto colon = host.find(':');
            const auto p = parse_port(host.substr(colon + 1));
            if (!p)
                continue;
            e.port = *p;
            host = host.substr(0, colon);
        }
        const auto slash = host.find('/');
        if (slash != std::string_view::npos) {
            auto net = address_bytes(host.substr(0, slash));
            unsigned bits = 0;
            const auto b = host.substr(slash + 1);
            auto [ptr, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
            if (!net || b.empty() || ec != std::errc{} || ptr != b.data() + b.size() ||
                bits > net->size() * 8)
                continue;
            e.net = std::move(*net);
            e.prefix = bits;
        } else if (auto addr = address_bytes(host)) {
            e.prefix = static_cast<unsigned>(addr->size() * 8);
            e.net = std::move(*addr);
        } else {
            while (!host.empty() && host.front() == '.')
                host.remove_prefix(1);
            if (host.empty())
                continue;
            e.name = codec::to_lower(host);
        }
        entries_.push_back(std::move(e));
    }
}

bool no_proxy_list::matches(std::string_view host, std::uint16_t port) const {
    if (all_)
        return true;
    if (entries_.empty())
        return false;
    std::string name = codec::to_lower(host);
    if (name.size() > 2 && name.front() == '[' && name.back() == ']')
        name = name.substr(1, name.size() - 2);
    while (!name.empty() && name.back() == '.')
        name.pop_back(); // "example.com." is example.com
    const auto addr = address_bytes(name);
    for (const auto& e : entries_) {
        if (e.port != 0 && e.port != port)
            continue;
        if (!e.net.empty()) {
            if (addr && prefix_matches(e.net, e.prefix, *addr))
                return true;
            continue;
        }
        if (name == e.name || (name.size() > e.name.size() && name.ends_with(e.name) &&
                               name[name.size() - e.name.size() - 1] == '.'))
            return true;
    }
    return false;
}

std::string route::key() const {
    std::string k = target.key();
    if (proxy) {
        k += " via ";
        k += proxy->display();
        if (!proxy->authorization.empty())
            k += " as " + proxy->authorization;
    }
    return k;
}

std::string connect_request(const origin& target, const proxy_endpoint& proxy) {
    const std::string authority = bracketed(target.host) + ":" + std::to_string(target.port);
    std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.authorization.empty())
        out += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    out += "\r\n";
    return out;
}

std::string absolute_prefix(const origin& target) {
    return (target.tls ? "https://" : "http://") + target.host_header();
}

} // namespace openai::transport
